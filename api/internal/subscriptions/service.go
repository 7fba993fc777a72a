package subscriptions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/feeds"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Errors.
var (
	ErrNotFound = problem.New(http.StatusNotFound, "Subscription not found")
	ErrTooMany  = problem.New(http.StatusConflict, "Too many subscriptions")
)

// Limits.
const (
	// MaxPerUser bounds one user's subscriptions.
	MaxPerUser = 2000
	// maxPatterns and maxPatternLen bound the title filters.
	maxPatterns   = 20
	maxPatternLen = 200
	// maxIntervalHours is a month.
	maxIntervalHours = 720
	// DefaultIntervalHours is how often a subscription is checked unless
	// it says otherwise.
	DefaultIntervalHours = 6
)

// Downloads is the download service as subscriptions use it.
type Downloads interface {
	CheckSource(ctx context.Context, rawURL string, opts ytdlp.Options) (url, platform string, err error)
	ListSource(ctx context.Context, userID uuid.UUID, rawURL string, limit, pages int, known func(key string) bool) (*downloads.Listing, error)
	Create(ctx context.Context, caller *authz.Principal, req downloads.CreateRequest) (downloads.Download, bool, error)
	Archived(ctx context.Context, userID uuid.UUID, urls []string) (map[string]bool, error)
	Delete(ctx context.Context, caller *authz.Principal, id uuid.UUID, deleteFiles bool) error
}

// Queue inserts check jobs.
type Queue interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Notifier tells webhooks about a subscription's new items and checks
// (nil: nobody is told).
type Notifier interface {
	SubscriptionEvent(ctx context.Context, event string, ownerID uuid.UUID, platform string, data any) error
}

// Publisher publishes live events (the dashboard's event stream); it
// never blocks on slow subscribers.
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Deps are the service's collaborators; Notifier, Bus and Clock may be
// nil.
type Deps struct {
	DB        *gorm.DB
	Queue     Queue
	Downloads Downloads
	Notifier  Notifier
	Bus       Publisher
	Logger    *slog.Logger
	// Clock is the time now (tests move it).
	Clock func() time.Time
}

// Service manages subscriptions and checks them.
type Service struct {
	db        *gorm.DB
	queue     Queue
	downloads Downloads
	notifier  Notifier
	bus       Publisher
	log       *slog.Logger
	now       func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	return &Service{db: d.DB, queue: d.Queue, downloads: d.Downloads, notifier: d.Notifier, bus: d.Bus,
		log: d.Logger.With("source", "subscriptions"), now: func() time.Time { return d.Clock().UTC() }}
}

// Input is a subscription as created or changed; nil fields are left as
// they are (or take their defaults on create). Options are decoded at the
// edge (downloads.DecodeOptions).
type Input struct {
	URL           *string
	Name          *string
	IntervalHours *int
	Options       *ytdlp.Options
	Filters       *Filters
	Backfill      *Backfill
	Retention     *Retention
	Enabled       *bool
}

