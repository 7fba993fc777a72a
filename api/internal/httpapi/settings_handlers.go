package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/settings"
)

// getSettings is GET /settings.
func (s *Server) getSettings(c echo.Context) error {
	return jsonWithETag(c, http.StatusOK, s.deps.Settings.Global(c.Request().Context()))
}

// updateSettings is PUT /settings.
func (s *Server) updateSettings(c echo.Context) error {
	var g settings.Global
	if err := s.decode(c, &g); err != nil {
		return err
	}
	if err := checkIfMatch(c, s.deps.Settings.Global(c.Request().Context())); err != nil {
		return err
	}
	out, err := s.deps.Settings.UpdateGlobal(c.Request().Context(), principal(c).UserID, g)
	if err != nil {
		return err
	}
	return jsonWithETag(c, http.StatusOK, out)
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
