package apikeys

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

type usageKey struct {
	keyID uuid.UUID
	day   string
	route string
	class string
}

// usageRecorder counts requests per key, day, route and status class in
// memory and adds the counts to the database in batches.
type usageRecorder struct {
	db  *gorm.DB
	log *slog.Logger

	mu      sync.Mutex
	pending map[usageKey]int64
}

func newUsageRecorder(db *gorm.DB, log *slog.Logger) *usageRecorder {
	return &usageRecorder{db: db, log: log, pending: map[usageKey]int64{}}
}

type usageRow struct {
	KeyID       uuid.UUID `gorm:"primaryKey;type:uuid"`
	Day         string    `gorm:"primaryKey"`
	Route       string    `gorm:"primaryKey"`
	StatusClass string    `gorm:"primaryKey"`
	Count       int64
}

func (usageRow) TableName() string { return "api_key_usage" }

func (u *usageRecorder) add(k usageKey) {
	u.mu.Lock()
	u.pending[k]++
	u.mu.Unlock()
}

func (u *usageRecorder) flush(ctx context.Context) {
	u.mu.Lock()
	batch := u.pending
	u.pending = map[usageKey]int64{}
	u.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	rows := make([]usageRow, 0, len(batch))
	for k, n := range batch {
		rows = append(rows, usageRow{KeyID: k.keyID, Day: k.day, Route: k.route, StatusClass: k.class, Count: n})
	}
	err := u.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key_id"}, {Name: "day"}, {Name: "route"}, {Name: "status_class"}},
		DoUpdates: clause.Assignments(map[string]any{"count": gorm.Expr("api_key_usage.count + excluded.count")}),
	}).CreateInBatches(rows, 200).Error
	if err != nil {
		// Put the counts back so the next flush tries again.
		u.mu.Lock()
		for k, n := range batch {
			u.pending[k] += n
		}
		u.mu.Unlock()
		u.log.Warn("cannot write api key usage; will retry", "err", err, "rows", len(rows))
	}
}

// RecordUsage counts one request of a key: route is the route template
// ("GET /api/v1/downloads/{id}").
func (s *Service) RecordUsage(keyID uuid.UUID, route string, status int) {
	class := strconv.Itoa(status/100) + "xx"
	s.usage.add(usageKey{keyID: keyID, day: s.now().Format(time.DateOnly), route: route, class: class})
}

// UsageDay is one day of a key's requests.
type UsageDay struct {
	Date     string           `json:"date"`
	Total    int64            `json:"total"`
	ByRoute  map[string]int64 `json:"by_route"`
	ByStatus map[string]int64 `json:"by_status"`
}

// Usage is a key's daily series.
type Usage struct {
	KeyID  uuid.UUID  `json:"key_id"`
	From   string     `json:"from"`
	To     string     `json:"to"`
	Days   []UsageDay `json:"days"`
	Totals UsageTotal `json:"totals"`
}

// UsageTotal sums a series.
type UsageTotal struct {
	Total    int64            `json:"total"`
	ByStatus map[string]int64 `json:"by_status"`
	ByRoute  map[string]int64 `json:"by_route"`
}

// ErrBadRange is a usage range that is reversed or too long.
var ErrBadRange = problem.ErrBadRequest.WithDetail("Give from ≤ to, at most 366 days apart, as YYYY-MM-DD.")

func statusClasses() map[string]int64 {
	return map[string]int64{"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0}
}

// Usage returns a key's requests per day from from to to (inclusive, UTC).
func (s *Service) Usage(ctx context.Context, caller *authz.Principal, id uuid.UUID, from, to string) (Usage, error) {
	if _, err := s.get(ctx, caller, id); err != nil {
		return Usage{}, err
	}
	end := s.now()
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return Usage{}, ErrBadRange.WithField("to", "must be a date like 2026-11-14")
		}
		end = t
	}
	start := end.AddDate(0, 0, -29)
	if from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return Usage{}, ErrBadRange.WithField("from", "must be a date like 2026-10-16")
		}
		start = t
	}
	if start.After(end) || end.Sub(start) > 366*24*time.Hour {
		return Usage{}, ErrBadRange
	}
	s.usage.flush(ctx) // this node's last few seconds
	var rows []usageRow
	err := s.db.WithContext(ctx).Where("key_id = ? AND day >= ? AND day <= ?", id,
		start.Format(time.DateOnly), end.Format(time.DateOnly)).Find(&rows).Error
	if err != nil {
		return Usage{}, err
	}
	byDay := map[string]*UsageDay{}
	u := Usage{KeyID: id, From: start.Format(time.DateOnly), To: end.Format(time.DateOnly),
		Totals: UsageTotal{ByStatus: statusClasses(), ByRoute: map[string]int64{}}}
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		day := &UsageDay{Date: d.Format(time.DateOnly), ByRoute: map[string]int64{}, ByStatus: statusClasses()}
		byDay[day.Date] = day
	}
	for _, r := range rows {
		day, ok := byDay[r.Day]
		if !ok {
			continue
		}
		day.Total += r.Count
		day.ByRoute[r.Route] += r.Count
		day.ByStatus[r.StatusClass] += r.Count
		u.Totals.Total += r.Count
		u.Totals.ByStatus[r.StatusClass] += r.Count
		u.Totals.ByRoute[r.Route] += r.Count
	}
	keys := make([]string, 0, len(byDay))
	for k := range byDay {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		u.Days = append(u.Days, *byDay[k])
	}
	return u, nil
}
