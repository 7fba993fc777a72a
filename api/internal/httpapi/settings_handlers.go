package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify"
)

// getSettings is GET /settings.
func (s *Server) getSettings(c echo.Context) error {
	return c.JSON(http.StatusOK, s.deps.Settings.Global(c.Request().Context()))
}

// updateSettings is PUT /settings.
func (s *Server) updateSettings(c echo.Context) error {
	var g settings.Global
	if err := s.decode(c, &g); err != nil {
		return err
	}
	out, err := s.deps.Settings.UpdateGlobal(c.Request().Context(), principal(c).UserID, g)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// listPlatformSettings is GET /settings/platforms.
func (s *Server) listPlatformSettings(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"items": s.deps.Settings.AllPlatforms(c.Request().Context())})
}

// updatePlatformSettings is PUT /settings/platforms/{platform}.
func (s *Server) updatePlatformSettings(c echo.Context) error {
	platform := c.Param("platform")
	if _, err := s.deps.Settings.Platform(c.Request().Context(), platform); err != nil {
		return err
	}
	var u settings.PlatformUpdate
	if err := s.decode(c, &u); err != nil {
		return err
	}
	out, err := s.deps.Settings.UpdatePlatform(c.Request().Context(), principal(c).UserID, platform, u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type spotifyTestRequest struct {
	APIBaseURL   string  `json:"api_base_url" validate:"omitempty,http_url"`
	ClientID     *string `json:"client_id" validate:"omitempty,max=200"`
	ClientSecret *string `json:"client_secret" validate:"omitempty,max=200"`
	TokenURL     string  `json:"token_url" validate:"omitempty,http_url"`
}

// testSpotifyConnection is POST /settings/platforms/spotify/test: it asks
// Spotify for a token with the stored (or given) credentials.
func (s *Server) testSpotifyConnection(c echo.Context) error {
	var req spotifyTestRequest
	if c.Request().ContentLength != 0 {
		if err := s.decode(c, &req); err != nil {
			return err
		}
	}
	cfg := s.deps.Settings.Spotify(c.Request().Context())
	if req.APIBaseURL != "" {
		cfg.APIBaseURL = req.APIBaseURL
	}
	if req.TokenURL != "" {
		cfg.TokenURL = req.TokenURL
	}
	if req.ClientID != nil {
		cfg.ClientID = *req.ClientID
	}
	if req.ClientSecret != nil {
		cfg.ClientSecret = *req.ClientSecret
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 15*time.Second)
	defer cancel()
	client := spotify.New(spotify.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		BaseURL: cfg.APIBaseURL, TokenURL: cfg.TokenURL, MaxRetries: 1})
	err := client.CheckCredentials(ctx)
	switch {
	case err == nil:
		return c.JSON(http.StatusOK, map[string]any{"ok": true, "message": "Spotify accepted the credentials."})
	case errors.Is(err, spotify.ErrCredentialsRequired):
		return c.JSON(http.StatusOK, map[string]any{"ok": false, "message": "No client id and secret are set; single tracks fall back to oEmbed (title only)."})
	case errors.Is(err, spotify.ErrUnauthorized):
		return c.JSON(http.StatusOK, map[string]any{"ok": false, "message": "Spotify refused the client id or secret."})
	default:
		return c.JSON(http.StatusOK, map[string]any{"ok": false, "message": "Spotify did not answer: check the token URL and the network."})
	}
}
