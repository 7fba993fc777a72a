package logs

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// Service reads and prunes the logs table.
type Service struct {
	db  *gorm.DB
	cfg Config
}

// Config configures the Service.
type Config struct {
	// RetentionDays says how many days of records the retention job keeps
	// (asked at each run, so a settings change applies without restart);
	// nil keeps DefaultRetentionDays, and 0 or less keeps everything.
	RetentionDays func(context.Context) int
}

// DefaultRetentionDays is the retention while no setting says otherwise.
const DefaultRetentionDays = 30

// NewService returns the service on a migrated database.
func NewService(db *gorm.DB, cfg Config) *Service {
	if cfg.RetentionDays == nil {
		cfg.RetentionDays = func(context.Context) int { return DefaultRetentionDays }
	}
	return &Service{db: db, cfg: cfg}
}

// Filter selects records for List. Zero fields do not filter.
type Filter struct {
	// MinLevel keeps records at this level or above.
	MinLevel *slog.Level
	// Sources keeps records from any of these sources.
	Sources []string
	// Query is a case-insensitive substring of the message or attributes.
	Query string
	// From (inclusive) and To (exclusive) bound the time.
	From, To *time.Time
	// DownloadID keeps records about one download.
	DownloadID *uuid.UUID
	// UserID keeps records about a user or done by them.
	UserID *uuid.UUID
	// RequestID keeps the records of one HTTP request.
	RequestID string
	// Audit keeps only audit entries (true) or only the others (false).
	Audit *bool
	// HideRoutine leaves out RoutineSources' records below warn.
	HideRoutine bool
	// Limit and Cursor page through the result (newest first).
	Limit  int
	Cursor string
}

// RoutineSources are the sources whose records below warn are routine: a
// line per HTTP request and the job queue's bookkeeping. People reading the
// log to find out what happened rarely want them (Filter.HideRoutine).
var RoutineSources = []string{"http", "queue"}

// listSort names the one order of the list in its cursors.
const listSort = "-time"

// Filter limits from openapi.yaml.
const (
	maxQuery     = 200
	maxRequestID = 64
	maxSources   = 8
)

// Validate checks f against the documented limits.
func (f Filter) Validate() error {
	p := problem.ErrBadRequest
	bad := false
	if len(f.Sources) > maxSources {
		p, bad = p.WithField("source", "at most 8 sources"), true
	}
	for _, s := range f.Sources {
		if !KnownSource(s) {
			p, bad = p.WithField("source", "unknown source "+s+"; want one of "+strings.Join(Sources, ", ")), true
			break
		}
	}
	if len(f.Query) > maxQuery {
		p, bad = p.WithField("q", "at most 200 characters"), true
	}
	if len(f.RequestID) > maxRequestID {
		p, bad = p.WithField("request_id", "at most 64 characters"), true
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		p, bad = p.WithField("to", "must be after from"), true
	}
	if bad {
		return p
	}
	return nil
}

// List returns records matching f, newest first.
func (s *Service) List(ctx context.Context, f Filter) (paging.Page[Entry], error) {
	if err := f.Validate(); err != nil {
		return paging.Page[Entry]{}, err
	}
	limit, err := paging.Limit(f.Limit)
	if err != nil {
		return paging.Page[Entry]{}, err
	}
	bound := paging.Bind(listSort, f)
	cur, err := paging.Decode(f.Cursor, bound)
	if err != nil {
		return paging.Page[Entry]{}, err
	}
	q := s.db.WithContext(ctx).Model(&row{})
	if f.MinLevel != nil {
		q = q.Where("level >= ?", int(*f.MinLevel))
	}
	if len(f.Sources) > 0 {
		q = q.Where("source IN ?", f.Sources)
	}
	if t := strings.TrimSpace(f.Query); t != "" {
		like := store.Contains(t)
		op := "LIKE" // SQLite's LIKE ignores ASCII case
		if s.db.Dialector.Name() == "postgres" {
			op = "ILIKE"
		}
		q = q.Where("(message "+op+" ? ESCAPE '\\' OR attrs "+op+" ? ESCAPE '\\')", like, like)
	}
	if f.From != nil {
		q = q.Where("logged_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("logged_at < ?", f.To.UTC())
	}
	if f.DownloadID != nil {
		q = q.Where("download_id = ?", *f.DownloadID)
	}
	if f.UserID != nil {
		q = q.Where("(user_id = ? OR actor_id = ?)", *f.UserID, *f.UserID)
	}
	if f.RequestID != "" {
		q = q.Where("request_id = ?", f.RequestID)
	}
	if f.Audit != nil {
		q = q.Where("audit = ?", *f.Audit)
	}
	if f.HideRoutine {
		q = q.Where("NOT (source IN ? AND level < ?)", RoutineSources, int(slog.LevelWarn))
	}
	if cur != nil {
		var t time.Time
		if err := cur.KeyAs(&t); err != nil {
			return paging.Page[Entry]{}, err
		}
		id, err := uuid.Parse(cur.ID)
		if err != nil {
			return paging.Page[Entry]{}, paging.ErrBadCursor
		}
		q = q.Where("(logged_at < ? OR (logged_at = ? AND id < ?))", t.UTC(), t.UTC(), id)
	}
	var rows []row
	if err := q.Order("logged_at DESC, id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return paging.Page[Entry]{}, err
	}
	page := paging.Finish(rows, limit, func(r row) paging.Cursor {
		return paging.NewCursor(bound, r.LoggedAt.UTC(), r.ID.String())
	})
	return paging.Map(page, row.entry), nil
}
