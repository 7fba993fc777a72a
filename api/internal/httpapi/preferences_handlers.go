package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/users"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// getPreferences is GET /auth/me/preferences: the caller's remembered choices.
func (s *Server) getPreferences(c echo.Context) error {
	p, err := s.deps.Auth.Users().Preferences(c.Request().Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// putPreferences is PUT /auth/me/preferences: replaces them, after the
// same allow-list checks a download's options get.
func (s *Server) putPreferences(c echo.Context) error {
	var req struct {
		Download *users.DownloadPreferences `json:"download"`
	}
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if req.Download == nil {
		return problem.Invalid("download", "is required")
	}
	d := *req.Download
	o := ytdlp.Options{}
	if d.Preset != nil {
		o.Preset = ytdlp.Preset(*d.Preset)
	}
	if d.AudioFormat != nil {
		o.AudioFormat = ytdlp.AudioFormat(*d.AudioFormat)
	}
	if d.Subtitles != nil {
		o.Subtitles = &ytdlp.Subtitles{Languages: d.Subtitles.Languages, Auto: d.Subtitles.Auto, Embed: d.Subtitles.Embed}
	}
	if err := o.Validate(ytdlp.Constraints{}); err != nil {
		return prefixProblemFields(err, "download.")
	}
	p, err := s.deps.Auth.Users().SetPreferences(c.Request().Context(), principal(c).UserID, users.Preferences{Download: d})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// prefixProblemFields names a problem's field errors from one level up
// ("preset" → "download.preset").
func prefixProblemFields(err error, prefix string) error {
	var p *problem.Problem
	if !errors.As(err, &p) {
		return err
	}
	out := problem.ErrValidation.WithDetail("Some preferences are not valid.")
	for _, fe := range p.Errors {
		out = out.WithField(prefix+strings.TrimPrefix(fe.Field, prefix), fe.Message)
	}
	return out
}
