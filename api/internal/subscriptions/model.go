// Package subscriptions follows sources — RSS/Atom feeds, YouTube
// channels and playlists, any playlist yt-dlp lists when generic sites
// are on — and queues their new items through the normal download
// service (so quotas, limits, events and webhooks apply). A periodic job
// on its own queue picks the subscriptions that are due, spread over time;
// each check lists its source cheaply (the feed reader, stopping at the
// first known item; yt-dlp's flat listing of the newest entries),
// records every item it saw, and queues only items neither seen before
// nor in the owner's download archive.
package subscriptions

import (
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Backfill modes: what the first check queues of what the source
// already holds.
const (
	BackfillNone = "none" // nothing: only items published after the first check
	BackfillLast = "last" // the newest Count items
	BackfillAll  = "all"  // everything listed (up to the listing cap)
)

// Statuses shown for a subscription.
const (
	StatusPending  = "pending"  // not checked yet
	StatusOK       = "ok"       // the last check succeeded
	StatusFailing  = "failing"  // the last check failed; retried with backoff
	StatusDisabled = "disabled" // not checked until enabled
)

// Item states: what a check did with an item it saw.
const (
	ItemQueued   = "queued"   // a download was queued
	ItemSkipped  = "skipped"  // left out by the backfill setting
	ItemFiltered = "filtered" // left out by a filter
	ItemArchived = "archived" // the owner downloaded it before
)

// Backfill is what the first check queues.
type Backfill struct {
	Mode  string `json:"mode"`
	Count int    `json:"count"`
}

// Retention is how many of a subscription's downloads are kept: the
// newest KeepLast, and/or those of the last KeepDays days; pinned files
// are always kept. nil: no limit.
type Retention struct {
	KeepLast *int `json:"keep_last"`
	KeepDays *int `json:"keep_days"`
}

// Filters leave items out. Unknown values (a listing without durations or
// dates) pass the filters that need them.
type Filters struct {
	// PublishedSince (YYYY-MM-DD, UTC) leaves out items published
	// before that day.
	PublishedSince *string `json:"published_since"`
	// MinDurationSeconds and MaxDurationSeconds bound the item's length.
	MinDurationSeconds *float64 `json:"min_duration_seconds"`
	MaxDurationSeconds *float64 `json:"max_duration_seconds"`
	// TitleInclude: when any, an item's title must match one of them;
	// TitleExclude: it must match none. Case-insensitive regular
	// expressions (RE2).
	TitleInclude []string `json:"title_include"`
	TitleExclude []string `json:"title_exclude"`
	// SkipShorts leaves out YouTube Shorts (a /shorts/ URL, or 60 seconds
	// or less).
	SkipShorts bool `json:"skip_shorts"`
	// SkipLive leaves out live streams, upcoming ones and past ones.
	SkipLive bool `json:"skip_live"`
}

// Subscription is a subscription as the API shows it.
type Subscription struct {
	ID            uuid.UUID     `json:"id"`
	UserID        uuid.UUID     `json:"user_id"`
	Name          string        `json:"name"`
	URL           string        `json:"url"`
	Platform      string        `json:"platform"`
	IntervalHours int           `json:"interval_hours"`
	Options       ytdlp.Options `json:"options"`
	Filters       Filters       `json:"filters"`
	Backfill      Backfill      `json:"backfill"`
	Retention     Retention     `json:"retention"`
	Enabled       bool          `json:"enabled"`
	Status        string        `json:"status"`
	// SourceTitle is the title the source gave at the last check.
	SourceTitle         *string    `json:"source_title"`
	LastCheckAt         *time.Time `json:"last_check_at"`
	LastSuccessAt       *time.Time `json:"last_success_at"`
	NextCheckAt         *time.Time `json:"next_check_at"`
	LastError           *string    `json:"last_error"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	LastNewItems        int        `json:"last_new_items"`
	Checks              int        `json:"checks"`
	ItemsQueued         int64      `json:"items_queued"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

// row is the subscriptions table.
type row struct {
	ID                  uuid.UUID     `gorm:"primaryKey;type:uuid"`
	UserID              uuid.UUID     `gorm:"type:uuid"`
	Name                string        `gorm:"type:text"`
	URL                 string        `gorm:"type:text"`
	Platform            string        `gorm:"size:16"`
	IntervalHours       int           `gorm:""`
	Options             ytdlp.Options `gorm:"serializer:json"`
	Filters             Filters       `gorm:"serializer:json"`
	Backfill            string        `gorm:"size:8"`
	BackfillCount       int           `gorm:""`
	KeepLast            *int          `gorm:""`
	KeepDays            *int          `gorm:""`
	Enabled             bool          `gorm:""`
	NextCheckAt         time.Time     `gorm:""`
	LastCheckAt         *time.Time    `gorm:""`
	LastSuccessAt       *time.Time    `gorm:""`
	LastError           *string       `gorm:"type:text"`
	ConsecutiveFailures int           `gorm:""`
	LastNewItems        int           `gorm:""`
	Checks              int           `gorm:""`
	SourceTitle         *string       `gorm:"type:text"`
	CreatedAt           time.Time     `gorm:""`
	UpdatedAt           time.Time     `gorm:""`
}

func (row) TableName() string { return "subscriptions" }

// itemRow is an item a check saw.
type itemRow struct {
	ID             uuid.UUID  `gorm:"primaryKey;type:uuid"`
	SubscriptionID uuid.UUID  `gorm:"type:uuid"`
	ItemKey        string     `gorm:"size:300"`
	URL            string     `gorm:"type:text"`
	Title          *string    `gorm:"type:text"`
	PublishedAt    *time.Time `gorm:""`
	Duration       *float64   `gorm:""`
	State          string     `gorm:"size:16"`
	DownloadID     *uuid.UUID `gorm:"type:uuid"`
	CreatedAt      time.Time  `gorm:""`
}

func (itemRow) TableName() string { return "subscription_items" }

func (r *row) view() Subscription {
	s := Subscription{ID: r.ID, UserID: r.UserID, Name: r.Name, URL: r.URL, Platform: r.Platform,
		IntervalHours: r.IntervalHours, Options: r.Options, Filters: r.Filters,
		Backfill: Backfill{Mode: r.Backfill, Count: r.BackfillCount}, Retention: Retention{KeepLast: r.KeepLast, KeepDays: r.KeepDays},
		Enabled: r.Enabled, SourceTitle: r.SourceTitle, LastCheckAt: utc(r.LastCheckAt), LastSuccessAt: utc(r.LastSuccessAt),
		LastError: r.LastError, ConsecutiveFailures: r.ConsecutiveFailures, LastNewItems: r.LastNewItems, Checks: r.Checks,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if s.Filters.TitleInclude == nil {
		s.Filters.TitleInclude = []string{}
	}
	if s.Filters.TitleExclude == nil {
		s.Filters.TitleExclude = []string{}
	}
	switch {
	case !r.Enabled:
		s.Status = StatusDisabled
	case r.ConsecutiveFailures > 0:
		s.Status = StatusFailing
	case r.LastCheckAt == nil:
		s.Status = StatusPending
	default:
		s.Status = StatusOK
	}
	if r.Enabled {
		s.NextCheckAt = utc(&r.NextCheckAt)
	}
	if s.Name == "" {
		s.Name = r.URL
		if r.SourceTitle != nil && *r.SourceTitle != "" {
			s.Name = *r.SourceTitle
		}
	}
	return s
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
