package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/downlink/downlink/api/internal/authz"
)

// healthz answers while the process serves (liveness).
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether this node can take work: database, yt-dlp, ffmpeg,
// disk. 503 lists the reasons.
func (s *Server) readyz(c echo.Context) error {
	r := s.deps.System.Ready(c.Request().Context())
	s.deps.Metrics.ReadinessProblems.Set(float64(len(r.Reasons)))
	c.Response().Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !r.Ready {
		status = http.StatusServiceUnavailable
	}
	return c.JSON(status, r)
}

func (s *Server) metrics(c echo.Context) error {
	if s.deps.System != nil {
		if depth, err := s.deps.System.QueueDepth(c.Request().Context()); err == nil {
			s.deps.Metrics.QueueJobs.Reset()
			for q, d := range depth {
				s.deps.Metrics.QueueJobs.WithLabelValues(q, "queued").Set(float64(d.Queued))
				s.deps.Metrics.QueueJobs.WithLabelValues(q, "running").Set(float64(d.Running))
			}
		}
	}
	promhttp.HandlerFor(s.deps.Metrics.Reg, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

// getSystem is GET /api/v1/system.
func (s *Server) getSystem(c echo.Context) error {
	info, err := s.deps.System.Info(c.Request().Context())
	if err != nil {
		return err
	}
	if p := principal(c); !p.IsAdmin() || !p.Can(authz.ScopeAdminRead) {
		info = info.ForUser()
	}
	return c.JSON(http.StatusOK, info)
}
