package app

import (
	"context"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/frames"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/system"
	"github.com/downlink/downlink/api/internal/ytdlp"
	"github.com/downlink/downlink/api/internal/ytdlp/warm"
)

// engine is the download machinery of a node.
type engine struct {
	Bus       events.Bus
	Hub       *events.Hub
	Egress    *netguard.Proxy
	Runner    *ytdlp.Runner
	Warm      *warm.Pool // nil: yt-dlp always starts by plain exec
	Files     *files.Service
	Downloads *downloads.Service
}

// newBus is the event bus: Postgres LISTEN/NOTIFY across nodes, else in
// process.
func (a *App) newBus() (events.Bus, error) {
	if a.Store.Pool != nil {
		return events.NewPostgresBus(events.PostgresConfig{Pool: a.Store.Pool, NodeName: a.Cfg.NodeName,
			Logger: a.Log.With("source", "events")})
	}
	return events.NewInProcessBus(), nil
}

// buildEngine creates, on bus, the egress proxy, the yt-dlp runner, the
// library, the webhooks and the downloads service with its platform
// handlers.
func (a *App) buildEngine(bus events.Bus) error {
	var err error
	e := &engine{Bus: bus}
	e.Hub = events.NewHub(e.Bus, events.HubOptions{Logger: a.Log.With("source", "events"), RecheckInterval: a.Cfg.EventStreamRecheck})
	e.Egress, err = netguard.NewProxy(netguard.ProxyConfig{
		Policy: liveGuard{allowPrivate: func() bool { return a.Settings.Global(context.Background()).AllowPrivateNetworks },
			exception: a.potProviderURL},
		Logger: a.Log.With("source", "egress"),
		// nil unless a test set WithNetwork: then the system's.
		Resolver: a.resolver,
		Dialer:   a.dialer,
	})
	if err != nil {
		return err
	}
	// YouTube's challenge solver runs on the runtime every command names.
	js, err := ytdlp.ResolveJSRuntime(a.Cfg.JSRuntime, a.Cfg.DenoHome)
	if err != nil {
		return err
	}
	a.Log.Info("yt-dlp JavaScript runtime", "runtime", js.String(), "deno_dir", js.CacheDir)
	// New jobs start from the managed yt-dlp when one is active.
	ycfg := ytdlp.Config{Path: a.Cfg.YtdlpPath, Executable: a.Ytdlp.Installer(), FFmpegPath: a.Cfg.FfmpegPath,
		JSRuntime: js, Logger: a.Log.With("source", "ytdlp"), Proc: a.Procs}
	switch {
	case !a.Cfg.YtdlpWarm:
	case a.sharedWarm:
		ycfg.Warm = ytdlp.SharedWarm(ycfg) // the process's, not this node's to stop
	default:
		// A Python yt-dlp starts forked from a warm interpreter.
		ycfg.Warm = ytdlp.NewWarm(ycfg, a.Procs)
		e.Warm = ycfg.Warm
	}
	e.Runner = ytdlp.New(ycfg)
	backend, err := a.newBackend()
	if err != nil {
		return err
	}
	e.Files = files.New(files.Deps{DB: a.Store.DB, Backend: backend, Logger: a.Log, Retention: a.retention,
		Quotas: a.storageQuota, Disk: a.diskSpace, Bus: e.Bus, Metrics: a.Metrics})
	a.Webhooks = a.newWebhooks()
	pol := policy{s: a.Settings, pluginDir: a.Cfg.YtdlpPluginDir}
	e.Downloads = downloads.New(downloads.Config{
		NodeName: a.Cfg.NodeName,
		TempRoot: filepath.Join(a.Cfg.TempDir(), a.Cfg.NodeName),
		Workers:  a.nodeWorkers,
		// Another node takes a download over after HeartbeatTimeout
		// without a beat (see RescueStalled).
		HeartbeatInterval: a.Cfg.HeartbeatInterval(),
		HeartbeatTimeout:  a.Cfg.HeartbeatTimeout,
		ClusterCaps:       a.Cfg.ClusterCaps,
	}, downloads.Deps{
		DB: a.Store.DB, Queue: a.Jobs, Bus: e.Bus, Runner: e.Runner, Egress: e.Egress, Files: e.Files,
		Policy: pol, Resolver: a.netResolver(), DiskFree: a.diskFree, Metrics: a.Metrics, Logger: a.Log,
		KeyQuota: a.APIKeys, StorageQuota: e.Files, Notifier: a.Webhooks, Layout: a.Settings.Layout,
		RelayoutHook: a.relayoutHook,
		Stiller:      frames.New(frames.Config{FFmpegPath: a.Cfg.FfmpegPath, Proc: a.Procs}),
		Handlers: handlers.ByPlatform(handlers.Config{
			Spotify: handlers.SpotifyConfig{
				Settings: a.Settings, Account: a.SpotifyAccount, Policy: pol, Egress: e.Egress, WebAPI: a.guardedHTTP,
				SearchBaseURL: a.Cfg.SearchBaseURL, YtdlpPath: a.Cfg.YtdlpPath, FFmpegPath: a.Cfg.FfmpegPath,
				Proc: a.Procs, Logger: a.Log,
			},
			Instagram: handlers.InstagramConfig{Settings: a.Settings, Egress: e.Egress, Policy: pol, Logger: a.Log},
			Generic:   handlers.GenericConfig{Egress: e.Egress, Policy: pol},
		}),
	})
	a.Engine = e
	return nil
}

