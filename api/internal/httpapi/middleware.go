package httpapi

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/logs"
	"github.com/downlink/downlink/api/internal/problem"
)

// middleware installs what every request goes through, outermost first.
func (s *Server) middleware() {
	e := s.echo
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		// A client's own id is kept only when it looks harmless.
		Generator: newRequestID,
		RequestIDHandler: func(c echo.Context, id string) {
			// Records logged with the request's context are stored with its id and IP.
			ctx := logs.WithRequest(withRequestID(c.Request().Context(), id), id, c.RealIP())
			c.SetRequest(c.Request().WithContext(ctx))
		},
	}))
	e.Use(s.recoverPanics)
	e.Use(s.logRequests)
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            31536000,
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "", // set per response kind (SPA, Swagger, files)
	}))
	e.Use(middleware.BodyLimit(strconv.FormatInt(int64(s.cfg.BodyLimit), 10) + "B"))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Level: 5,
		// Below about a packet, gzip saves nothing on the wire but costs
		// CPU, and a writer that compressed keeps a ~650 KB deflate state
		// in the pool (see docs/performance.md, memory under load).
		MinLength: 1400,
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			// Streams must flush as they go; media is already compressed
			// and must keep byte ranges exact.
			return p == "/api/v1/events" || strings.HasSuffix(p, "/content") || p == "/metrics"
		},
	}))
}

// recoverPanics turns a panic into a 500 problem and a log line with the
// stack; the process keeps serving.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				buf := make([]byte, 8<<10)
				buf = buf[:runtime.Stack(buf, false)]
				s.log.Error("panic serving request", "panic", fmt.Sprint(r), "stack", string(buf),
					"route", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
				err = problem.ErrInternal.WithCause(fmt.Errorf("panic: %v", r))
			}
		}()
		return next(c)
	}
}

// logRequests writes one structured line per request and counts it. The
// query string is never logged (it could carry a secret someone pasted).
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		status := res.Status
		s.deps.Metrics.HTTPRequests.WithLabelValues(route, req.Method, strconv.Itoa(status/100)+"xx").Inc()
		s.deps.Metrics.HTTPDuration.WithLabelValues(route, req.Method).Observe(elapsed.Seconds())
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			if status < 400 {
				return nil
			}
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		} else if strings.HasPrefix(route, "/assets/") || route == "/*" {
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int64("bytes", res.Size),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.String("ip", c.RealIP()),
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
		}
		if p := authz.FromContext(req.Context()); p != nil {
			attrs = append(attrs, slog.String("user_id", p.UserID.String()))
			if p.Method == authz.MethodAPIKey {
				attrs = append(attrs, slog.String("api_key_id", p.APIKeyID.String()))
			}
		}
		s.log.LogAttrs(req.Context(), level, "request", attrs...)
		return nil
	}
}

// crossOriginProtection refuses cross-site state-changing browser requests
// (Sec-Fetch-Site / Origin checks). Requests authenticated by an API key
// and carrying no cookie are not browser-ambient and skip the check.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if s.cfg.BaseURL != "" {
		_ = cop.AddTrustedOrigin(s.cfg.BaseURL)
	}
	for _, o := range s.cfg.CORSOrigins {
		_ = cop.AddTrustedOrigin(o)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := problem.ErrForbidden.WithDetail("Cross-origin request refused: state-changing requests must come from this site's own pages (or use an API key).")
		w.Header().Set("Content-Type", problem.ContentType)
		w.WriteHeader(p.Status)
		_, _ = w.Write(mustJSON(p.Body()))
	}))
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasAPIKeyHeader(r) && r.Header.Get("Cookie") == "" {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

func hasAPIKeyHeader(r *http.Request) bool {
	if r.Header.Get("X-API-Key") != "" {
		return true
	}
	auth := r.Header.Get("Authorization")
	return len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ")
}

// ipExtractor trusts X-Forwarded-For only behind a declared proxy.
func (s *Server) ipExtractor() echo.IPExtractor {
	if s.cfg.TrustProxy {
		return echo.ExtractIPFromXFFHeader(echo.TrustLoopback(true), echo.TrustPrivateNet(true), echo.TrustLinkLocal(false))
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
}
