// Package downloads is the heart of Downlink: a submitted URL becomes a
// row and a durable job in one transaction; a worker runs one yt-dlp
// process per item, streams its progress to the event bus, writes the row
// at most once a second, and moves finished files into the library. Rows
// carry the River job id as a fencing token, so a job re-queued after a
// crash can never be finished twice.
package downloads

import (
	"context"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Queue is the job queue as the service uses it.
type Queue interface {
	InsertTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Cancel(ctx context.Context, jobID int64) error
}

// Publisher publishes live events; it never blocks on slow subscribers.
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Runner runs yt-dlp.
type Runner interface {
	Run(ctx context.Context, job ytdlp.Job, sink ytdlp.Sink) (*ytdlp.Result, error)
	Probe(ctx context.Context, url string, s ytdlp.Settings) (*ytdlp.ProbeResult, error)
	ListPlaylist(ctx context.Context, url, items string, s ytdlp.Settings) (*ytdlp.Playlist, error)
}

// Egress hands out per-job URLs of the SSRF-guarding proxy, optionally
// chained through an upstream proxy.
type Egress interface {
	LeaseVia(jobID string, upstream *url.URL) (*netguard.Lease, error)
}

// PlatformPolicy is what the admin set for one platform.
type PlatformPolicy struct {
	Enabled       bool
	DefaultPreset ytdlp.Preset
	AudioFormat   ytdlp.AudioFormat
	MaxConcurrent int
	// StartInterval paces job starts of the platform on this node.
	StartInterval time.Duration
	RateLimit     int64
	SleepRequests time.Duration
	// Cookies is a Netscape cookies.txt (decrypted), written into each
	// job's own folder for yt-dlp; nil for none.
	Cookies []byte
	// Proxy is the platform's upstream proxy, chained behind the guard.
	Proxy          *url.URL
	DisabledReason string
	// YouTube defaults for downloads that don't choose.
	SubtitleLanguages []string
	AutoCaptions      bool
	SponsorBlock      []string
	// RemoteComponents: yt-dlp may fetch its challenge solver scripts.
	RemoteComponents []string
	// PluginDir and ExtractorArgs: the admin's PO-token opt-in (YouTube).
	PluginDir     string
	ExtractorArgs []string
	// GenericEnabled is the installation's "other sites" switch (a Spotify
	// item's chosen source may be on another site only when it is on).
	GenericEnabled bool
	// MaxDuration and MaxBytes stop one download running longer or growing
	// larger (0: no limit).
	MaxDuration time.Duration
	MaxBytes    int64
	// LiveAllowed lets live streams be downloaded; otherwise they fail
	// with the code "live".
	LiveAllowed bool
}

// Policy gives the settings downloads follow (the app builds it on the
// settings service).
type Policy interface {
	Platform(ctx context.Context, platform string) PlatformPolicy
	GenericEnabled(ctx context.Context) bool
	MinFreeDisk(ctx context.Context) int64
	AllowPrivateNetworks(ctx context.Context) bool
	UserLimits(ctx context.Context) UserLimits
}

// KeyQuota counts a download against an API key's daily quota inside the
// creating transaction; ConsumeDownloads counts the further items of an
// expansion and says how many fit.
type KeyQuota interface {
	ConsumeDownload(ctx context.Context, tx *gorm.DB, keyID uuid.UUID) error
	ConsumeDownloads(ctx context.Context, tx *gorm.DB, keyID uuid.UUID, n int) (int, error)
}

// StorageQuota refuses new downloads for a user over their storage quota,
// and tells running downloads how much their owner uses (files and the
// temporary files of running downloads) against which quota (nil: none).
type StorageQuota interface {
	CheckQuota(ctx context.Context, userID uuid.UUID) error
	Usage(ctx context.Context, userID uuid.UUID) (used int64, quota *int64, err error)
}

// Resolver answers DNS for the submission-time SSRF check.
type Resolver = netguard.Resolver

// DiskFree measures free bytes where downloads are written.
type DiskFree func() (int64, error)

// Notifier learns of downloads reaching a final state (completed, failed,
// canceled) inside the transaction that records it, so what it enqueues
// (webhook deliveries) exists exactly when the transition does. One call
// carries every download the transition moved (a canceled playlist moves
// its children with it).
type Notifier interface {
	DownloadsFinished(ctx context.Context, tx *gorm.DB, ds []Download) error
}
