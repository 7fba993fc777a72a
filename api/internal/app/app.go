// Package app assembles Downlink: it opens the database, builds every
// service with its dependencies and runs them together (HTTP, job queue,
// heartbeats) until asked to stop. It is the one place where wiring
// happens; cmd/downlink only parses the command line.
package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/apispec"
	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/httpapi"
	"github.com/downlink/downlink/api/internal/logs"
	"github.com/downlink/downlink/api/internal/mail"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify/account"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/subscriptions"
	"github.com/downlink/downlink/api/internal/system"
	"github.com/downlink/downlink/api/internal/users"
	"github.com/downlink/downlink/api/internal/webhooks"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// Role says what a process does.
type Role string

// Roles.
const (
	RoleServe  Role = "serve"  // HTTP API + UI (+ workers unless DOWNLINK_WORKERS=0)
	RoleWorker Role = "worker" // workers only, with a small health listener
)

// App is one running Downlink process.
type App struct {
	Cfg     *config.Config
	Log     *slog.Logger
	Role    Role
	Store   *store.Store
	Keys    *secrets.Keys
	Metrics *metrics.Registry
	// Procs starts every child process (yt-dlp, ffmpeg, version checks).
	Procs *proc.Runner
	// Jobs inserts and cancels jobs; Runner works this node's queues.
	Jobs     *queue.Queue
	Runner   *queue.Runner
	System   *system.Service
	HTTP     *httpapi.Server
	Users    *users.Service
	Auth     *auth.Service
	Mail     *mail.Sender
	APIKeys  *apikeys.Service
	Settings *settings.Service
	Engine   *engine
	Logs     *logs.Service
	Webhooks *webhooks.Service
	// Subscriptions checks followed sources on their own queue.
	Subscriptions *subscriptions.Service
	// SpotifyAccount is the connected Spotify account (optional).
	SpotifyAccount *account.Service
	// Ytdlp is this node's managed yt-dlp; YtdlpDispatch sends an admin's
	// update to every node.
	Ytdlp         *managed.Service
	YtdlpDispatch *managed.Dispatcher

	// background goroutines owned by Run
	wg sync.WaitGroup
	// logSink stores the process logger's records (attachLogs)
	logSink logSink

	// network seams (WithNetwork); nil: the system's
	resolver netguard.Resolver
	dialer   netguard.ContextDialer
	// guardedHTTP carries Downlink's own requests to addresses an admin
	// configured (Spotify's Web API and accounts service) through the
	// egress guard.
	guardedHTTP *http.Client
	// mailRoots verify the SMTP server's certificate (WithMailRoots; nil:
	// the system's).
	mailRoots *x509.CertPool
	// relayoutHook is WithRelayoutHook's.
	relayoutHook func(done int) error
	// sharedWarm is WithSharedWarm's.
	sharedWarm bool
	// ui is WithUI's (nil: the embedded build).
	ui fs.FS
	// userOpts are test seams for the users service (WithPasswordParams).
	userOpts []users.Option
	// keyOpts are test seams for the API-key service (WithKeyClock).
	keyOpts []apikeys.Option
}

// openData makes the data dir and opens the secret key and the database
// (not yet migrated): what the server and the console commands share.
func openData(ctx context.Context, cfg *config.Config, log *slog.Logger) (*secrets.Keys, *store.Store, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	keys, err := secrets.Load(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	db, err := cfg.Database()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, db, log)
	if err != nil {
		return nil, nil, err
	}
	return keys, st, nil
}

// New builds the app: data dir, secret key, database (migrated), services.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, role Role, opts ...Option) (*App, error) {
	keys, st, err := openData(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, Role: role, Store: st, Keys: keys, Metrics: metrics.New()}
	for _, o := range opts {
		o(a)
	}
	if err := st.Migrate(ctx, log); err != nil {
		_ = st.Close()
		return nil, err
	}
	if err := a.build(); err != nil {
		_ = st.Close()
		return nil, err
	}
	a.attachLogs()
	return a, nil
}

