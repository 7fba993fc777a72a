package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/logs"
	"github.com/downlink/downlink/api/internal/problem"
)

// listLogs is GET /logs: system records and the audit trail, newest first.
// The live tail is log.appended on GET /events?scope=all.
func (s *Server) listLogs(c echo.Context) error {
	if s.deps.Logs == nil {
		return problem.ErrUnavailable.WithDetail("The system log is not stored on this server.")
	}
	q := c.QueryParams()
	f := logs.Filter{Query: q.Get("q"), RequestID: q.Get("request_id"), Cursor: q.Get("cursor")}
	if v := q.Get("level"); v != "" {
		l, ok := logs.ParseLevel(v)
		if !ok {
			return problem.ErrBadRequest.WithField("level", "must be one of "+strings.Join(logs.Levels, ", "))
		}
		f.MinLevel = &l
	}
	for _, v := range q["source"] {
		for _, src := range strings.Split(v, ",") {
			if src = strings.TrimSpace(src); src != "" {
				f.Sources = append(f.Sources, src)
			}
		}
	}
	var err error
	if f.From, err = queryTime(c, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(c, "to"); err != nil {
		return err
	}
	if f.DownloadID, err = queryUUID(c, "download_id"); err != nil {
		return err
	}
	if f.UserID, err = queryUUID(c, "user_id"); err != nil {
		return err
	}
	if v := q.Get("audit"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return problem.ErrBadRequest.WithField("audit", "must be true or false")
		}
		f.Audit = &b
	}
	if v := q.Get("hide_routine"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return problem.ErrBadRequest.WithField("hide_routine", "must be true or false")
		}
		f.HideRoutine = b
	}
	if f.Limit, err = queryLimit(c); err != nil {
		return err
	}
	page, err := s.deps.Logs.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// queryTime reads an optional RFC 3339 time query parameter (400 when
// malformed).
func queryTime(c echo.Context, name string) (*time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, problem.ErrBadRequest.WithField(name, "must be a date-time like 2026-11-14T00:00:00Z")
	}
	return &t, nil
}
