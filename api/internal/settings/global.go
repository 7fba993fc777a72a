// Package settings keeps what an admin can change at runtime: the global
// settings and one set per platform (enabled, defaults, concurrency, rate
// limit, proxy, cookies, platform options). Changes are validated, audited
// and applied without a restart: readers get them through accessors with a
// short cache, so every node sees a change within seconds.
package settings

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/secrets"
)

// Global is the installation-wide settings document.
type Global struct {
	DefaultConcurrency            int    `json:"default_concurrency"`
	MinFreeDiskBytes              int64  `json:"min_free_disk_bytes"`
	DefaultStorageQuotaBytes      *int64 `json:"default_storage_quota_bytes"`
	RetentionDays                 *int   `json:"retention_days"`
	GenericSitesEnabled           bool   `json:"generic_sites_enabled"`
	AllowPrivateNetworks          bool   `json:"allow_private_networks"`
	LogRetentionDays              int    `json:"log_retention_days"`
	SessionIdleTimeoutSeconds     int    `json:"session_idle_timeout_seconds"`
	SessionAbsoluteTimeoutSeconds int    `json:"session_absolute_timeout_seconds"`
	APIKeyDefaultExpiryDays       *int   `json:"api_key_default_expiry_days"`
	APIKeyMaxExpiryDays           *int   `json:"api_key_max_expiry_days"`
	// Limits bound what one download and one user may hold (issue 17).
	// Optional in a PUT: absent keeps the current limits.
	Limits *Limits `json:"limits,omitempty"`
	// Library is how downloads are filed (default, or the media-server
	// layout). Optional in a PUT: absent keeps the current layout.
	Library *Library `json:"library,omitempty"`
}

// Library is the library layout setting (files.Layout).
type Library struct {
	Layout        string `json:"layout"`
	VideoTemplate string `json:"video_template"`
	MusicTemplate string `json:"music_template"`
}

func (l Library) validate(bad func(f, m string)) {
	if l.Layout != files.LayoutDefault && l.Layout != files.LayoutMediaServer {
		bad("library.layout", "must be one of default media_server")
	}
	for f, t := range map[string]string{"library.video_template": l.VideoTemplate, "library.music_template": l.MusicTemplate} {
		if t == "" {
			continue
		}
		if err := files.ValidateTemplate(t); err != nil {
			bad(f, strings.TrimPrefix(err.Error(), files.ErrTemplate.Error()+": "))
		}
	}
}

// Limits bound the node's resources per download and per user. A zero
// number means no limit.
type Limits struct {
	// MaxDownloadSeconds stops a download running longer (a live or
	// trickling stream); platforms may override it.
	MaxDownloadSeconds int `json:"max_download_seconds"`
	// MaxDownloadBytes stops a download whose temporary files grow past
	// it; platforms may override it.
	MaxDownloadBytes int64 `json:"max_download_bytes"`
	// LiveStreamsAllowed lets live streams be downloaded (they are refused
	// with the reason "live" otherwise).
	LiveStreamsAllowed bool `json:"live_streams_allowed"`
	// MaxRunningDownloadsPerUser is how many of one user's downloads run
	// at once across the cluster (the rest wait queued).
	MaxRunningDownloadsPerUser int `json:"max_running_downloads_per_user"`
	// MaxProbesPerUser is how many probes one user may have running at
	// once on a node (more get 429).
	MaxProbesPerUser int `json:"max_probes_per_user"`
	// MaxConcurrentProbes is the node's probe pool (more get 429).
	MaxConcurrentProbes int `json:"max_concurrent_probes"`
}

// DefaultLimits are the limits before an admin changes them.
func DefaultLimits() Limits {
	return Limits{MaxDownloadSeconds: 6 * 3600, MaxDownloadBytes: 20 << 30, MaxRunningDownloadsPerUser: 4,
		MaxProbesPerUser: 2, MaxConcurrentProbes: 4}
}

