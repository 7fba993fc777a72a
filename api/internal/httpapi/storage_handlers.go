package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// getStorage is GET /storage.
func (s *Server) getStorage(c echo.Context) error {
	ctx := c.Request().Context()
	p := principal(c)
	st, err := s.deps.Files.Storage(ctx, p, s.deps.Settings.Global(ctx).MinFreeDiskBytes)
	if err != nil {
		return err
	}
	if !p.Can(authz.ScopeAdminRead) {
		st.Users, st.TotalUsedBytes = nil, nil
	}
	return c.JSON(http.StatusOK, st)
}

// previewRetention is GET /storage/retention-preview.
func (s *Server) previewRetention(c echo.Context) error {
	userID, err := queryUUID(c, "user_id")
	if err != nil {
		return err
	}
	if userID != nil && !principal(c).Can(authz.ScopeAdminRead) {
		return errAdminOnly
	}
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	p, err := s.deps.Files.PreviewRetention(c.Request().Context(), principal(c), userID, limit, c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// runRetention is POST /storage/retention-run.
func (s *Server) runRetention(c echo.Context) error {
	actor := principal(c).UserID
	res, err := s.deps.Files.RunRetention(c.Request().Context(), &actor)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// listOrphanFiles is GET /storage/orphans.
func (s *Server) listOrphanFiles(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	out, err := s.deps.Files.Orphans(c.Request().Context(), limit, c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// getStats is GET /stats.
func (s *Server) getStats(c echo.Context) error {
	p := principal(c)
	scope := c.QueryParam("scope")
	admin := p.Can(authz.ScopeAdminRead)
	if scope == "" {
		scope = "own"
		if admin {
			scope = "all"
		}
	}
	var st any
	var err error
	switch {
	case scope == "all" && admin:
		st, err = s.deps.Downloads.Stats(c.Request().Context(), nil)
	case scope == "all":
		return errAdminOnly.WithDetail("Only administrators may see everyone's statistics.")
	case scope == "own":
		uid := p.UserID
		st, err = s.deps.Downloads.Stats(c.Request().Context(), &uid)
	default:
		return problem.ErrBadRequest.WithField("scope", "must be own or all")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
