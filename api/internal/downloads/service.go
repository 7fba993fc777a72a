package downloads

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
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

	keyQuota     KeyQuota
	storageQuota StorageQuota
	notifier     Notifier
	handlers     map[string]PlatformHandler
	layout       func(ctx context.Context) files.Layout
	stiller      Stiller

	runs *runTable
	// announcing holds a channel per download being created here, closed
	// once its download.created is out (announce, awaitAnnounced).
	announcing sync.Map
	limiter    *limiter
	probes     *probeGate
	pacer      *pacer

	// afterImport, set by tests only, runs when a completion's files are
	// in the library and not yet registered (where a crash is injected).
	afterImport func()
	// afterRelayoutCopy, set by tests only, runs when a move between
	// layouts has staged a file for the library.
	afterRelayoutCopy func()
	// relayoutHook (Deps.RelayoutHook) runs after each download a move
	// between layouts handled.
	relayoutHook func(done int) error
}

// Deps are the service's collaborators. KeyQuota, StorageQuota, Notifier,
// Egress, Resolver and DiskFree may be nil (not counted, not checked, no
// proxy); the rest are required.
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

	KeyQuota     KeyQuota
	StorageQuota StorageQuota
	Notifier     Notifier
	// Handlers hold what is special to a platform (Spotify matching,
	// Instagram carousels), by platform name; a platform without one takes
	// the plain yt-dlp path.
	Handlers map[string]PlatformHandler
	// Layout is how the library files downloads now (nil: the default
	// layout).
	Layout func(ctx context.Context) files.Layout
	// RelayoutHook is a test seam: called after each download a move
	// between layouts handled (done so far); an error stops the move
	// there, as a node's shutdown would, leaving it to be resumed.
	RelayoutHook func(done int) error
	// Stiller grabs a still from a video that came without a thumbnail
	// (nil: none is grabbed).
	Stiller Stiller
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
		keyQuota: d.KeyQuota, storageQuota: d.StorageQuota, notifier: d.Notifier, handlers: d.Handlers, layout: d.Layout, relayoutHook: d.RelayoutHook,
		stiller: d.Stiller,
		runs:    newRunTable(), limiter: newLimiter(cfg.Workers), probes: newProbeGate(), pacer: newPacer(time.Now),
	}
}

// notifyTx tells the Notifier about the final transitions of ids inside
// tx: their rows and files are read in a few statements whatever their
// number (a canceled playlist of a thousand items moves its children in
// one transaction, which holds their rows locked until it commits).
func (s *Service) notifyTx(ctx context.Context, tx *gorm.DB, ids []uuid.UUID) error {
	if s.notifier == nil || len(ids) == 0 {
		return nil
	}
	for chunk := range slices.Chunk(ids, notifyBatch) {
		var rs []row
		if err := tx.WithContext(ctx).Where("id IN ?", chunk).Find(&rs).Error; err != nil {
			return err
		}
		var frs []files.Row
		if err := tx.WithContext(ctx).Where("download_id IN ?", chunk).Order("created_at, id").Find(&frs).Error; err != nil {
			return err
		}
		byDownload := map[uuid.UUID][]files.File{}
		for i, f := range s.files.Views(ctx, frs) {
			byDownload[*frs[i].DownloadID] = append(byDownload[*frs[i].DownloadID], f)
		}
		ds := make([]Download, len(rs))
		for i := range rs {
			ds[i] = rs[i].view()
			ds[i].Files = byDownload[rs[i].ID]
		}
		if err := s.notifier.DownloadsFinished(ctx, tx, ds); err != nil {
			return err
		}
	}
	return nil
}

// notifyBatch bounds the ids of one statement (SQLite allows 32,766
// parameters, Postgres 65,535).
const notifyBatch = 500

// CreateRequest is a new download as submitted, its options decoded
// (DecodeOptions).
type CreateRequest struct {
	URL            string
	Options        ytdlp.Options
	IdempotencyKey string
	// AllowDuplicate downloads an item the caller downloaded before;
	// without it such a submission is ErrDuplicate.
	AllowDuplicate bool
	// From is set when a subscription queues the item (nil: a one-off
	// submission).
	From *Origin
}