func (l Limits) validate(bad func(f, m string)) {
	if l.MaxDownloadSeconds < 0 || l.MaxDownloadSeconds > 30*86400 {
		bad("limits.max_download_seconds", "must be 0 (no limit) to 2592000")
	}
	if l.MaxDownloadBytes < 0 {
		bad("limits.max_download_bytes", "must be 0 (no limit) or more")
	}
	if l.MaxRunningDownloadsPerUser < 0 || l.MaxRunningDownloadsPerUser > 1000 {
		bad("limits.max_running_downloads_per_user", "must be 0 (no limit) to 1000")
	}
	if l.MaxProbesPerUser < 1 || l.MaxProbesPerUser > 64 {
		bad("limits.max_probes_per_user", "must be 1 to 64")
	}
	if l.MaxConcurrentProbes < 1 || l.MaxConcurrentProbes > 64 {
		bad("limits.max_concurrent_probes", "must be 1 to 64")
	}
}

// Validate checks g and returns a 422 naming every bad field.
func (g Global) Validate() error {
	p := problem.ErrValidation
	bad := func(f, m string) { p = p.WithField(f, m) }
	if g.DefaultConcurrency < 0 || g.DefaultConcurrency > 64 {
		bad("default_concurrency", "must be 0 to 64")
	}
	if g.MinFreeDiskBytes < 0 {
		bad("min_free_disk_bytes", "must be 0 or more")
	}
	if q := g.DefaultStorageQuotaBytes; q != nil && *q < 0 {
		bad("default_storage_quota_bytes", "must be 0 or more, or null")
	}
	if d := g.RetentionDays; d != nil && (*d < 1 || *d > 36500) {
		bad("retention_days", "must be 1 to 36500, or null to keep files forever")
	}
	if g.LogRetentionDays < 1 || g.LogRetentionDays > 3650 {
		bad("log_retention_days", "must be 1 to 3650")
	}
	if g.SessionIdleTimeoutSeconds < 300 || g.SessionIdleTimeoutSeconds > 31536000 {
		bad("session_idle_timeout_seconds", "must be 300 to 31536000")
	}
	if g.SessionAbsoluteTimeoutSeconds < 300 || g.SessionAbsoluteTimeoutSeconds > 31536000 {
		bad("session_absolute_timeout_seconds", "must be 300 to 31536000")
	}
	if g.SessionIdleTimeoutSeconds > g.SessionAbsoluteTimeoutSeconds {
		bad("session_idle_timeout_seconds", "must not be longer than the absolute timeout")
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"api_key_default_expiry_days", g.APIKeyDefaultExpiryDays}, {"api_key_max_expiry_days", g.APIKeyMaxExpiryDays}} {
		if f.v != nil && (*f.v < 1 || *f.v > 3650) {
			bad(f.name, "must be 1 to 3650, or null")
		}
	}
	if g.APIKeyDefaultExpiryDays != nil && g.APIKeyMaxExpiryDays != nil && *g.APIKeyDefaultExpiryDays > *g.APIKeyMaxExpiryDays {
		bad("api_key_default_expiry_days", "must not exceed api_key_max_expiry_days")
	}
	if g.Limits != nil {
		g.Limits.validate(bad)
	}
	if g.Library != nil {
		g.Library.validate(bad)
	}
	if len(p.Errors) > 0 {
		return p
	}
	return nil
}

// settingRow is the settings table.
type settingRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
	UpdatedBy *uuid.UUID `gorm:"type:uuid"`
}

func (settingRow) TableName() string { return "settings" }

const globalKey = "global"

// cacheTTL is how stale a node's view may be after another node's change.
const cacheTTL = 2 * time.Second

// Service reads and writes settings.
type Service struct {
	db    *gorm.DB
	keys  *secrets.Keys
	cfg   *config.Config
	log   *slog.Logger
	audit *slog.Logger

	mu       sync.Mutex
	loadedAt time.Time
	rows     map[string]settingRow
}

// New returns the service.
func New(db *gorm.DB, keys *secrets.Keys, cfg *config.Config, log *slog.Logger) *Service {
	return &Service{db: db, keys: keys, cfg: cfg, log: log.With("source", "settings"),
		audit: log.With("source", "audit", "audit", true)}
}