// build creates the services on an open, migrated store, in dependency
// order, each with every collaborator it has at New. Jobs are inserted
// through the queue from the start; the workers go to the runner, built
// last, because River reads its workers when its working client is made.
func (a *App) build() error {
	db, log := a.Store.DB, a.Log
	a.Procs = proc.New(proc.Config{Logger: log.With("source", "proc")})
	var err error
	if a.Jobs, err = queue.New(a.Store, log); err != nil {
		return err
	}
	a.Settings = settings.New(db, a.Keys, a.Cfg, log)
	a.guardedHTTP, err = netguard.NewClient(netguard.ClientConfig{
		Policy:   liveGuard{allowPrivate: func() bool { return a.Settings.Global(context.Background()).AllowPrivateNetworks }},
		Resolver: a.resolver, Dialer: a.dialer,
	})
	if err != nil {
		return err
	}
	a.SpotifyAccount = account.New(account.Deps{DB: db, Keys: a.Keys, Settings: a.Settings, Logger: log, HTTPClient: a.guardedHTTP})
	a.Users = users.New(db, a.userOpts...)
	a.Mail = mail.New(mail.Deps{Settings: a.Settings.Mail, Logger: log, RootCAs: a.mailRoots})
	a.Auth = auth.New(auth.Deps{Config: a.Cfg, DB: db, Users: a.Users, Keys: a.Keys, Metrics: a.Metrics, Logger: log,
		Timeouts: a.sessionTimeouts, Mail: a.Mail, LinkTTLs: a.linkTTLs})
	a.APIKeys = apikeys.New(db, log, a.Settings.KeyExpiry, a.keyOpts...)
	a.Logs = logs.NewService(db, logs.Config{RetentionDays: a.Settings.LogRetentionDays})
	// The event bus first: everything that publishes gets it at New.
	bus, err := a.newBus()
	if err != nil {
		return err
	}
	// The managed yt-dlp before the engine, whose runner starts jobs from
	// it, and before System, which reports on it.
	if a.Ytdlp, err = newYtdlp(a.Cfg, db, a.Settings, bus, log); err != nil {
		return err
	}
	a.YtdlpDispatch = managed.NewDispatcher(a.Jobs, a.Ytdlp)
	if err := a.buildEngine(bus); err != nil {
		return err
	}
	a.System = system.New(system.Deps{Config: a.Cfg, Store: a.Store, Queue: a.Jobs, Role: string(a.Role),
		Logger:      log.With("source", "system"),
		MinFreeDisk: func(ctx context.Context) int64 { return a.Settings.Global(ctx).MinFreeDiskBytes },
		RunningJobs: a.Engine.Downloads.Running, Ytdlp: a.Ytdlp, Proc: a.Procs, Solver: a.Engine.Runner})

	a.Subscriptions = subscriptions.New(subscriptions.Deps{DB: db, Queue: a.Jobs, Downloads: a.Engine.Downloads,
		Notifier: a.Webhooks, Bus: bus, Logger: log})

	workers := river.NewWorkers()
	river.AddWorker(workers, &downloads.Worker{S: a.Engine.Downloads})
	river.AddWorker(workers, &subscriptions.CheckWorker{S: a.Subscriptions})
	river.AddWorker(workers, &webhooks.DeliverWorker{S: a.Webhooks})
	river.AddWorker(workers, managed.NewNodeWorker(a.Ytdlp))
	periodic := queue.Register(workers, a.System.PruneNodesTask(), a.Auth.CleanupTask(), a.Engine.Downloads.RescueTask(),
		a.Engine.Files.RetentionTask(), a.Engine.Files.OrphanTask(), a.Logs.RetentionTask(), a.Webhooks.PruneTask(), a.Subscriptions.DueTask(),
		a.Engine.Downloads.RelayoutTask())
	a.Runner, err = queue.NewRunner(a.Jobs, workers, queue.Options{
		NodeName:             a.Cfg.NodeName,
		Queues:               a.nodeQueues(),
		Periodic:             periodic,
		RescueStuckJobsAfter: 6 * time.Hour,
		JobTimeout:           -1,
		Logger:               log,
	})
	if err != nil {
		return err
	}
	if a.Role == RoleServe {
		a.HTTP, err = httpapi.New(httpapi.Deps{
			Config:           a.Cfg,
			Logger:           a.Log,
			Metrics:          a.Metrics,
			System:           a.System,
			UI:               a.uiFiles(),
			Spec:             apispec.YAML,
			Auth:             a.Auth,
			APIKeys:          a.APIKeys,
			Downloads:        a.Engine.Downloads,
			Files:            a.Engine.Files,
			Hub:              a.Engine.Hub,
			Settings:         a.Settings,
			Logs:             a.Logs,
			Webhooks:         a.Webhooks,
			Subscriptions:    a.Subscriptions,
			SpotifyAccount:   a.SpotifyAccount,
			GuardedHTTP:      a.guardedHTTP,
			Ytdlp:            a.Ytdlp,
			YtdlpDispatch:    a.YtdlpDispatch,
			EnabledPlatforms: a.Settings.EnabledPlatforms,
			Authenticators: []httpapi.Authenticator{
				a.APIKeys, // a request with a key header is a program, even with cookies
				a.Auth,
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Run starts everything and blocks until ctx ends or a part fails, then
// shuts down in order: stop accepting HTTP and drain it, stop the queue
// (running jobs are cancelled and re-queued by the next start), close the
// database.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Cfg.Addr, err)
	}
	return a.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened (tests use port 0).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	defer a.Store.Close()
	defer a.runLogs()() // stops after the last words below, before the database closes
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := a.runEngine(runCtx); err != nil {
		_ = ln.Close()
		return fmt.Errorf("start download engine: %w", err)
	}
	if err := a.Runner.Start(runCtx); err != nil {
		_ = ln.Close()
		return fmt.Errorf("start job queue: %w", err)
	}
	a.goRun(func() { a.System.RunHeartbeat(runCtx) })
	a.goRun(func() { a.Ytdlp.Run(runCtx) })
	a.goRun(func() { a.APIKeys.Run(runCtx) })
	a.goRun(func() { a.Mail.Run(runCtx) })
	if a.Cfg.DebugAddr != "" {
		a.goRun(func() { a.serveDebug(runCtx) })
	}
	if a.Role == RoleServe {
		if err := a.Auth.AnnounceSetup(runCtx, dashboardURL(a.Cfg.BaseURL, ln.Addr())); err != nil {
			a.Log.Error("cannot prepare the setup token", "err", err)
		}
	}

	httpErr := make(chan error, 1)
	if a.HTTP != nil {
		go func() { httpErr <- a.HTTP.Run(runCtx, ln) }()
	} else {
		go func() { httpErr <- a.serveHealthOnly(runCtx, ln) }()
	}
	// The logger already names the node on every line.
	a.Log.Info("downlink started", "role", a.Role, "addr", ln.Addr().String(),
		"database", a.Store.Kind, "data_dir", a.Cfg.DataDir, "workers", a.Cfg.Workers)

	var runErr error
	select {
	case <-ctx.Done():
		a.Log.Info("shutting down")
		cancel()
		runErr = <-httpErr
	case runErr = <-httpErr:
		cancel()
	}
	stopCtx, stopCancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer stopCancel()
	if err := a.Runner.Stop(stopCtx); err != nil && !errors.Is(err, context.Canceled) {
		a.Log.Warn("job queue did not stop cleanly", "err", err)
	}
	a.wg.Wait()
	a.Log.Info("stopped")
	return runErr
}

func (a *App) goRun(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

// linkTTLs are the lifetimes of invitation and reset links the settings
// hold now.
func (a *App) linkTTLs(ctx context.Context) (invite, reset time.Duration) {
	acc := a.Settings.Accounts(ctx)
	return time.Duration(acc.InviteLinkHours) * time.Hour, time.Duration(acc.ResetLinkHours) * time.Hour
}

// sessionTimeouts are the session timeouts the settings hold now.
func (a *App) sessionTimeouts() auth.Timeouts {
	idle, abs := a.Settings.SessionTimeouts(context.Background())
	return auth.Timeouts{Idle: idle, Absolute: abs}
}

// dashboardURL is where a person opens the dashboard: DOWNLINK_BASE_URL when
// set, else the listener's address (a wildcard address as localhost).
func dashboardURL(baseURL string, addr net.Addr) string {
	if baseURL != "" {
		return baseURL
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
