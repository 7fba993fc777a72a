package httpapi

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
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
	if !p.MayActOnOthers(authz.Read) {
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
	if userID != nil && !principal(c).MayActOnOthers(authz.Read) {
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

// startRelayout is POST /storage/relayout: move the library's files to
// the current layout (or resume the unfinished move), answered at once
// with the operation to poll.
func (s *Server) startRelayout(c echo.Context) error {
	op, err := s.deps.Downloads.StartRelayout(c.Request().Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/storage/relayout")
	return c.JSON(http.StatusAccepted, op)
}

// getRelayout is GET /storage/relayout: the latest move between layouts.
func (s *Server) getRelayout(c echo.Context) error {
	op, err := s.deps.Downloads.LatestRelayout(c.Request().Context())
	if errors.Is(err, downloads.ErrNoRelayout) {
		return problem.New(http.StatusNotFound, "No library move").WithDetail("The library has never been moved to another layout.")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, op)
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
	admin := p.MayActOnOthers(authz.Read)
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
