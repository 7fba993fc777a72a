// Package httpapi is Downlink's HTTP layer: the Echo server, its middleware,
// the one route table, and thin handlers that turn requests into calls on the
// domain services and their results (or errors) into responses.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/logs"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify/account"
	"github.com/downlink/downlink/api/internal/subscriptions"
	"github.com/downlink/downlink/api/internal/system"
	"github.com/downlink/downlink/api/internal/webhooks"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// Deps are the services the HTTP layer calls. Build them in main and pass
// them in; nil services disable their routes' features (the route table
// stays the same).
type Deps struct {
	Config  *config.Config
	Logger  *slog.Logger
	Metrics *metrics.Registry
	System  *system.Service
	// UI is the built SPA (frontend.Dist); nil serves a page that says how
	// to build it.
	UI UIFiles
	// Spec is openapi.yaml.
	Spec []byte
	// Authenticators recognise credentials (API keys first, then the
	// session cookie).
	Authenticators []Authenticator
	// Auth signs people in.
	Auth *auth.Service
	// APIKeys authenticates programs, limits and counts their requests.
	APIKeys *apikeys.Service
	// Downloads, Files and Hub serve the download engine.
	Downloads *downloads.Service
	Files     *files.Service
	Hub       *events.Hub
	// Settings are the admin's runtime settings.
	Settings *settings.Service
	// Logs searches the system log and the audit trail.
	Logs *logs.Service
	// Webhooks manages webhooks and their delivery logs.
	Webhooks *webhooks.Service
	// Subscriptions follows channels, playlists and feeds.
	Subscriptions *subscriptions.Service
	// SpotifyAccount is the connected Spotify account.
	SpotifyAccount *account.Service
	// GuardedHTTP makes Downlink's own requests to addresses an admin
	// configured (the Spotify connection test) through the egress guard.
	GuardedHTTP *http.Client
	// Ytdlp is this node's managed yt-dlp; YtdlpDispatch sends an admin's
	// check, update or rollback to every node.
	Ytdlp         *managed.Service
	YtdlpDispatch *managed.Dispatcher
	// EnabledPlatforms lists platforms accepting downloads (settings).
	EnabledPlatforms func(context.Context) []string
}

// Server is the HTTP API.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	deps     Deps
	echo     *echo.Echo
	auditLog *slog.Logger
	validate *validator.Validate
	handler  http.Handler
	// streams caps open event streams per user and per address.
	streams *streamCaps
	// uiGzip holds the UI's text assets gzipped.
	uiGzip uiGzip

	shutdownHooks []func(context.Context)
}

// New builds the server and registers every route.
func New(deps Deps) (*Server, error) {
	if deps.Config == nil || deps.Logger == nil || deps.Metrics == nil || deps.System == nil {
		return nil, errors.New("httpapi: config, logger, metrics and system are required")
	}
	s := &Server{
		cfg:      deps.Config,
		log:      deps.Logger.With("source", "http"),
		auditLog: deps.Logger.With("source", "audit"),
		deps:     deps,
		echo:     echo.New(),
		validate: newValidator(),
		streams:  newStreamCaps(deps.Config.MaxEventStreamsPerUser, deps.Config.MaxEventStreamsPerIP),
	}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.JSONSerializer = jsonSerializer{}
	e.IPExtractor = s.ipExtractor()
	if s.cfg.TrustProxy && len(s.cfg.TrustedProxies) == 0 {
		s.log.Warn("DOWNLINK_TRUST_PROXY=true trusts X-Forwarded-For only from loopback proxies; a proxy on another address (a container, an ingress pod) must be listed in DOWNLINK_TRUSTED_PROXIES")
	}
	s.middleware()
	s.register()
	s.handler = keyCORS(s.crossOriginProtection(e))
	if deps.Hub != nil {
		s.shutdownHooks = append(s.shutdownHooks, func(ctx context.Context) { _ = deps.Hub.Shutdown(ctx) })
	}
	return s, nil
}

// Handler is the whole HTTP handler (for tests and for Run).
func (s *Server) Handler() http.Handler { return s.handler }

// Echo exposes the router (route listing in tests).
func (s *Server) Echo() *echo.Echo { return s.echo }

// Run serves on the configured address until ctx ends, then drains: new
// connections stop, in-flight requests get ShutdownTimeout to finish, and
// long-lived streams are closed.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	var silent silentConns
	srv.ConnState = silent.track
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.beforeShutdown(shutdownCtx)
	// Shutdown closes idle keep-alive connections at once but waits for a
	// connection that has not sent a byte yet (a browser's preconnect, a
	// client's spare dial) until it is 5 s old: close those too, there is
	// no request on them to finish.
	silent.closeAll()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// beforeShutdown ends long-lived responses (event streams) so Shutdown
// does not wait for them.
func (s *Server) beforeShutdown(ctx context.Context) {
	for _, f := range s.shutdownHooks {
		f(ctx)
	}
}

// silentConns tracks the connections that have not sent a request yet.
type silentConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
}

func (s *silentConns) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case state == http.StateNew && s.done:
		_ = c.Close()
	case state == http.StateNew:
		if s.conns == nil {
			s.conns = map[net.Conn]struct{}{}
		}
		s.conns[c] = struct{}{}
	default:
		delete(s.conns, c)
	}
}

func (s *silentConns) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	for c := range s.conns {
		_ = c.Close()
	}
	clear(s.conns)
}
