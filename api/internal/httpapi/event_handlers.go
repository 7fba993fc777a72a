package httpapi

import (
	"context"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/problem"
)

// streamEvents is GET /events: Server-Sent Events of the caller's
// downloads, subscriptions and files (admins may ask for everyone's, with
// log lines).
func (s *Server) streamEvents(c echo.Context) error {
	p := principal(c)
	f, err := events.ParseFilter(c.QueryParams(), p.UserID.String(), p.MayActOnOthers(authz.Read))
	if err != nil {
		return err
	}
	canFiles := p.Can(authz.ScopeFilesRead)
	if len(f.Types) == 0 {
		f.Types = []string{"download.*", "subscription.*"}
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
	release, err := s.streams.acquire(p.UserID, c.RealIP())
	if err != nil {
		s.deps.Metrics.RateLimitRejected.WithLabelValues("event_streams").Inc()
		return err
	}
	defer release()
	s.deps.Metrics.SSEClients.Inc()
	defer s.deps.Metrics.SSEClients.Dec()
	// The caller is checked again while the stream is open: a revoked key,
	// a disabled user, a changed role or an ended session closes it.
	return s.deps.Hub.ServeSSE(c.Response(), c.Request(), f,
		events.WithRecheck(func(ctx context.Context) error { return s.recheck(ctx, p) }))
}
