package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/problem"
)

// listFiles is GET /files.
func (s *Server) listFiles(c echo.Context) error {
	q := c.QueryParams()
	p := files.ListParams{Query: q.Get("q"), Platform: q.Get("platform"), Kind: q.Get("kind"), Sort: q.Get("sort"),
		Cursor: q.Get("cursor")}
	if old := q.Get("type"); old != "" {
		// The filter is named after the field it filters (kind); type is
		// its old name, still accepted and announced as deprecated.
		if p.Kind != "" && p.Kind != old {
			return problem.ErrBadRequest.WithField("type", "is the deprecated name of kind: send only kind")
		}
		p.Kind = old
		deprecated(c)
	}
	var err error
	if v := q.Get("pinned"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return problem.ErrBadRequest.WithField("pinned", "must be true or false")
		}
		p.Pinned = &b
	}
	if p.DownloadID, err = queryUUID(c, "download_id"); err != nil {
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
	if p.Limit, err = queryLimit(c); err != nil {
		return err
	}
	page, err := s.deps.Files.List(c.Request().Context(), principal(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// getFile is GET /files/{id}.
func (s *Server) getFile(c echo.Context) error {
	id, err := pathUUID(c, "id", files.ErrNotFound)
	if err != nil {
		return err
	}
	f, err := s.deps.Files.Get(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return jsonWithETag(c, http.StatusOK, f)
}

type updateFileRequest struct {
	Pinned *bool `json:"pinned" validate:"required"`
}

// updateFile is PATCH /files/{id}.
func (s *Server) updateFile(c echo.Context) error {
	id, err := pathUUID(c, "id", files.ErrNotFound)
	if err != nil {
		return err
	}
	var req updateFileRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if c.Request().Header.Get("If-Match") != "" {
		cur, err := s.deps.Files.Get(c.Request().Context(), principal(c), id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(c, cur); err != nil {
			return err
		}
	}
	f, err := s.deps.Files.SetPinned(c.Request().Context(), principal(c), id, *req.Pinned)
	if err != nil {
		return err
	}
	return jsonWithETag(c, http.StatusOK, f)
}

// deleteFile is DELETE /files/{id}.
func (s *Server) deleteFile(c echo.Context) error {
	id, err := pathUUID(c, "id", files.ErrNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Files.Delete(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// getFileContent is GET /files/{id}/content.
func (s *Server) getFileContent(c echo.Context) error {
	id, err := pathUUID(c, "id", files.ErrNotFound)
	if err != nil {
		return err
	}
	download := false
	if v := c.QueryParam("download"); v != "" {
		if download, err = strconv.ParseBool(v); err != nil {
			return problem.ErrBadRequest.WithField("download", "must be true or false")
		}
	}
	return s.deps.Files.Serve(c.Request().Context(), c.Response(), c.Request(), principal(c), id, download)
}

// getFileThumbnail is GET /files/{id}/thumbnail.
func (s *Server) getFileThumbnail(c echo.Context) error {
	id, err := pathUUID(c, "id", files.ErrNotFound)
	if err != nil {
		return err
	}
	return s.deps.Files.ServeThumbnail(c.Request().Context(), c.Response(), c.Request(), principal(c), id)
}