// validate checks what in is set, field by field.
func (in Input) validate() error {
	p := problem.ErrValidation
	bad := false
	field := func(f, msg string) { p, bad = p.WithField(f, msg), true }
	if in.Name != nil && len(*in.Name) > 200 {
		field("name", "must be at most 200 characters")
	}
	if in.IntervalHours != nil && (*in.IntervalHours < 1 || *in.IntervalHours > maxIntervalHours) {
		field("interval_hours", fmt.Sprintf("must be 1 to %d", maxIntervalHours))
	}
	if b := in.Backfill; b != nil {
		switch b.Mode {
		case BackfillNone, BackfillAll:
			if b.Count != 0 {
				field("backfill.count", "is only for mode last")
			}
		case BackfillLast:
			if b.Count < 1 || b.Count > downloads.MaxChildren {
				field("backfill.count", fmt.Sprintf("must be 1 to %d", downloads.MaxChildren))
			}
		default:
			field("backfill.mode", "must be one of none last all")
		}
	}
	if r := in.Retention; r != nil {
		if r.KeepLast != nil && (*r.KeepLast < 1 || *r.KeepLast > 100000) {
			field("retention.keep_last", "must be 1 to 100000")
		}
		if r.KeepDays != nil && (*r.KeepDays < 1 || *r.KeepDays > 36500) {
			field("retention.keep_days", "must be 1 to 36500")
		}
	}
	if f := in.Filters; f != nil {
		if f.PublishedSince != nil {
			if _, err := time.Parse(time.DateOnly, *f.PublishedSince); err != nil {
				field("filters.published_since", "must be a date like 2026-01-31")
			}
		}
		if f.MinDurationSeconds != nil && *f.MinDurationSeconds < 0 {
			field("filters.min_duration_seconds", "must be 0 or more")
		}
		if f.MaxDurationSeconds != nil && *f.MaxDurationSeconds <= 0 {
			field("filters.max_duration_seconds", "must be more than 0")
		}
		if f.MinDurationSeconds != nil && f.MaxDurationSeconds != nil && *f.MinDurationSeconds > *f.MaxDurationSeconds {
			field("filters.max_duration_seconds", "must not be below min_duration_seconds")
		}
		for name, pats := range map[string][]string{"filters.title_include": f.TitleInclude, "filters.title_exclude": f.TitleExclude} {
			if len(pats) > maxPatterns {
				field(name, fmt.Sprintf("must hold at most %d patterns", maxPatterns))
				continue
			}
			for i, pat := range pats {
				if len(pat) == 0 || len(pat) > maxPatternLen {
					field(fmt.Sprintf("%s[%d]", name, i), fmt.Sprintf("must be 1 to %d characters", maxPatternLen))
				} else if _, err := regexp.Compile("(?i)" + pat); err != nil {
					field(fmt.Sprintf("%s[%d]", name, i), "is not a valid regular expression")
				}
			}
		}
	}
	if bad {
		return p
	}
	return nil
}

// load returns a subscription the caller may read (authz.Read) or change
// (authz.Write); others' are not found unless the caller is an admin.
func (s *Service) load(ctx context.Context, caller *authz.Principal, id uuid.UUID, act authz.Act) (row, error) {
	var r row
	q := s.db.WithContext(ctx).Where("id = ?", id)
	if !caller.MayActOnOthers(authz.Read) {
		q = q.Where("user_id = ?", caller.UserID)
	}
	if err := q.Take(&r).Error; err != nil {
		return row{}, store.NotFound(err, ErrNotFound)
	}
	if act == authz.Write {
		if err := caller.MayChange(r.UserID); err != nil {
			return row{}, err
		}
	}
	return r, nil
}

// List returns the caller's subscriptions (an admin's: everyone's),
// oldest first.
func (s *Service) List(ctx context.Context, caller *authz.Principal) ([]Subscription, error) {
	var rows []row
	q := s.db.WithContext(ctx).Order("created_at, id")
	if !caller.MayActOnOthers(authz.Read) {
		q = q.Where("user_id = ?", caller.UserID)
	}
	if err := q.Limit(MaxPerUser * 5).Find(&rows).Error; err != nil {
		return nil, err
	}
	return s.views(ctx, rows)
}

// Get returns one subscription.
func (s *Service) Get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Subscription, error) {
	r, err := s.load(ctx, caller, id, authz.Read)
	if err != nil {
		return Subscription{}, err
	}
	vs, err := s.views(ctx, []row{r})
	if err != nil {
		return Subscription{}, err
	}
	return vs[0], nil
}

