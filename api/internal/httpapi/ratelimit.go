package httpapi

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

var errRateLimited = problem.New(429, "Rate limit exceeded")

// limitAndCount applies per-key, per-user (sessions) and per-IP
// (anonymous) rate limits, sends the IETF RateLimit headers on key and
// session requests, and counts every key request for the usage charts.
func (s *Server) limitAndCount(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		keys := s.deps.APIKeys
		if keys == nil {
			return next(c)
		}
		p := principal(c)
		switch {
		case p != nil && p.Method == authz.MethodAPIKey:
			d := keys.AllowKey(p.APIKeyID)
			setRateLimitHeaders(c, d)
			var err error
			if !d.Allowed {
				s.deps.Metrics.RateLimitRejected.WithLabelValues("key").Inc()
				err = rateLimited(d, "This API key may make %d requests per minute on this server.")
			} else {
				err = next(c)
			}
			status := c.Response().Status
			if err != nil {
				status = toProblem(err).Status
			}
			keys.RecordUsage(p.APIKeyID, c.Request().Method+" "+apiPrefix+openAPIPath(trimPrefix(c.Path())), status)
			return err
		case p != nil && p.Method == authz.MethodSession && s.cfg.SessionRateLimit > 0:
			// One user's browser sessions share a bucket, so no account
			// can flood the node from the dashboard or with a cookie.
			d := keys.AllowSession(p.UserID, s.cfg.SessionRateLimit)
			setRateLimitHeaders(c, d)
			if !d.Allowed {
				s.deps.Metrics.RateLimitRejected.WithLabelValues("session").Inc()
				return rateLimited(d, "Your account may make %d requests per minute from browser sessions on this server.")
			}
		case p == nil:
			// A rejected credential (a bad key, the cookie of an ended
			// session) leaves the request anonymous: it counts here too,
			// or replaying a dead cookie would escape the limit.
			d := keys.AllowAnonymous(c.RealIP())
			if !d.Allowed {
				s.deps.Metrics.RateLimitRejected.WithLabelValues("ip").Inc()
				return rateLimited(d, "Your address may make %d requests per minute without signing in.")
			}
		}
		return next(c)
	}
}

func rateLimited(d apikeys.Decision, format string) error {
	return errRateLimited.WithDetail(format, d.Limit).
		WithHeader("Retry-After", strconv.Itoa(d.RetryAfter)).
		With("retry_after", d.RetryAfter)
}

func setRateLimitHeaders(c echo.Context, d apikeys.Decision) {
	h := c.Response().Header()
	h.Set("RateLimit-Policy", fmt.Sprintf(`"default";q=%d;w=60`, d.Limit))
	h.Set("RateLimit", fmt.Sprintf(`"default";r=%d;t=%d`, d.Remaining, d.ResetSecs))
}

func trimPrefix(p string) string {
	if len(p) >= len(apiPrefix) && p[:len(apiPrefix)] == apiPrefix {
		return p[len(apiPrefix):]
	}
	return p
}
