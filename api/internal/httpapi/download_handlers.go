package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

type createDownloadRequest struct {
	URL     string          `json:"url" validate:"required,max=4096"`
	Preset  ytdlp.Preset    `json:"preset"`
	Options json.RawMessage `json:"options"`
	// AllowDuplicate downloads again what the caller downloaded before.
	AllowDuplicate bool `json:"allow_duplicate"`
}

// createDownload is POST /downloads.
func (s *Server) createDownload(c echo.Context) error {
	var req createDownloadRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	opts, err := downloads.DecodeOptions(req.Options, req.Preset)
	if err != nil {
		return err
	}
	p := principal(c)
	d, replayed, err := s.deps.Downloads.Create(c.Request().Context(), p, downloads.CreateRequest{
		URL: req.URL, Options: opts,
		IdempotencyKey: c.Request().Header.Get("Idempotency-Key"),
		AllowDuplicate: req.AllowDuplicate,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", apiPrefix+"/downloads/"+d.ID.String())
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.JSON(http.StatusOK, d)
	}
	return c.JSON(http.StatusAccepted, d)
}

type probeRequest struct {
	URL string `json:"url" validate:"required,max=4096"`
}

// probeDownload is POST /downloads/probe.
func (s *Server) probeDownload(c echo.Context) error {
	var req probeRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	res, err := s.deps.Downloads.Probe(c.Request().Context(), principal(c), req.URL)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// listDownloads is GET /downloads.
func (s *Server) listDownloads(c echo.Context) error {
	q := c.QueryParams()
	p := downloads.ListParams{Platform: q.Get("platform"), Query: q.Get("q"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	for _, v := range q["status"] {
		if strings.Contains(v, ",") {
			deprecated(c) // a comma list: repeat the parameter instead
		}
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				p.Statuses = append(p.Statuses, downloads.Status(st))
			}
		}
	}
	var err error
	if p.ParentID, err = queryUUID(c, "parent_id"); err != nil {
		return err
	}
	if p.UserID, err = queryUUID(c, "user_id"); err != nil {
		return err
	}
	if p.UserID != nil && !principal(c).MayActOnOthers(authz.Read) {
		return errAdminOnly
	}
	switch scope, err := queryScope(c); {
	case err != nil:
		return err
	case scope == "own" && p.UserID != nil:
		return problem.ErrBadRequest.WithField("user_id", "narrows scope=all: leave out scope=own")
	case scope == "own" && principal(c).MayActOnOthers(authz.Read):
		uid := principal(c).UserID
		p.UserID = &uid
	}
	if p.UpdatedSince, err = queryTime(c, "updated_since"); err != nil {
		return err
	}
	if v := q.Get("include_children"); v != "" {
		if p.IncludeChildren, err = strconv.ParseBool(v); err != nil {
			return problem.ErrBadRequest.WithField("include_children", "must be true or false")
		}
	}
	if p.Limit, err = queryLimit(c); err != nil {
		return err
	}
	page, err := s.deps.Downloads.List(c.Request().Context(), principal(c), p)
	if err != nil {
		return err
	}
	items := make([]downloads.Wire, len(page.Items))
	for i, d := range page.Items {
		items[i] = d.Wire()
	}
	return c.JSON(http.StatusOK, paging.Page[downloads.Wire]{Items: items, NextCursor: page.NextCursor})
}

// getDownload is GET /downloads/{id}.
func (s *Server) getDownload(c echo.Context) error {
	id, err := pathUUID(c, "id", downloads.ErrNotFound)
	if err != nil {
		return err
	}
	d, err := s.deps.Downloads.Get(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return jsonWithETag(c, http.StatusOK, d)
}

// cancelDownload is POST /downloads/{id}/cancel.
func (s *Server) cancelDownload(c echo.Context) error {
	id, err := pathUUID(c, "id", downloads.ErrNotFound)
	if err != nil {
		return err
	}
	d, err := s.deps.Downloads.Cancel(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// retryDownload is POST /downloads/{id}/retry.
func (s *Server) retryDownload(c echo.Context) error {
	id, err := pathUUID(c, "id", downloads.ErrNotFound)
	if err != nil {
		return err
	}
	d, err := s.deps.Downloads.Retry(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}

// deleteDownload is DELETE /downloads/{id}.
func (s *Server) deleteDownload(c echo.Context) error {
	id, err := pathUUID(c, "id", downloads.ErrNotFound)
	if err != nil {
		return err
	}
	withFiles := false
	if v := c.QueryParam("delete_files"); v != "" {
		if withFiles, err = strconv.ParseBool(v); err != nil {
			return problem.ErrBadRequest.WithField("delete_files", "must be true or false")
		}
	}
	p := principal(c)
	if withFiles && !p.Can(authz.ScopeFilesWrite) {
		return errMissingScope.WithDetail("Deleting files needs the %q scope.", authz.ScopeFilesWrite).With("required_scope", authz.ScopeFilesWrite)
	}
	if err := s.deps.Downloads.Delete(c.Request().Context(), p, id, withFiles); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// queryUUID reads an optional UUID query parameter (400 when malformed).
func queryUUID(c echo.Context, name string) (*uuid.UUID, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return nil, problem.ErrBadRequest.WithField(name, "must be a UUID")
	}
	return &id, nil
}
