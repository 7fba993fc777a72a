package downloads

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Errors.
var (
	ErrNotFound          = problem.New(http.StatusNotFound, "Download not found")
	ErrAlreadyFinished   = problem.New(http.StatusConflict, "Download already finished")
	ErrNotRetryable      = problem.New(http.StatusConflict, "Download cannot be retried").WithDetail("Only failed or canceled downloads can be retried.")
	ErrPlatformDisabled  = problem.New(http.StatusUnprocessableEntity, "Platform disabled")
	ErrDiskLow           = problem.New(http.StatusInsufficientStorage, "Not enough free disk")
	ErrIdempotencyReused = problem.Invalid("Idempotency-Key", "was already used with a different request body")
	ErrAdminParam        = problem.ErrForbidden.WithDetail("Only administrators may list other users' downloads.")
)

// Config is how the service is set up.
type Config struct {
	NodeName string
	TempRoot string // <data>/tmp/<node>: per-job folders
	// Workers is the node-wide number of concurrent downloads (0: this node
	// runs none), read at every job start so a settings change applies at
	// once.
	Workers func() int
	// ProgressWriteInterval bounds row writes per running job (default 1s).
	ProgressWriteInterval time.Duration
	// HeartbeatInterval is how often a running job proves it is alive
	// (default 15s); HeartbeatTimeout is when another node takes it over
	// (default 90s).
	HeartbeatInterval time.Duration
	HeartbeatTimeout  time.Duration
	// ClusterCaps caps running downloads per platform across every node
	// (counted in the database when a job is claimed; see claim).
	ClusterCaps map[string]int
}

// Service manages downloads.
type Service struct {
	cfg      Config
	db       *gorm.DB
	queue    Queue
	bus      Publisher
	runner   Runner
	egress   Egress
	files    *files.Service
	policy   Policy
	resolver Resolver
	diskFree DiskFree
	metrics  *metrics.Registry
	log      *slog.Logger
	audit    *slog.Logger

	// Optional.
	KeyQuota     KeyQuota
	StorageQuota StorageQuota
	Notifier     Notifier
	// Platforms hold what is special to a platform (Spotify matching,
	// Instagram carousels); nil entries use the plain yt-dlp path.
	Platforms map[string]PlatformHandler

	runs    *runTable
	limiter *limiter
}

// Deps are the service's collaborators.
type Deps struct {
	DB       *gorm.DB
	Queue    Queue
	Bus      Publisher
	Runner   Runner
	Egress   Egress
	Files    *files.Service
	Policy   Policy
	Resolver Resolver
	DiskFree DiskFree
	Metrics  *metrics.Registry
	Logger   *slog.Logger
}

// New returns the service.
func New(cfg Config, d Deps) *Service {
	if cfg.ProgressWriteInterval == 0 {
		cfg.ProgressWriteInterval = time.Second
	}
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 15 * time.Second
	}
	if cfg.HeartbeatTimeout == 0 {
		cfg.HeartbeatTimeout = 90 * time.Second
	}
	return &Service{
		cfg: cfg, db: d.DB, queue: d.Queue, bus: d.Bus, runner: d.Runner, egress: d.Egress, files: d.Files,
		policy: d.Policy, resolver: d.Resolver, diskFree: d.DiskFree, metrics: d.Metrics,
		log: d.Logger.With("source", "downloads"), audit: d.Logger.With("source", "audit", "audit", true),
		runs: newRunTable(), limiter: newLimiter(cfg.Workers), Platforms: map[string]PlatformHandler{},
	}
}

// notifyTx tells the Notifier about a final transition of id inside tx.
func (s *Service) notifyTx(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	if s.Notifier == nil {
		return nil
	}
	var r row
	if err := tx.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return err
	}
	d := r.view()
	var frs []files.Row
	if err := tx.WithContext(ctx).Where("download_id = ?", id).Order("created_at, id").Find(&frs).Error; err != nil {
		return err
	}
	d.Files = s.files.Views(ctx, frs)
	return s.Notifier.DownloadFinished(ctx, tx, d)
}

