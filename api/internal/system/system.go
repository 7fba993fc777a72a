// Package system reports on the running node: versions of Downlink, yt-dlp
// and ffmpeg, free disk, queue depth, the nodes of the cluster, and whether
// this node is ready to take work.
package system

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"syscall"
	"time"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/buildinfo"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/ytdlp"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// YtdlpSource says which yt-dlp this node runs and what about it
// deserves a warning (the managed yt-dlp service).
type YtdlpSource interface {
	Active(ctx context.Context) managed.Active
	// Warnings do not make the node unready: an old yt-dlp, nodes that run
	// different versions.
	Warnings(ctx context.Context) []string
}

// SolverSource reports YouTube's JavaScript challenge solver without
// waiting (ytdlp.Runner.SolverNow).
type SolverSource interface {
	SolverNow() ytdlp.SolverState
}

// QueueDepth reports jobs waiting and running per queue.
type QueueDepth interface {
	Depth(ctx context.Context) (map[string]queue.QueueDepth, error)
}

// Deps are the service's collaborators. Config, Store and Logger are
// required.
type Deps struct {
	Config *config.Config
	Store  *store.Store
	// Queue reports the job queue's depth (nil: shown empty).
	Queue QueueDepth
	// Role is "serve" or "worker".
	Role   string
	Logger *slog.Logger
	// MinFreeDisk returns the current free-disk threshold (settings can
	// change it at runtime); nil: the configured value.
	MinFreeDisk func(context.Context) int64
	// RunningJobs counts downloads this node runs now, for the heartbeat
	// (nil: none).
	RunningJobs func() int
	// Ytdlp says which yt-dlp this node runs (the managed yt-dlp service,
	// which falls back to the configured or system one). Required.
	Ytdlp YtdlpSource
	// Proc runs ffmpeg's version check (nil: proc's defaults).
	Proc *proc.Runner
	// Solver reports YouTube's challenge solver (nil: not reported).
	Solver SolverSource
}

// Service answers readiness and system questions for one node.
type Service struct {
	cfg         *config.Config
	st          *store.Store
	queue       QueueDepth
	log         *slog.Logger
	role        string
	ytdlp       YtdlpSource
	solver      SolverSource
	ffmpeg      *toolProbe
	minFreeDisk func(context.Context) int64
	runningJobs func() int
	started     time.Time
}

// New creates the service.
func New(d Deps) *Service {
	cfg := d.Config
	ffmpeg := cfg.FfmpegPath
	if ffmpeg == "" {
		ffmpeg = "ffmpeg"
	}
	if d.MinFreeDisk == nil {
		d.MinFreeDisk = func(context.Context) int64 { return int64(cfg.MinFreeDisk) }
	}
	if d.RunningJobs == nil {
		d.RunningJobs = func() int { return 0 }
	}
	if d.Proc == nil {
		d.Proc = proc.New(proc.Config{Logger: d.Logger})
	}
	return &Service{
		cfg: cfg, st: d.Store, queue: d.Queue, log: d.Logger, role: d.Role, ytdlp: d.Ytdlp, solver: d.Solver,
		ffmpeg:      &toolProbe{name: ffmpeg, args: []string{"-hide_banner", "-version"}, parse: ffmpegVersion, ttl: time.Minute, runner: d.Proc},
		minFreeDisk: d.MinFreeDisk,
		runningJobs: d.RunningJobs,
		started:     time.Now().UTC(),
	}
}

// Ytdlp describes the yt-dlp this node runs.
type Ytdlp struct {
	Tool
	// Source is where it comes from: managed (installed by Downlink),
	// system (found in PATH) or path (DOWNLINK_YTDLP_PATH).
	Source      managed.Source `json:"source"`
	Outdated    bool           `json:"outdated"`
	TooOld      bool           `json:"too_old"`
	MinVersion  string         `json:"min_version"`
	SafeVersion string         `json:"safe_version"`
}

// YtdlpInfo returns the path and version of the yt-dlp new jobs start
// from.
func (s *Service) YtdlpInfo(ctx context.Context) Ytdlp {
	a := s.ytdlp.Active(ctx)
	t := Tool{Found: a.Found, Path: a.Path, Version: a.Version, Error: a.Error}
	y := Ytdlp{Tool: t, Source: a.Source, MinVersion: ytdlp.MinVersion, SafeVersion: ytdlp.SafeVersion}
	if t.Found {
		y.TooOld = !ytdlp.IsSupported(t.Version)
		y.Outdated = ytdlp.IsOutdated(t.Version)
	}
	return y
}

