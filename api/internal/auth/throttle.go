package auth

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// fail counts one failure against key under policy.
func (t *throttle) fail(ctx context.Context, key string, p ThrottlePolicy) error {
	now := time.Now().UTC()
	return t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r throttleRow
		q := tx
		if tx.Dialector.Name() == "postgres" {
			q = tx.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		err := q.Where("key = ?", key).Take(&r).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			r = throttleRow{Key: key, Failures: 1, WindowStartedAt: now}
			// Two first failures may race; the loser simply counts again.
			return tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "key"}},
				DoUpdates: clause.Assignments(map[string]any{"failures": gorm.Expr("auth_throttles.failures + 1")}),
			}).Create(&r).Error
		case err != nil:
			return err
		}
		if now.Sub(r.WindowStartedAt) > p.Window {
			r.Failures, r.WindowStartedAt = 0, now
		}
		r.Failures++
		if r.Failures >= p.MaxFailures {
			until := now.Add(p.Lockout)
			r.LockedUntil = &until
		}
		return tx.Save(&r).Error
	})
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
