package httpapi

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/problem"
)

var knownEventTypes = map[string]bool{
	"download.created": true, "download.updated": true, "download.progress": true, "download.deleted": true,
	"file.created": true, "file.deleted": true, "log.appended": true, "download.*": true, "file.*": true, "log.*": true,
}

// streamEvents is GET /events: Server-Sent Events of the caller's
// downloads and files (admins may ask for everyone's, with log lines).
func (s *Server) streamEvents(c echo.Context) error {
	p := principal(c)
	f := events.Filter{UserID: p.UserID.String()}
	switch c.QueryParam("scope") {
	case "", "own":
	case "all":
		if !p.Can(authz.ScopeAdminRead) {
			return errAdminOnly.WithDetail("Only administrators may stream everyone's events.")
		}
		f = events.Filter{All: true}
	default:
		return problem.ErrBadRequest.WithField("scope", "must be own or all")
	}
	for _, v := range c.QueryParams()["types"] {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			if !knownEventTypes[t] {
				return problem.ErrBadRequest.WithField("types", "unknown event type "+t)
			}
			f.Types = append(f.Types, t)
		}
	}
	canFiles := p.Can(authz.ScopeFilesRead)
	if len(f.Types) == 0 {
		f.Types = []string{"download.*"}
		if canFiles {
			f.Types = append(f.Types, "file.*")
		}
		if f.All {
			f.Types = append(f.Types, "log.*")
		}
	}
	for _, t := range f.Types {
		if strings.HasPrefix(t, "file.") && !canFiles {
			return errMissingScope.WithDetail("File events need the %q scope.", authz.ScopeFilesRead).With("required_scope", authz.ScopeFilesRead)
		}
		if strings.HasPrefix(t, "log.") && !f.All {
			return problem.ErrBadRequest.WithField("types", "log events come with scope=all (admins)")
		}
	}
	s.deps.Metrics.SSEClients.Inc()
	defer s.deps.Metrics.SSEClients.Dec()
	return s.deps.Hub.ServeSSE(c.Response(), c.Request(), f)
}