// FfmpegInfo returns ffmpeg's path and version.
func (s *Service) FfmpegInfo(ctx context.Context) Tool { return s.ffmpeg.get(ctx) }

// Disk is the free space where the library lives.
type Disk struct {
	FreeBytes    int64 `json:"free_bytes"`
	TotalBytes   int64 `json:"total_bytes"`
	MinFreeBytes int64 `json:"min_free_bytes"`
	// ThresholdBytes repeats MinFreeBytes under the name /readyz documents.
	ThresholdBytes int64 `json:"threshold_bytes"`
	BelowMinimum   bool  `json:"below_minimum"`
	CheckFailures  int   `json:"-"`
}

// DiskInfo measures the data folder's file system.
func (s *Service) DiskInfo(ctx context.Context) (Disk, error) {
	free, total, err := DiskSpace(s.cfg.DataDir)
	if err != nil {
		return Disk{}, err
	}
	d := Disk{FreeBytes: free, TotalBytes: total, MinFreeBytes: s.minFreeDisk(ctx)}
	d.ThresholdBytes = d.MinFreeBytes
	d.BelowMinimum = d.FreeBytes < d.MinFreeBytes
	return d, nil
}

// Node is one process of the cluster as its heartbeat last said.
type Node struct {
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Version     string    `json:"version"`
	RunningJobs int       `json:"running_jobs"`
	StartedAt   time.Time `json:"started_at"`
	LastSeenAt  time.Time `json:"last_seen_at"`
	Alive       bool      `json:"alive"`
}

// nodeRow is the nodes table.
type nodeRow struct {
	Name        string `gorm:"primaryKey"`
	Role        string
	Version     string
	RunningJobs int
	StartedAt   time.Time
	LastSeenAt  time.Time
}

func (nodeRow) TableName() string { return "nodes" }

// HeartbeatInterval is how often a node refreshes its row.
const HeartbeatInterval = 15 * time.Second

// NodeDeadAfter is how long without a heartbeat makes a node dead.
const NodeDeadAfter = 2 * time.Minute

// Heartbeat records this node as alive now.
func (s *Service) Heartbeat(ctx context.Context) error {
	now := time.Now().UTC()
	row := nodeRow{
		Name: s.cfg.NodeName, Role: s.role, Version: buildinfo.Get().Version,
		RunningJobs: s.runningJobs(), StartedAt: s.started, LastSeenAt: now,
	}
	return s.st.DB.WithContext(ctx).Save(&row).Error
}

// RunHeartbeat refreshes this node's row until ctx ends.
func (s *Service) RunHeartbeat(ctx context.Context) {
	t := time.NewTicker(HeartbeatInterval)
	defer t.Stop()
	for {
		if err := s.Heartbeat(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("node heartbeat failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Nodes lists the nodes seen in the last day, alive ones first.
func (s *Service) Nodes(ctx context.Context) ([]Node, error) { return ListNodes(ctx, s.st.DB) }

// ListNodes is Nodes for those who need the node registry before the
// service exists (the managed yt-dlp, which the service reports on).
func ListNodes(ctx context.Context, db *gorm.DB) ([]Node, error) {
	var rows []nodeRow
	err := db.WithContext(ctx).Where("last_seen_at > ?", time.Now().UTC().Add(-24*time.Hour)).
		Order("name").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Node, 0, len(rows))
	for _, r := range rows {
		out = append(out, Node{
			Name: r.Name, Role: r.Role, Version: r.Version, RunningJobs: r.RunningJobs,
			StartedAt: r.StartedAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(),
			Alive: time.Since(r.LastSeenAt) < NodeDeadAfter,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Alive && !out[j].Alive })
	return out, nil
}

// Role is this node's role.
func (s *Service) Role() string { return s.role }

// DiskSpace measures the file system holding dir: bytes free to an
// unprivileged writer, and its size.
func DiskSpace(dir string) (free, total int64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), int64(st.Blocks) * int64(st.Bsize), nil
}
