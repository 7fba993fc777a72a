package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// engine is the download machinery of a node.
type engine struct {
	Bus       events.Bus
	Hub       *events.Hub
	Egress    *netguard.Proxy
	Runner    *ytdlp.Runner
	Files     *files.Service
	Downloads *downloads.Service
}

// buildEngine creates the event bus, the egress proxy, the yt-dlp runner,
// the library and the downloads service, and registers their workers.
func (a *App) buildEngine(workers *river.Workers) error {
	var err error
	e := &engine{}
	if a.Store.Pool != nil {
		e.Bus, err = events.NewPostgresBus(events.PostgresConfig{Pool: a.Store.Pool, NodeName: a.Cfg.NodeName,
			Logger: a.Log.With("source", "events")})
		if err != nil {
			return err
		}
	} else {
		e.Bus = events.NewInProcessBus()
	}
	e.Hub = events.NewHub(e.Bus, events.HubOptions{Logger: a.Log.With("source", "events")})
	e.Egress, err = netguard.NewProxy(netguard.ProxyConfig{
		Policy: liveGuard{allowPrivate: func() bool { return a.Settings.Global(context.Background()).AllowPrivateNetworks }},
		Logger: a.Log.With("source", "egress"),
		// nil unless a test set WithNetwork: then the system's.
		Resolver: a.resolver,
		Dialer:   a.dialer,
	})
	if err != nil {
		return err
	}
	e.Runner = ytdlp.New(ytdlp.Config{Path: a.Cfg.YtdlpPath, FFmpegPath: a.Cfg.FfmpegPath, Logger: a.Log.With("source", "ytdlp")})
	e.Files, err = a.newLibrary()
	if err != nil {
		return err
	}
	e.Files.Retention = func(ctx context.Context) *time.Duration {
		days := a.Settings.RetentionDays(ctx)
		if days == nil {
			return nil
		}
		d := time.Duration(*days) * 24 * time.Hour
		return &d
	}
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
		DB: a.Store.DB, Bus: e.Bus, Runner: e.Runner, Egress: e.Egress, Files: e.Files,
		Policy:   settings.Policy{S: a.Settings},
		Resolver: a.netResolver(), DiskFree: a.diskFree, Metrics: a.Metrics, Logger: a.Log,
	})
	e.Downloads.KeyQuota = a.APIKeys
	e.Downloads.StorageQuota = e.Files
	e.Downloads.Platforms[downloads.QueueSpotify] = handlers.NewSpotify(handlers.SpotifyConfig{
		Settings: a.Settings, Policy: settings.Policy{S: a.Settings}, Egress: e.Egress,
		SearchBaseURL: a.Cfg.SearchBaseURL, YtdlpPath: a.Cfg.YtdlpPath, FFmpegPath: a.Cfg.FfmpegPath,
		Logger: a.Log,
	})
	e.Downloads.Platforms[downloads.QueueYouTube] = &handlers.YouTube{Lister: e.Downloads}
	e.Downloads.Platforms[downloads.QueueInstagram] = handlers.Instagram{}
	e.Files.Quotas = a.storageQuota
	e.Files.Disk = func() (int64, int64, error) {
		d, err := a.System.DiskInfo()
		return d.FreeBytes, d.TotalBytes, err
	}
	e.Files.OnRetention = func(n int) { a.Metrics.RetentionDeleted.Add(float64(n)) }
	e.Files.OnOrphans = func(n int) { a.Metrics.OrphansFound.Set(float64(n)) }
	e.Files.OnDelete = func(ctx context.Context, f files.File) {
		data, _ := json.Marshal(map[string]any{"id": f.ID, "download_id": f.DownloadID})
		_ = e.Bus.Publish(context.WithoutCancel(ctx), events.Event{Type: events.TypeFileDeleted, UserID: f.UserID.String(), Data: data})
	}
	river.AddWorker(workers, &files.RetentionWorker{S: e.Files})
	river.AddWorker(workers, &files.OrphanWorker{S: e.Files})
	river.AddWorker(workers, &downloads.Worker{S: e.Downloads})
	river.AddWorker(workers, &downloads.RescueWorker{S: e.Downloads})
	a.Engine = e
	return nil
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
	for _, q := range downloads.Queues {
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

func (a *App) diskFree() (int64, error) {
	d, err := a.System.DiskInfo()
	return d.FreeBytes, err
}

// runEngine starts the egress proxy and, on nodes that download, recovers
// what the last run left.
func (a *App) runEngine(ctx context.Context) error {
	e := a.Engine
	a.goRun(func() {
		if err := e.Egress.Run(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("egress proxy stopped", "err", err)
		}
	})
	if len(a.downloadQueues()) > 0 {
		if err := e.Downloads.Recover(ctx); err != nil {
			return err
		}
	}
	return nil
}