// potProviderURL is the YouTube settings' PO-token provider base URL ("":
// none), the egress guard's one exception.
func (a *App) potProviderURL() string {
	e, err := a.Settings.Effective(context.Background(), string(platforms.YouTube))
	if err != nil || e.YouTube == nil {
		return ""
	}
	return e.YouTube.POTokenProviderURL
}

// maxQueueWorkers bounds River's per-queue workers on a node whose
// concurrency comes from the settings (which may change at runtime).
const maxQueueWorkers = 32

// downloadQueues is how many jobs of each platform queue this node works:
// up to the node-wide cap for each (the downloads service enforces the cap
// across queues and each platform's own limit). A node started with
// DOWNLINK_WORKERS=0 works no download queue at all.
func (a *App) downloadQueues() map[string]int {
	qs := map[string]int{}
	n := maxQueueWorkers
	if a.Cfg.WorkersSet {
		n = a.Cfg.Workers
	}
	if n == 0 || a.Role == RoleServe && a.Cfg.WorkersSet && a.Cfg.Workers == 0 {
		return qs
	}
	for _, q := range platforms.Names() {
		qs[q] = n
	}
	return qs
}

// nodeWorkers is this node's download cap now: DOWNLINK_WORKERS when set,
// else the default_concurrency setting.
func (a *App) nodeWorkers() int {
	if a.Cfg.WorkersSet {
		return a.Cfg.Workers
	}
	return a.Settings.Global(context.Background()).DefaultConcurrency
}

// storageQuota is a user's own quota, else the default from the settings.
func (a *App) storageQuota(ctx context.Context, userID uuid.UUID) *int64 {
	if u, err := a.Users.Get(ctx, userID); err == nil && u.StorageQuotaBytes != nil {
		return u.StorageQuotaBytes
	}
	return a.Settings.Global(ctx).DefaultStorageQuotaBytes
}

// diskFree is the free space of the data folder, where downloads are
// written.
func (a *App) diskFree() (int64, error) {
	free, _, err := system.DiskSpace(a.Cfg.DataDir)
	return free, err
}

// diskSpace is the data folder's free and total space, shown beside the
// library's use.
func (a *App) diskSpace() (free, total int64, err error) { return system.DiskSpace(a.Cfg.DataDir) }

// retention is how long unpinned files live, from the settings (nil:
// forever).
func (a *App) retention(ctx context.Context) *time.Duration {
	days := a.Settings.RetentionDays(ctx)
	if days == nil {
		return nil
	}
	d := time.Duration(*days) * 24 * time.Hour
	return &d
}

// runEngine starts the egress proxy and, on nodes that download, recovers
// what the last run left and sweeps temp folders from then on.
func (a *App) runEngine(ctx context.Context) error {
	e := a.Engine
	if e.Warm != nil {
		// Its servers stop after the jobs they started (a.wg.Wait follows
		// the queue's Stop).
		a.goRun(func() { e.Warm.Run(ctx) })
	}
	a.goRun(func() {
		if err := e.Egress.Run(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("egress proxy stopped", "err", err)
		}
	})
	if len(a.downloadQueues()) > 0 {
		if err := e.Downloads.Recover(ctx); err != nil {
			return err
		}
		a.goRun(func() { e.Downloads.RunTempSweep(ctx, tempSweepEvery) })
	}
	return nil
}

// tempSweepEvery is how often a downloading node removes the job folders
// of downloads that finished without their run cleaning up (canceled
// while re-queued, or on another node).
const tempSweepEvery = 5 * time.Minute