// Origin is what a subscription knows of an item it queues: the row
// starts with its title and meta, and remembers the subscription.
type Origin struct {
	SubscriptionID uuid.UUID
	Title          string
	Uploader       string
	Duration       float64
	ThumbnailURL   string
	Meta           json.RawMessage
}

// checked is a validated submission.
type checked struct {
	url      string
	platform string
	kind     string
	options  ytdlp.Options
}

// check validates a URL and options the way Create and Probe both need,
// and completes the options from the platform's settings and rules.
func (s *Service) check(ctx context.Context, rawURL string, opts ytdlp.Options) (checked, error) {
	raw := strings.TrimSpace(rawURL)
	u, err := netguard.ValidateURL(raw)
	if err != nil {
		return checked{}, err
	}
	det := platforms.Detect(u)
	c := checked{url: raw, platform: string(det.Platform), kind: string(det.DownloadKind())}
	pol := s.policy.Platform(ctx, c.platform)
	if !pol.Enabled {
		label := c.platform
		if d, ok := platforms.Lookup(c.platform); ok {
			label = d.Label
		}
		msg := "Downloads from " + label + " are switched off. An administrator can turn " + label + " on in Settings → Platforms."
		fix := problem.Fix{Setting: "platforms." + c.platform + ".enabled", Label: label, Href: "/settings?tab=platforms"}
		if c.platform == string(platforms.Generic) {
			msg = "This site is not " + platforms.Labels("or") + ", and downloads from other sites are switched off. An administrator can turn on \"Other sites\" in Settings → General."
			fix = problem.Fix{Setting: "generic_sites_enabled", Label: "Other sites", Href: "/settings?tab=general"}
		}
		if pol.DisabledReason != "" {
			msg = pol.DisabledReason
		}
		return checked{}, ErrPlatformDisabled.WithDetail("%s", msg).WithField("url", label+" is switched off").WithFix(fix)
	}
	c.options = opts
	if c.options.Preset == "" {
		c.options.Preset = pol.DefaultPreset
	}
	if c.options.Preset == ytdlp.PresetAudio && c.options.AudioFormat == "" {
		c.options.AudioFormat = pol.AudioFormat
	}
	constraints := s.handler(c.platform).Prepare(&c.options, pol)
	if err := c.options.Validate(constraints); err != nil {
		return checked{}, prefixFields(err, "options.")
	}
	if netguard.URLKind(u) == netguard.KindWeb && !s.policy.AllowPrivateNetworks(ctx) {
		if err := (netguard.Guard{}).CheckURL(ctx, u, s.resolver); err != nil {
			return checked{}, err // says which setting would allow it (netguard.FixAllowPrivate)
		}
	}
	return c, nil
}

// DecodeOptions decodes a submission's options once, where the request
// arrives (ytdlp.DecodeOptions; field errors name options.*), with the
// request's top-level preset, which must not contradict options.preset.
func DecodeOptions(raw json.RawMessage, preset ytdlp.Preset) (ytdlp.Options, error) {
	o, err := ytdlp.DecodeOptions(raw)
	if err != nil {
		return o, prefixFields(err, "options.")
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
			humanize.IBytes(uint64(free)), humanize.IBytes(uint64(min))).With("free_bytes", free).With("threshold_bytes", min)
	}
	return nil
}