// SetQueue gives the service its job queue (built after the workers are
// registered, so after the service).
func (s *Service) SetQueue(q Queue) { s.queue = q }

// CreateRequest is a new download as submitted.
type CreateRequest struct {
	URL            string
	Preset         ytdlp.Preset
	Options        json.RawMessage
	IdempotencyKey string
}

var kindMap = map[platforms.Kind]string{
	platforms.KindVideo: "video", platforms.KindShort: "video", platforms.KindTV: "video",
	platforms.KindPlaylist: "playlist", platforms.KindChannel: "channel", platforms.KindTrack: "track",
	platforms.KindAlbum: "album", platforms.KindArtist: "artist", platforms.KindPost: "post",
	platforms.KindReel: "reel", platforms.KindStory: "other", platforms.KindUnknown: "other",
}

// parentKinds expand into one child per item.
var parentKinds = map[string]bool{"playlist": true, "channel": true, "album": true, "artist": true}

// checked is a validated submission.
type checked struct {
	url      string
	platform string
	kind     string
	options  ytdlp.Options
}

// check validates a URL and options the way Create and Probe both need.
func (s *Service) check(ctx context.Context, rawURL string, preset ytdlp.Preset, rawOpts json.RawMessage) (checked, error) {
	raw := strings.TrimSpace(rawURL)
	u, err := netguard.ValidateURL(raw)
	if err != nil {
		return checked{}, err
	}
	det := platforms.Detect(u)
	c := checked{url: raw, platform: string(det.Platform), kind: kindMap[det.Kind]}
	if c.kind == "" {
		c.kind = "other"
	}
	if c.platform == string(platforms.Generic) && c.kind == "other" {
		c.kind = "video"
	}
	pol := s.policy.Platform(ctx, c.platform)
	if !pol.Enabled {
		msg := "Downloads from " + c.platform + " are switched off by an administrator."
		if c.platform == string(platforms.Generic) {
			msg = "This site is not YouTube, Spotify or Instagram, and downloads from other sites are switched off. An administrator can enable generic sites in the settings."
		}
		if pol.DisabledReason != "" {
			msg = pol.DisabledReason
		}
		return checked{}, ErrPlatformDisabled.WithDetail("%s", msg).WithField("url", "platform "+c.platform+" is disabled")
	}
	if c.options, err = decodeOptions(rawOpts, preset); err != nil {
		return checked{}, err
	}
	if c.options.Preset == "" {
		c.options.Preset = pol.DefaultPreset
	}
	if c.options.Preset == ytdlp.PresetAudio && c.options.AudioFormat == "" {
		c.options.AudioFormat = pol.AudioFormat
	}
	if c.platform == string(platforms.YouTube) {
		applyYouTubeDefaults(&c.options, pol)
	}
	if c.platform == string(platforms.Spotify) {
		// Spotify items are always audio: matched on YouTube, downloaded as
		// audio and tagged.
		c.options.Preset = ytdlp.PresetAudio
		if c.options.AudioFormat == "" {
			c.options.AudioFormat = ytdlp.AudioFormat("mp3")
		}
	}
	if err := c.options.Validate(ytdlp.Constraints{SponsorBlock: c.platform == string(platforms.YouTube)}); err != nil {
		return checked{}, prefixFields(err, "options.")
	}
	if netguard.URLKind(u) == netguard.KindWeb && !s.policy.AllowPrivateNetworks(ctx) {
		if err := (netguard.Guard{}).CheckURL(ctx, u, s.resolver); err != nil {
			var be *netguard.BlockedError
			if errors.As(err, &be) {
				return checked{}, problem.Invalid("url", "points at a "+string(be.Reason)+" address, which downloads may not reach")
			}
			return checked{}, err
		}
	}
	return c, nil
}

func decodeOptions(raw json.RawMessage, preset ytdlp.Preset) (ytdlp.Options, error) {
	var o ytdlp.Options
	if len(raw) > 0 && string(raw) != "null" {
		var err error
		if o, err = ytdlp.DecodeOptions(raw); err != nil {
			return o, prefixFields(err, "options.")
		}
	}
	if preset != "" {
		if o.Preset != "" && o.Preset != preset {
			return o, problem.Invalid("preset", "differs from options.preset; give one of them")
		}
		o.Preset = preset
	}
	return o, nil
}