// defaults are the first-start global settings, from configuration.
func (s *Service) defaults() Global {
	l := DefaultLimits()
	return Global{
		Limits:                        &l,
		DefaultConcurrency:            s.cfg.Workers,
		MinFreeDiskBytes:              int64(s.cfg.MinFreeDisk),
		GenericSitesEnabled:           s.cfg.GenericSites,
		AllowPrivateNetworks:          s.cfg.AllowPrivateNetworks,
		LogRetentionDays:              30,
		SessionIdleTimeoutSeconds:     int(s.cfg.SessionIdleTimeout.Seconds()),
		SessionAbsoluteTimeoutSeconds: int(s.cfg.SessionMaxAge.Seconds()),
	}
}

// snapshot returns the rows, reloading them when the cache is stale.
// snapshotTimeout bounds a read of the settings.
const snapshotTimeout = 2 * time.Second

func (s *Service) snapshot(ctx context.Context) map[string]settingRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rows != nil && time.Since(s.loadedAt) < cacheTTL {
		return s.rows
	}
	var rows []settingRow
	// Not the caller's cancel (the cache serves others), but never more
	// than snapshotTimeout: a database that does not answer leaves the
	// last known settings in force instead of holding every reader up.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotTimeout)
	defer cancel()
	if err := s.db.WithContext(rctx).Find(&rows).Error; err != nil {
		s.log.Warn("cannot read settings; using the last known", "err", err)
		// Asked again only after cacheTTL: every reader waiting its turn
		// for its own snapshotTimeout would queue each request behind
		// the others for as long as the database hangs.
		if s.rows == nil {
			s.rows = map[string]settingRow{}
		}
		s.loadedAt = time.Now()
		return s.rows
	}
	m := make(map[string]settingRow, len(rows))
	for _, r := range rows {
		m[r.Key] = r
	}
	s.rows, s.loadedAt = m, time.Now()
	return m
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.rows = nil
	s.mu.Unlock()
}

// Global returns the global settings.
func (s *Service) Global(ctx context.Context) Global {
	g := s.defaults()
	if r, ok := s.snapshot(ctx)[globalKey]; ok {
		if err := json.Unmarshal([]byte(r.Value), &g); err != nil {
			s.log.Error("stored global settings do not decode; using defaults", "err", err)
			g = s.defaults()
		}
	}
	if s.cfg.AllowPrivateNetworks {
		g.AllowPrivateNetworks = true // the environment says so, whatever is stored
	}
	return g
}

// UpdateGlobal replaces the global settings.
func (s *Service) UpdateGlobal(ctx context.Context, actor uuid.UUID, g Global) (Global, error) {
	if err := g.Validate(); err != nil {
		return Global{}, err
	}
	if s.cfg.AllowPrivateNetworks && !g.AllowPrivateNetworks {
		return Global{}, problem.Invalid("allow_private_networks", "is forced on by DOWNLINK_ALLOW_PRIVATE_NETWORKS=true")
	}
	before := s.Global(ctx)
	if g.Limits == nil {
		g.Limits = before.Limits
	}
	if g.Library == nil {
		g.Library = before.Library
	}
	if err := s.save(ctx, actor, globalKey, g); err != nil {
		return Global{}, err
	}
	s.audit.InfoContext(ctx, "settings changed", "action", "settings.updated", "actor_id", actor, "target", "settings:global",
		"changes", diff(before, g))
	return s.Global(ctx), nil
}

func (s *Service) save(ctx context.Context, actor uuid.UUID, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	r := settingRow{Key: key, Value: string(b), UpdatedAt: time.Now().UTC(), UpdatedBy: &actor}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error
	s.invalidate()
	return err
}

// diff lists the top-level fields that changed (values of non-secret
// settings only).
func diff(before, after any) map[string]any {
	var a, b map[string]any
	ba, _ := json.Marshal(before)
	bb, _ := json.Marshal(after)
	_ = json.Unmarshal(ba, &a)
	_ = json.Unmarshal(bb, &b)
	out := map[string]any{}
	for k, v := range b {
		if !jsonEqual(a[k], v) {
			out[k] = v
		}
	}
	return out
}

func jsonEqual(x, y any) bool {
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return string(bx) == string(by)
}

// ErrUnknownPlatform is a platform name that does not exist.
var ErrUnknownPlatform = problem.New(http.StatusNotFound, "Unknown platform")