// Create accepts a download: the row and its job are written in one
// transaction. With an idempotency key, a repeat of the same request
// returns the first download (replayed = true).
func (s *Service) Create(ctx context.Context, caller *authz.Principal, req CreateRequest) (Download, bool, error) {
	c, err := s.check(ctx, req.URL, req.Options)
	if err != nil {
		return Download{}, false, err
	}
	var idemKey, reqHash *string
	if k := strings.TrimSpace(req.IdempotencyKey); k != "" {
		if len(k) > 255 {
			return Download{}, false, problem.Invalid("Idempotency-Key", "must be at most 255 characters")
		}
		optsJSON, _ := json.Marshal(c.options)
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
	if s.storageQuota != nil {
		if err := s.storageQuota.CheckQuota(ctx, caller.UserID); err != nil {
			return Download{}, false, err
		}
	}
	// After the limits: "download again" would be refused by them anyway.
	if !req.AllowDuplicate {
		if err := s.duplicate(ctx, caller.UserID, c.url); err != nil {
			return Download{}, false, err
		}
	}
	now := time.Now().UTC()
	r := row{ID: store.NewID(), UserID: caller.UserID, URL: c.url, Platform: c.platform, Kind: c.kind,
		Status: StatusQueued, Options: c.options, IdempotencyKey: idemKey, RequestHash: reqHash,
		CreatedAt: now, UpdatedAt: now}
	if idemKey != nil {
		r.IdemUserID = &caller.UserID
	}
	if o := req.From; o != nil {
		r.SubscriptionID = &o.SubscriptionID
		if o.Title != "" {
			r.Title = ptr(o.Title)
		}
		if o.Uploader != "" {
			r.Uploader = ptr(o.Uploader)
		}
		if o.Duration > 0 {
			r.DurationSeconds = ptr(o.Duration)
		}
		if o.ThumbnailURL != "" {
			r.ThumbnailURL = ptr(o.ThumbnailURL)
		}
		if len(o.Meta) > 0 {
			r.Meta = ptr(string(o.Meta))
		}
	}
	if caller.Method == authz.MethodAPIKey {
		r.APIKeyID = &caller.APIKeyID
	}
	// download.created goes out before anything else about the row: a
	// worker of this node woken by the commit waits for it (publishRow).
	defer s.announce(r.ID)()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if r.APIKeyID != nil && s.keyQuota != nil {
			if err := s.keyQuota.ConsumeDownload(ctx, tx, *r.APIKeyID); err != nil {
				return err
			}
		}
		return s.createWithJobTx(ctx, tx, &r)
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

// createWithJobTx inserts a new row r and its job inside tx: the job
// first, so the row is written once with its job id (enqueueTx's UPDATE is
// a third statement per enqueue; docs/performance.md, round 2). No worker
// sees the job before tx commits, and then the row is there too.
func (s *Service) createWithJobTx(ctx context.Context, tx *gorm.DB, r *row) error {
	res, err := s.queue.InsertTx(ctx, tx, JobArgs{DownloadID: r.ID, Platform: r.Platform}, insertOpts(r.Platform))
	if err != nil {
		return err
	}
	r.JobID = &res.Job.ID
	return tx.Create(r).Error
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

// readable is the download id if the caller may read it (other users'
// rows only for those who may read others'; a nil caller is the system).
func readable(db *gorm.DB, caller *authz.Principal, id uuid.UUID) *gorm.DB {
	q := db.Model(&row{}).Where("id = ?", id)
	if caller != nil && !caller.MayActOnOthers(authz.Read) {
		q = q.Where("user_id = ?", caller.UserID)
	}
	return q
}

// load returns a row the caller may read (act authz.Read) or change
// (authz.Write); other users' rows the caller may not read are not found.
// A nil caller is the system itself.
func (s *Service) load(ctx context.Context, db *gorm.DB, caller *authz.Principal, id uuid.UUID, act authz.Act) (row, error) {
	var r row
	if err := readable(db.WithContext(ctx), caller, id).Take(&r).Error; err != nil {
		return row{}, store.NotFound(err, ErrNotFound)
	}
	if caller != nil && act == authz.Write {
		if err := caller.MayChange(r.UserID); err != nil {
			return row{}, err
		}
	}
	return r, nil
}

// Get returns one download with its files (and children summary).
func (s *Service) Get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Download, error) {
	// load's scope, but only the columns a download shows, scanned by hand
	// as a list's are (a client polling one download asks this often).
	rows, err := findView(readable(s.db.WithContext(ctx), caller, id).Limit(1), 1, true)
	if err != nil {
		return Download{}, err
	}
	if len(rows) == 0 {
		return Download{}, ErrNotFound
	}
	ds, err := s.withDetails(ctx, rows)
	if err != nil {
		return Download{}, err
	}
	return ds[0], nil
}