func (s *Service) views(ctx context.Context, rows []row) ([]Subscription, error) {
	out := make([]Subscription, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	type count struct {
		SubscriptionID uuid.UUID
		N              int64
	}
	var counts []count
	if err := s.db.WithContext(ctx).Model(&itemRow{}).Select("subscription_id, count(*) AS n").
		Where("subscription_id IN ? AND state = ?", ids, ItemQueued).Group("subscription_id").Scan(&counts).Error; err != nil {
		return nil, err
	}
	byID := map[uuid.UUID]int64{}
	for _, c := range counts {
		byID[c.SubscriptionID] = c.N
	}
	for i := range rows {
		v := rows[i].view()
		v.ItemsQueued = byID[rows[i].ID]
		out = append(out, v)
	}
	return out, nil
}

// Create adds a subscription for the caller and queues its first check.
func (s *Service) Create(ctx context.Context, caller *authz.Principal, in Input) (Subscription, error) {
	if in.URL == nil || *in.URL == "" {
		return Subscription{}, problem.Invalid("url", "is required")
	}
	if err := in.validate(); err != nil {
		return Subscription{}, err
	}
	opts := ytdlp.Options{}
	if in.Options != nil {
		opts = *in.Options
	}
	u, platform, err := s.downloads.CheckSource(ctx, *in.URL, opts)
	if err != nil {
		return Subscription{}, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&row{}).Where("user_id = ?", caller.UserID).Count(&n).Error; err != nil {
		return Subscription{}, err
	}
	if n >= MaxPerUser {
		return Subscription{}, ErrTooMany.WithDetail("An account may have at most %d subscriptions.", MaxPerUser)
	}
	now := s.now()
	r := row{ID: store.NewID(), UserID: caller.UserID, URL: u, Platform: platform, IntervalHours: DefaultIntervalHours,
		Options: opts, Backfill: BackfillNone, Enabled: true, CreatedAt: now, UpdatedAt: now}
	apply(&r, in)
	// The first check is queued now; the periodic pick takes it up after
	// an interval (the check sets the real next time).
	r.NextCheckAt = s.schedule(now, r.IntervalHours)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if !r.Enabled {
			return nil
		}
		_, err := s.queue.InsertTx(ctx, tx, CheckArgs{SubscriptionID: r.ID}, nil)
		return err
	})
	if err != nil {
		return Subscription{}, err
	}
	s.log.Info("subscription created", "subscription_id", r.ID, "user_id", r.UserID, "platform", r.Platform)
	return s.getAndPublish(ctx, caller, r.ID)
}

// getAndPublish returns the subscription as the caller sees it now and
// tells its owner's event streams (other tabs, other devices).
func (s *Service) getAndPublish(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Subscription, error) {
	v, err := s.Get(ctx, caller, id)
	if err == nil {
		s.publish(ctx, v.UserID, events.TypeSubscriptionUpdated, v)
	}
	return v, err
}

// DeletedEvent is the data of subscription.deleted.
type DeletedEvent struct {
	ID     uuid.UUID `json:"id"`
	UserID uuid.UUID `json:"user_id"`
}

// publish sends one live event owned by ownerID (best effort: a change is
// not undone because a live view could not be told).
func (s *Service) publish(ctx context.Context, ownerID uuid.UUID, typ string, v any) {
	if s.bus == nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode event", "type", typ, "err", err)
		return
	}
	if err := s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: typ, UserID: ownerID.String(), Data: data}); err != nil {
		s.log.Warn("publish event", "type", typ, "err", err)
	}
}