// prefixFields names option fields from the request's top level.
func prefixFields(err error, prefix string) error {
	var p *problem.Problem
	if !errors.As(err, &p) || len(p.Errors) == 0 {
		return err
	}
	c := *p
	c.Errors = nil
	for _, fe := range p.Errors {
		if !strings.HasPrefix(fe.Field, prefix) && fe.Field != "preset" && fe.Field != "url" {
			fe.Field = prefix + fe.Field
		}
		c.Errors = append(c.Errors, fe)
	}
	return &c
}

// checkDisk refuses new work below the free-disk threshold.
func (s *Service) checkDisk(ctx context.Context) error {
	if s.diskFree == nil {
		return nil
	}
	free, err := s.diskFree()
	if err != nil {
		return err
	}
	min := s.policy.MinFreeDisk(ctx)
	if free < min {
		return ErrDiskLow.WithDetail("The server has %s free, below its %s minimum; new downloads wait until space is freed.",
			humanBytes(free), humanBytes(min)).With("free_bytes", free).With("threshold_bytes", min)
	}
	return nil
}

// Create accepts a download: the row and its job are written in one
// transaction. With an idempotency key, a repeat of the same request
// returns the first download (replayed = true).
func (s *Service) Create(ctx context.Context, caller *authz.Principal, req CreateRequest) (Download, bool, error) {
	c, err := s.check(ctx, req.URL, req.Preset, req.Options)
	if err != nil {
		return Download{}, false, err
	}
	optsJSON, _ := json.Marshal(c.options)
	var idemKey, reqHash *string
	if k := strings.TrimSpace(req.IdempotencyKey); k != "" {
		if len(k) > 255 {
			return Download{}, false, problem.Invalid("Idempotency-Key", "must be at most 255 characters")
		}
		h := sha256.Sum256([]byte(c.url + "\x00" + string(optsJSON)))
		hs := hex.EncodeToString(h[:])
		idemKey, reqHash = &k, &hs
		if d, ok, err := s.replay(ctx, caller.UserID, k, hs); ok || err != nil {
			return d, ok, err
		}
	}
	if err := s.checkDisk(ctx); err != nil {
		return Download{}, false, err
	}
	if s.StorageQuota != nil {
		if err := s.StorageQuota.CheckQuota(ctx, caller.UserID); err != nil {
			return Download{}, false, err
		}
	}
	now := time.Now().UTC()
	r := row{ID: newID(), UserID: caller.UserID, URL: c.url, Platform: c.platform, Kind: c.kind,
		Status: string(StatusQueued), Options: string(optsJSON), IdempotencyKey: idemKey, RequestHash: reqHash,
		CreatedAt: now, UpdatedAt: now}
	if idemKey != nil {
		r.IdemUserID = &caller.UserID
	}
	if caller.Method == authz.MethodAPIKey {
		r.APIKeyID = &caller.APIKeyID
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if r.APIKeyID != nil && s.KeyQuota != nil {
			if err := s.KeyQuota.ConsumeDownload(ctx, tx, *r.APIKeyID); err != nil {
				return err
			}
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return s.enqueueTx(ctx, tx, &r)
	})
	if err != nil {
		if idemKey != nil && store.IsUniqueViolation(err) {
			if d, ok, err := s.replay(ctx, caller.UserID, *idemKey, *reqHash); ok || err != nil {
				return d, ok, err
			}
		}
		return Download{}, false, err
	}
	d := r.view()
	s.publish(ctx, events.TypeDownloadCreated, d)
	return d, false, nil
}

// enqueueTx inserts the job of r inside tx and records its id on the row
// (the fencing token workers check).
func (s *Service) enqueueTx(ctx context.Context, tx *gorm.DB, r *row) error {
	res, err := s.queue.InsertTx(ctx, tx, JobArgs{DownloadID: r.ID, Platform: r.Platform}, insertOpts(r.Platform))
	if err != nil {
		return err
	}
	r.JobID = &res.Job.ID
	return tx.Model(&row{}).Where("id = ?", r.ID).Update("job_id", res.Job.ID).Error
}

