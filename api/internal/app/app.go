// Package app assembles Downlink: it opens the database, builds every
// service with its dependencies and runs them together (HTTP, job queue,
// heartbeats) until asked to stop. It is the one place where wiring
// happens; cmd/downlink only parses the command line.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/apispec"
	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/httpapi"
	"github.com/downlink/downlink/api/internal/logs"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/system"
	"github.com/downlink/downlink/api/internal/users"
	"github.com/downlink/downlink/api/internal/webhooks"
	"github.com/downlink/downlink/frontend"
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
	Cfg      *config.Config
	Log      *slog.Logger
	Role     Role
	Store    *store.Store
	Keys     *secrets.Keys
	Metrics  *metrics.Registry
	Queue    *queue.Queue
	System   *system.Service
	HTTP     *httpapi.Server
	Users    *users.Service
	Auth     *auth.Service
	APIKeys  *apikeys.Service
	Settings *settings.Service
	Engine   *engine
	Logs     *logs.Service
	Webhooks *webhooks.Service

	// background goroutines owned by Run
	wg sync.WaitGroup
	// logSink stores the process logger's records (attachLogs)
	logSink logSink

	// network seams (WithNetwork); nil: the system's
	resolver netguard.Resolver
	dialer   netguard.ContextDialer
}

// New builds the app: data dir, secret key, database (migrated), services.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, role Role, opts ...Option) (*App, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	keys, err := secrets.Load(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	db, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, db, log)
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

// build creates the services on an open, migrated store.
func (a *App) build() error {
	workers := river.NewWorkers()
	pruneNodes := &system.PruneNodesWorker{}
	river.AddWorker(workers, pruneNodes)
	a.Settings = settings.New(a.Store.DB, a.Keys, a.Cfg, a.Log)
	a.Users = users.New(a.Store.DB)
	a.Auth = auth.New(a.Cfg, a.Store.DB, a.Users, a.Keys, a.Metrics, a.Log)
	a.Auth.Timeouts = func() auth.Timeouts {
		idle, abs := a.Settings.SessionTimeouts(context.Background())
		return auth.Timeouts{Idle: idle, Absolute: abs}
	}
	river.AddWorker(workers, &auth.CleanupWorker{Auth: a.Auth})
	a.buildLogs(workers)
	a.APIKeys = apikeys.New(a.Store.DB, a.Log)
	a.APIKeys.Expiry = a.Settings.KeyExpiry
	// System first: the engine measures free disk through it; the engine
	// before the queue, whose client needs every worker registered.
	a.System = system.New(a.Cfg, a.Store, nil, string(a.Role), a.Log.With("source", "system"))
	a.System.MinFreeDisk = func() int64 { return a.Settings.Global(context.Background()).MinFreeDiskBytes }
	pruneNodes.Service = a.System
	if err := a.buildEngine(workers); err != nil {
		return err
	}
	a.buildWebhooks(workers)
	q, err := queue.New(a.Store, workers, queue.Options{
		NodeName: a.Cfg.NodeName,
		Queues:   a.nodeQueues(),
		Periodic: []*river.PeriodicJob{system.PeriodicPruneNodes(), auth.PeriodicCleanup(), downloads.PeriodicRescue(),
			files.PeriodicRetention(), files.PeriodicOrphans(), logs.PeriodicRetention(),
			webhooks.PeriodicPrune()},
		RescueStuckJobsAfter: 6 * time.Hour,
		JobTimeout:           -1,
		Logger:               a.Log,
	})
	if err != nil {
		return err
	}
	a.Queue = q
	a.System.SetQueue(q)
	a.Engine.Downloads.SetQueue(q)
	a.Webhooks.SetQueue(q)
	a.System.RunningJobs = a.Engine.Downloads.Running
	if a.Role == RoleServe {
		a.HTTP, err = httpapi.New(httpapi.Deps{
			Config:           a.Cfg,
			Logger:           a.Log,
			Metrics:          a.Metrics,
			System:           a.System,
			UI:               frontend.Dist(),
			Spec:             apispec.YAML,
			Auth:             a.Auth,
			APIKeys:          a.APIKeys,
			Downloads:        a.Engine.Downloads,
			Files:            a.Engine.Files,
			Hub:              a.Engine.Hub,
			Settings:         a.Settings,
			Logs:             a.Logs,
			Webhooks:         a.Webhooks,
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
	if err := a.Queue.Start(runCtx); err != nil {
		_ = ln.Close()
		return fmt.Errorf("start job queue: %w", err)
	}
	a.goRun(func() { a.System.RunHeartbeat(runCtx) })
	a.goRun(func() { a.APIKeys.Run(runCtx) })
	if a.Cfg.DebugAddr != "" {
		a.goRun(func() { a.serveDebug(runCtx) })
	}
	if a.Role == RoleServe {
		if err := a.Auth.AnnounceSetup(runCtx); err != nil {
			a.Log.Error("cannot prepare the setup token", "err", err)
		}
	}

	httpErr := make(chan error, 1)
	if a.HTTP != nil {
		go func() { httpErr <- a.HTTP.Run(runCtx, ln) }()
	} else {
		go func() { httpErr <- a.serveHealthOnly(runCtx, ln) }()
	}
	a.Log.Info("downlink started", "role", a.Role, "node", a.Cfg.NodeName, "addr", ln.Addr().String(),
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
	if err := a.Queue.Stop(stopCtx); err != nil && !errors.Is(err, context.Canceled) {
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