// apply copies what in sets onto r.
func apply(r *row, in Input) {
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.IntervalHours != nil {
		r.IntervalHours = *in.IntervalHours
	}
	if in.Options != nil {
		r.Options = *in.Options
	}
	if in.Filters != nil {
		r.Filters = *in.Filters
	}
	if in.Backfill != nil {
		r.Backfill, r.BackfillCount = in.Backfill.Mode, in.Backfill.Count
	}
	if in.Retention != nil {
		r.KeepLast, r.KeepDays = in.Retention.KeepLast, in.Retention.KeepDays
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
}

// Update changes a subscription. Its source is fixed: a new source is a
// new subscription. Changing the interval reschedules the next check.
func (s *Service) Update(ctx context.Context, caller *authz.Principal, id uuid.UUID, in Input) (Subscription, error) {
	if in.URL != nil {
		return Subscription{}, problem.Invalid("url", "cannot be changed; create a new subscription")
	}
	if err := in.validate(); err != nil {
		return Subscription{}, err
	}
	r, err := s.load(ctx, caller, id, authz.Write)
	if err != nil {
		return Subscription{}, err
	}
	if in.Options != nil {
		if _, _, err := s.downloads.CheckSource(ctx, r.URL, *in.Options); err != nil {
			return Subscription{}, err
		}
	}
	wasEnabled, oldInterval := r.Enabled, r.IntervalHours
	apply(&r, in)
	now := s.now()
	r.UpdatedAt = now
	if r.Enabled && !wasEnabled {
		r.NextCheckAt = now
	} else if r.IntervalHours != oldInterval && r.LastCheckAt != nil {
		r.NextCheckAt = s.schedule(*r.LastCheckAt, r.IntervalHours)
	}
	if err := s.db.WithContext(ctx).Select("*").Omit("created_at").Save(&r).Error; err != nil {
		return Subscription{}, err
	}
	return s.getAndPublish(ctx, caller, id)
}

// Delete removes a subscription and what it remembers of its items; the
// downloads it queued stay.
func (s *Service) Delete(ctx context.Context, caller *authz.Principal, id uuid.UUID) error {
	r, err := s.load(ctx, caller, id, authz.Write)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("subscription_id = ?", r.ID).Delete(&itemRow{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", r.ID).Delete(&row{}).Error
	})
	if err == nil {
		s.publish(ctx, r.UserID, events.TypeSubscriptionDeleted, DeletedEvent{ID: r.ID, UserID: r.UserID})
	}
	return err
}

// CheckNow queues a check of the subscription at once (a disabled one
// too: the user asked).
func (s *Service) CheckNow(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Subscription, error) {
	r, err := s.load(ctx, caller, id, authz.Write)
	if err != nil {
		return Subscription{}, err
	}
	if _, err := s.queue.Insert(ctx, CheckArgs{SubscriptionID: r.ID}, nil); err != nil {
		return Subscription{}, err
	}
	return s.Get(ctx, caller, id)
}

// schedule is the next check after from: the interval, give or take a
// tenth of it, so subscriptions created together drift apart.
func (s *Service) schedule(from time.Time, hours int) time.Time {
	d := time.Duration(hours) * time.Hour
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return from.Add(d + jitter)
}

// backoff is the wait after the n-th failure in a row: 15 minutes,
// doubling, never more than the interval (with the same jitter).
func (s *Service) backoff(from time.Time, n, hours int) time.Time {
	d := 15 * time.Minute << min(n-1, 10)
	if iv := time.Duration(hours) * time.Hour; d > iv {
		d = iv
	}
	return from.Add(d + time.Duration(rand.Int64N(int64(d)/10+1)))
}

// errorText is what a failed check shows: a problem's detail or a
// failure's message, never an internal error's text.
func errorText(err error) string {
	var p *problem.Problem
	if errors.As(err, &p) {
		if p.Detail != "" {
			return p.Detail
		}
		return p.Title
	}
	if code, msg := downloads.Explain(err); code != "internal" && msg != "" {
		return msg
	}
	var he *feeds.HTTPError
	switch {
	case errors.As(err, &he):
		return fmt.Sprintf("The feed's server answered %d %s.", he.Status, http.StatusText(he.Status))
	case errors.Is(err, feeds.ErrTooLarge):
		return "The feed is larger than Downlink reads."
	case errors.Is(err, context.DeadlineExceeded):
		return "The source did not answer in time."
	}
	return "The source could not be reached or listed."
}
