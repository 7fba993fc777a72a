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

	"github.com/downlink/downlink/api/internal/buildinfo"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/store"
)

// yt-dlp versions that matter: below MinYtdlp progress reporting does not
// work (--progress-delta); below SafeYtdlp known security holes are open.
const (
	MinYtdlp  = "2024.05.26"
	SafeYtdlp = "2026.07.04"
)

// QueueDepth reports jobs waiting and running per queue.
type QueueDepth interface {
	Depth(ctx context.Context) (map[string]queue.QueueDepth, error)
}

// Service answers readiness and system questions for one node.
type Service struct {
	cfg    *config.Config
	st     *store.Store
	queue  QueueDepth
	log    *slog.Logger
	role   string
	ytdlp  *toolProbe
	ffmpeg *toolProbe
	// MinFreeDisk returns the current free-disk threshold (settings can
	// change it at runtime); defaults to the configured value.
	MinFreeDisk func() int64
	// RunningJobs counts downloads this node runs now (for the heartbeat).
	RunningJobs func() int
	started     time.Time
}

// New creates the service. role is "serve" or "worker".
func New(cfg *config.Config, st *store.Store, q QueueDepth, role string, log *slog.Logger) *Service {
	ytdlp, ffmpeg := cfg.YtdlpPath, cfg.FfmpegPath
	if ytdlp == "" {
		ytdlp = "yt-dlp"
	}
	if ffmpeg == "" {
		ffmpeg = "ffmpeg"
	}
	return &Service{
		cfg: cfg, st: st, queue: q, log: log, role: role,
		ytdlp:       &toolProbe{name: ytdlp, args: []string{"--ignore-config", "--version"}, parse: firstLine, ttl: time.Minute},
		ffmpeg:      &toolProbe{name: ffmpeg, args: []string{"-hide_banner", "-version"}, parse: ffmpegVersion, ttl: time.Minute},
		MinFreeDisk: func() int64 { return int64(cfg.MinFreeDisk) },
		RunningJobs: func() int { return 0 },
		started:     time.Now().UTC(),
	}
}

// SetQueue gives the service the job queue to report on.
func (s *Service) SetQueue(q QueueDepth) { s.queue = q }

// Ytdlp describes the yt-dlp this node runs.
type Ytdlp struct {
	Tool
	Outdated    bool   `json:"outdated"`
	TooOld      bool   `json:"too_old"`
	MinVersion  string `json:"min_version"`
	SafeVersion string `json:"safe_version"`
}

// YtdlpInfo returns yt-dlp's path and version (cached for a minute).
func (s *Service) YtdlpInfo(ctx context.Context) Ytdlp {
	t := s.ytdlp.get(ctx)
	y := Ytdlp{Tool: t, MinVersion: MinYtdlp, SafeVersion: SafeYtdlp}
	if t.Found {
		y.TooOld = !VersionAtLeast(t.Version, MinYtdlp)
		y.Outdated = !VersionAtLeast(t.Version, SafeYtdlp)
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
func (s *Service) DiskInfo() (Disk, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(s.cfg.DataDir, &st); err != nil {
		return Disk{}, fmt.Errorf("statfs %s: %w", s.cfg.DataDir, err)
	}
	d := Disk{
		FreeBytes:    int64(st.Bavail) * int64(st.Bsize),
		TotalBytes:   int64(st.Blocks) * int64(st.Bsize),
		MinFreeBytes: s.MinFreeDisk(),
	}
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
		RunningJobs: s.RunningJobs(), StartedAt: s.started, LastSeenAt: now,
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
func (s *Service) Nodes(ctx context.Context) ([]Node, error) {
	var rows []nodeRow
	err := s.st.DB.WithContext(ctx).Where("last_seen_at > ?", time.Now().UTC().Add(-24*time.Hour)).
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
