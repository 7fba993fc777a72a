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

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/logs"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
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
	// A request never waits on the database without end: each of its
	// statements gets a deadline (a hung server answers 503 as a stopped
	// one does).
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.SetRequest(c.Request().WithContext(store.WithRequestDeadline(c.Request().Context())))
			return next(c)
		}
	})
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            31536000,
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "", // set per response kind (SPA, Swagger, files)
	}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: strconv.FormatInt(int64(s.cfg.BodyLimit), 10) + "B",
		// A yt-dlp build upload has its own limit (installYtdlp).
		Skipper: func(c echo.Context) bool { return c.Request().URL.Path == ytdlpInstallPath },
	}))
	// At most gzipSlots responses are compressed at once; one that finds
	// them all taken goes out uncompressed rather than waiting. Each
	// compressing response holds a ~650 KB deflate state, so under many
	// clients unbounded compression was most of the heap (see
	// docs/performance.md, memory under load).
	slots := make(chan struct{}, gzipSlots())
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
				c.Set(gzipSlotKey, true)
			default:
			}
			return next(c)
		}
	})
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		// Level 1: JSON compresses to within ~15 % of level 5's size for a
		// third of its CPU.
		Level: 1,
		// Below about a packet, gzip saves nothing on the wire but costs
		// CPU, and a writer that compressed keeps its deflate state in the
		// pool.
		MinLength: 1400,
		Skipper: func(c echo.Context) bool {
			if c.Get(gzipSlotKey) == nil {
				return true
			}
			p := c.Request().URL.Path
			// Streams must flush as they go; media is already compressed
			// and must keep byte ranges exact; the UI's files are served
			// gzipped once and for all (serveUIFile). API requests, the
			// hot path, skip the look in the UI's files.
			if strings.HasPrefix(p, "/api/") {
				return p == "/api/v1/events" || strings.HasSuffix(p, "/content")
			}
			return p == "/metrics" || isUIFile(s.deps.UI, p)
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
		if status >= 500 && status != statusClientClosed {
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
		if _, isKey := apikeys.Credential(r); isKey && r.Header.Get("Cookie") == "" {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// keyCORS lets a page on another site call the API with an API key (the
// bookmarklet in docs/clients.md, a browser extension): a preflight for
// /api/v1/ is answered, and a key request without cookies gets
// Access-Control-Allow-Origin "*". "*" never allows credentials, so a
// browser never sends or exposes a session from another site (and
// crossOriginProtection still refuses those); the page gets only what the
// key it already holds gives.
func keyCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "" || !strings.HasPrefix(r.URL.Path, "/api/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, X-API-Key, Content-Type, Idempotency-Key")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if _, isKey := apikeys.Credential(r); isKey && r.Header.Get("Cookie") == "" {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", "Location, Retry-After, RateLimit, RateLimit-Policy")
		}
		next.ServeHTTP(w, r)
	})
}

// ipExtractor trusts X-Forwarded-For only from the configured proxies
// (DOWNLINK_TRUSTED_PROXIES; loopback for DOWNLINK_TRUST_PROXY=true
// alone): the client is the right-most address that is not one of them,
// and a request from any other peer is that peer, whatever it claims.
func (s *Server) ipExtractor() echo.IPExtractor {
	if len(s.cfg.TrustedProxyNets) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustPrivateNet(false), echo.TrustLinkLocal(false)}
		for _, p := range s.cfg.TrustedProxyNets {
			_, n, err := net.ParseCIDR(p.String())
			if err == nil {
				opts = append(opts, echo.TrustIPRange(n))
			}
		}
		return echo.ExtractIPFromXFFHeader(opts...)
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
}

const gzipSlotKey = "httpapi.gzip_slot"

// gzipSlots is how many responses may be compressed at once: enough to
// keep every core compressing.
func gzipSlots() int { return max(4, 2*runtime.GOMAXPROCS(0)) }
