package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/account"
)

type spotifyTestRequest struct {
	APIBaseURL   string  `json:"api_base_url" validate:"omitempty,http_url"`
	ClientID     *string `json:"client_id" validate:"omitempty,max=200"`
	ClientSecret *string `json:"client_secret" validate:"omitempty,max=200"`
	TokenURL     string  `json:"token_url" validate:"omitempty,http_url"`
}

// spotifyTestResult is openapi.yaml SpotifyTestResult.
type spotifyTestResult struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// testSpotifyConnection is POST /settings/platforms/spotify/test: with the
// stored (or given) credentials it fetches a token and reads a known track
// — a real Web API call, so a lapsed Premium of the app's owner fails it —
// and, with a connected account, reads that account's profile.
func (s *Server) testSpotifyConnection(c echo.Context) error {
	var req spotifyTestRequest
	if c.Request().ContentLength != 0 {
		if err := s.decode(c, &req); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	bad := problem.ErrValidation
	for _, f := range []struct{ name, v string }{{"api_base_url", req.APIBaseURL}, {"token_url", req.TokenURL}} {
		if err := s.deps.Settings.CheckEndpoint(ctx, f.v); err != nil {
			bad = bad.WithField(f.name, err.Error())
		}
	}
	if len(bad.Errors) > 0 {
		return bad
	}
	cfg := s.deps.Settings.Spotify(ctx)
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
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	client := spotify.New(spotify.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		BaseURL: cfg.APIBaseURL, TokenURL: cfg.TokenURL, MaxRetries: 1, MaxRetryWait: 5 * time.Second, HTTPClient: s.deps.GuardedHTTP})
	res := spotifyTest(client.CheckCredentials(ctx), false)
	if res.OK || res.Reason == "no_credentials" {
		if acct := s.deps.SpotifyAccount; acct != nil && acct.Connected(ctx) {
			me := spotify.New(spotify.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, BaseURL: cfg.APIBaseURL,
				TokenURL: cfg.TokenURL, MaxRetries: 1, MaxRetryWait: 5 * time.Second, Account: acct, HTTPClient: s.deps.GuardedHTTP})
			u, err := me.Me(ctx)
			if err != nil {
				return c.JSON(http.StatusOK, spotifyTest(err, true))
			}
			msg := "The connected account " + u.DisplayName + " answers"
			if res.OK {
				msg = "Spotify accepted the app credentials and the connected account " + u.DisplayName + " answers"
			}
			res = spotifyTestResult{OK: true, Reason: "ok", Message: msg + "."}
		}
	}
	return c.JSON(http.StatusOK, res)
}

// spotifyTest words a connection test's outcome.
func spotifyTest(err error, asAccount bool) spotifyTestResult {
	who := "the client id or secret"
	if asAccount {
		who = "the connected account"
	}
	var rl *spotify.RateLimitError
	switch {
	case err == nil:
		return spotifyTestResult{OK: true, Reason: "ok", Message: "Spotify accepted the credentials and answered a Web API call."}
	case errors.Is(err, spotify.ErrCredentialsRequired):
		return spotifyTestResult{Reason: "no_credentials", Message: "No client id and secret are set. Tracks, albums and " +
			"playlists are still read from Spotify's public pages (no ISRC); credentials add ISRCs, albums and covers."}
	case errors.Is(err, spotify.ErrPremiumRequired):
		return spotifyTestResult{Reason: "premium_required", Message: "The Spotify app's owner needs Premium: Spotify " +
			"issued a token but refuses every Web API call (“Active premium subscription required for the owner of the " +
			"app”). Renew Premium for the account that created the app; a change can take a few hours to apply."}
	case errors.Is(err, spotify.ErrAccountRevoked):
		return spotifyTestResult{Reason: "account_revoked", Message: "The connected account's access is no longer valid; connect it again."}
	case errors.Is(err, spotify.ErrUnauthorized):
		return spotifyTestResult{Reason: "invalid_credentials", Message: "Spotify refused " + who + "."}
	case errors.Is(err, spotify.ErrForbidden):
		return spotifyTestResult{Reason: "forbidden", Message: "Spotify issued a token but refused the Web API call with 403 Forbidden."}
	case errors.As(err, &rl):
		return spotifyTestResult{Reason: "rate_limited", Message: "Spotify's rate limit was reached; test again later."}
	}
	return spotifyTestResult{Reason: "unreachable", Message: "Spotify did not answer properly: check the token and API URLs and the network."}
}

// spotifyAccountView is openapi.yaml SpotifyAccount.
type spotifyAccountView struct {
	account.Status
	// RedirectURI is the callback to register with the Spotify app.
	RedirectURI string `json:"redirect_uri"`
}

// getSpotifyAccount is GET /settings/platforms/spotify/account.
func (s *Server) getSpotifyAccount(c echo.Context) error {
	st, err := s.deps.SpotifyAccount.Status(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, spotifyAccountView{Status: st, RedirectURI: s.spotifyRedirectURI(c)})
}

// authorizeSpotifyAccount is POST /settings/platforms/spotify/account/authorize:
// it starts the authorization-code flow with PKCE and returns the Spotify
// page to open.
func (s *Server) authorizeSpotifyAccount(c echo.Context) error {
	redirect := s.spotifyRedirectURI(c)
	to, err := s.deps.SpotifyAccount.Begin(c.Request().Context(), principal(c).UserID, redirect)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"authorize_url": to, "redirect_uri": redirect})
}

// spotifyAccountCallback is GET /settings/platforms/spotify/account/callback,
// where Spotify sends the admin's browser back: the grant is stored and
// the browser goes on to the settings page, which says how it went.
func (s *Server) spotifyAccountCallback(c echo.Context) error {
	q := c.QueryParams()
	_, err := s.deps.SpotifyAccount.Complete(c.Request().Context(), principal(c).UserID, q.Get("state"), q.Get("code"), q.Get("error"))
	back := url.Values{"tab": {"platforms"}, "spotify_account": {"connected"}}
	if err != nil {
		msg := "Spotify did not answer properly; try again."
		var p *problem.Problem
		switch {
		case errors.Is(err, account.ErrBadState), errors.Is(err, account.ErrDenied), errors.Is(err, account.ErrNoClientID):
			if errors.As(err, &p) {
				msg = strings.TrimSpace(p.Title + ". " + p.Detail)
			}
		case errors.Is(err, spotify.ErrUnauthorized):
			msg = "Spotify refused the app's client id or secret."
		case errors.Is(err, spotify.ErrPremiumRequired):
			msg = "The Spotify app's owner needs Premium: Spotify refused to read the account's profile."
		case errors.Is(err, spotify.ErrAccountRevoked):
			msg = "Spotify refused the authorization code (it expired or was used); try again."
		}
		s.log.WarnContext(c.Request().Context(), "spotify account connection failed", "err", err)
		back = url.Values{"tab": {"platforms"}, "spotify_account": {"error"}, "message": {msg}}
	}
	return c.Redirect(http.StatusSeeOther, "/settings?"+back.Encode())
}

// disconnectSpotifyAccount is DELETE /settings/platforms/spotify/account.
func (s *Server) disconnectSpotifyAccount(c echo.Context) error {
	if err := s.deps.SpotifyAccount.Disconnect(c.Request().Context(), principal(c).UserID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// spotifyRedirectURI is the callback under DOWNLINK_BASE_URL, else under
// the address the admin's browser used.
func (s *Server) spotifyRedirectURI(c echo.Context) string {
	base := s.cfg.BaseURL
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return account.RedirectURI(base)
}
