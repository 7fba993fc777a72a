package auth

import (
	"context"
	"database/sql"
	"math"
	"net/http"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/problem"
)

// ThrottlePolicy says how many failures within Window lock a key for
// Lockout.
type ThrottlePolicy struct {
	MaxFailures int
	Window      time.Duration
	Lockout     time.Duration
}

// Default throttling: an account locks after 10 failures in 15 minutes, an
// IP after 30 (one person mistyping is far below either; a guesser hits
// them within seconds). Counters live in the database, so every node
// agrees.
var (
	AccountPolicy = ThrottlePolicy{MaxFailures: 10, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
	IPPolicy      = ThrottlePolicy{MaxFailures: 30, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
)

type throttleRow struct {
	Key             string `gorm:"primaryKey"`
	Failures        int
	WindowStartedAt time.Time
	LockedUntil     *time.Time
}

func (throttleRow) TableName() string { return "auth_throttles" }

// ErrThrottled is a 429 with the time to wait.
var ErrThrottled = problem.New(http.StatusTooManyRequests, "Too many failed attempts")

type throttle struct{ db *gorm.DB }

// check refuses while any of the keys is locked.
func (t *throttle) check(ctx context.Context, keys ...string) error {
	var rows []throttleRow
	now := time.Now().UTC()
	if err := t.db.WithContext(ctx).Where("key IN ? AND locked_until > ?", keys, now).Find(&rows).Error; err != nil {
		return err
	}
	var until time.Time
	for _, r := range rows {
		if r.LockedUntil != nil && r.LockedUntil.After(until) {
			until = *r.LockedUntil
		}
	}
	if until.IsZero() {
		return nil
	}
	wait := int(math.Ceil(until.Sub(now).Seconds()))
	return ErrThrottled.WithDetail("Too many failed sign-in attempts; try again in %s.", (time.Duration(wait)*time.Second).String()).
		WithHeader("Retry-After", strconv.Itoa(wait))
}

// fail counts one failure against key under policy, in one upsert, atomic
// on both databases: the read-then-write transaction it replaces lost
// counts when guesses arrived together (on SQLite the second writer was
// refused while transactions were not IMMEDIATE, so the failure was never
// counted).
func (t *throttle) fail(ctx context.Context, key string, p ThrottlePolicy) error {
	now := time.Now().UTC()
	windowStart, lockedUntil := now.Add(-p.Window), now.Add(p.Lockout)
	var firstLock *time.Time // a policy of one failure locks at once
	if p.MaxFailures <= 1 {
		firstLock = &lockedUntil
	}
	// In ON CONFLICT … DO UPDATE, auth_throttles.* are the row's old values.
	const newCount = `CASE WHEN auth_throttles.window_started_at < @window_start THEN 1 ELSE auth_throttles.failures + 1 END`
	return t.db.WithContext(ctx).Exec(`
INSERT INTO auth_throttles (key, failures, window_started_at, locked_until)
VALUES (@key, 1, @now, @first_lock)
ON CONFLICT (key) DO UPDATE SET
	failures = `+newCount+`,
	window_started_at = CASE WHEN auth_throttles.window_started_at < @window_start THEN @now ELSE auth_throttles.window_started_at END,
	locked_until = CASE WHEN `+newCount+` >= @max THEN @locked_until ELSE auth_throttles.locked_until END`,
		sql.Named("key", key), sql.Named("now", now), sql.Named("window_start", windowStart),
		sql.Named("max", p.MaxFailures), sql.Named("locked_until", lockedUntil), sql.Named("first_lock", firstLock)).Error
}

// reset forgets an account's failures after a successful sign-in.
func (t *throttle) reset(ctx context.Context, key string) error {
	return t.db.WithContext(ctx).Where("key = ? AND (locked_until IS NULL OR locked_until <= ?)", key, time.Now().UTC()).
		Delete(&throttleRow{}).Error
}

// cleanup removes counters whose window and lock are over.
func (t *throttle) cleanup(ctx context.Context, maxWindow time.Duration) error {
	now := time.Now().UTC()
	return t.db.WithContext(ctx).Where("window_started_at < ? AND (locked_until IS NULL OR locked_until < ?)",
		now.Add(-maxWindow), now).Delete(&throttleRow{}).Error
}