func (s *Service) replay(ctx context.Context, userID uuid.UUID, key, hash string) (Download, bool, error) {
	var r row
	err := s.db.WithContext(ctx).Where("idem_user_id = ? AND idempotency_key = ?", userID, key).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Download{}, false, nil
	}
	if err != nil {
		return Download{}, false, err
	}
	if r.RequestHash == nil || *r.RequestHash != hash {
		return Download{}, false, ErrIdempotencyReused
	}
	d, err := s.withDetails(ctx, []row{r})
	if err != nil {
		return Download{}, false, err
	}
	return d[0], true, nil
}

// load returns a row the caller may see; other users' rows are not found.
func (s *Service) load(ctx context.Context, db *gorm.DB, caller *authz.Principal, id uuid.UUID) (row, error) {
	var r row
	q := db.WithContext(ctx).Where("id = ?", id)
	if caller != nil && !caller.IsAdmin() {
		q = q.Where("user_id = ?", caller.UserID)
	}
	if err := q.Take(&r).Error; err != nil {
		return row{}, store.NotFound(err, ErrNotFound)
	}
	return r, nil
}

// Get returns one download with its files (and children summary).
func (s *Service) Get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Download, error) {
	r, err := s.load(ctx, s.db, caller, id)
	if err != nil {
		return Download{}, err
	}
	ds, err := s.withDetails(ctx, []row{r})
	if err != nil {
		return Download{}, err
	}
	return ds[0], nil
}

// publish sends an event about a download to its owner (and admins).
func (s *Service) publish(ctx context.Context, typ string, v any) {
	var owner string
	switch d := v.(type) {
	case Download:
		owner = d.UserID.String()
	case progressEvent:
		owner = d.userID
	case deletedEvent:
		owner = d.UserID.String()
	}
	data, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode event", "err", err)
		return
	}
	if err := s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: typ, UserID: owner, Data: data}); err != nil {
		s.log.Warn("publish event", "type", typ, "err", err)
	}
}

type deletedEvent struct {
	ID     uuid.UUID `json:"id"`
	UserID uuid.UUID `json:"-"`
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return itoa64(n) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	return strings.TrimSuffix(strings.TrimSuffix(ftoa1(v), "0"), ".") + " " + string("KMGTPE"[exp]) + "iB"
}

// runTable knows which downloads run on this node, to cancel them at once.
type runTable struct {
	mu   sync.Mutex
	runs map[uuid.UUID]context.CancelCauseFunc
}

func newRunTable() *runTable { return &runTable{runs: map[uuid.UUID]context.CancelCauseFunc{}} }

func (t *runTable) add(id uuid.UUID, cancel context.CancelCauseFunc) {
	t.mu.Lock()
	t.runs[id] = cancel
	t.mu.Unlock()
}

func (t *runTable) remove(id uuid.UUID) {
	t.mu.Lock()
	delete(t.runs, id)
	t.mu.Unlock()
}

func (t *runTable) cancel(id uuid.UUID, cause error) bool {
	t.mu.Lock()
	c, ok := t.runs[id]
	t.mu.Unlock()
	if ok {
		c(cause)
	}
	return ok
}

// Running is how many downloads this node runs now.
func (s *Service) Running() int {
	s.runs.mu.Lock()
	defer s.runs.mu.Unlock()
	return len(s.runs.runs)
}

var _ = url.Parse

// applyYouTubeDefaults fills what the user left unset from the YouTube
// settings: default subtitles and SponsorBlock categories.
func applyYouTubeDefaults(o *ytdlp.Options, pol PlatformPolicy) {
	if o.Subtitles == nil && len(pol.SubtitleLanguages) > 0 {
		o.Subtitles = &ytdlp.Subtitles{Languages: pol.SubtitleLanguages, Auto: pol.AutoCaptions,
			Embed: o.Preset != ytdlp.PresetAudio}
	}
	if len(o.SponsorBlockRemove) == 0 && len(pol.SponsorBlock) > 0 {
		o.SponsorBlockRemove = pol.SponsorBlock
	}
}
