package auth

import (
	"context"
	"database/sql"
	"math"
	"net/http"
	"slices"
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

// Default throttling: an account locks for one address after 10 failures
// from it in 15 minutes, an address after 30 failures on any accounts (one
// person mistyping is far below either; a guesser hits them within
// seconds). An account is never locked for everyone — that let anyone lock
// out anyone, admins included — but once it has more than AccountPolicy's
// failures from all addresses in the window, every attempt on it is slowed
// (SlowdownStep per failure beyond, at most SlowdownMax) and the correct
// password still works from an address that has not been failing.
// Counters live in the database, so every node agrees.
var (
	AccountPolicy = ThrottlePolicy{MaxFailures: 10, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
	IPPolicy      = ThrottlePolicy{MaxFailures: 30, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
	// accountWide counts an account's failures from every address; it
	// never locks.
	accountWide = ThrottlePolicy{MaxFailures: math.MaxInt32, Window: 15 * time.Minute}
)

// Slowing down an account under attack.
const (
	SlowdownStep = 250 * time.Millisecond
	SlowdownMax  = 3 * time.Second
)

// slowdown is the wait before checking a password of an account that has
// failed n times from all addresses in the window.
func slowdown(n int) time.Duration {
	over := n - AccountPolicy.MaxFailures
	if over <= 0 {
		return 0
	}
	return min(SlowdownMax, time.Duration(over)*SlowdownStep)
}

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
	return throttled(until.Sub(now))
}

// throttled is ErrThrottled telling the caller to wait d (at least 1s).
func throttled(d time.Duration) error {
	wait := max(1, int(math.Ceil(d.Seconds())))
	return ErrThrottled.WithDetail("Too many failed sign-in attempts; try again in %s.", (time.Duration(wait)*time.Second).String()).
		WithHeader("Retry-After", strconv.Itoa(wait))
}

// counter is one throttle key and the policy it counts under.
type counter struct {
	key    string
	policy ThrottlePolicy
}

// reservation is an attempt counted before its secret was checked; the
// caller settles it with failed or succeeded.
type reservation struct {
	t        *throttle
	counters []counter
}

// reserve counts one attempt against every counter before the secret is
// checked, each in one atomic upsert, and refuses (ErrThrottled) while a
// counter is locked or its window already holds MaxFailures attempts. So
// of many attempts arriving together at most MaxFailures are checked: the
// check-then-count it replaces let 97 of 100 parallel guesses through. A
// refused attempt gives its counts back.
func (t *throttle) reserve(ctx context.Context, counters ...counter) (*reservation, error) {
	now := time.Now().UTC()
	refused := false
	var counted []counter
	// A counter starts again when its window has passed or its lock is
	// over (auth_throttles.* are the row's old values).
	const fresh = `(auth_throttles.window_started_at < @window_start OR ` +
		`(auth_throttles.locked_until IS NOT NULL AND auth_throttles.locked_until <= @now))`
	for _, c := range counters {
		var got struct {
			Failures int
			Locked   bool
		}
		err := t.db.WithContext(ctx).Raw(`
INSERT INTO auth_throttles (key, failures, window_started_at, locked_until)
VALUES (@key, 1, @now, NULL)
ON CONFLICT (key) DO UPDATE SET
	failures = CASE WHEN `+fresh+` THEN 1 ELSE auth_throttles.failures + 1 END,
	window_started_at = CASE WHEN `+fresh+` THEN @now ELSE auth_throttles.window_started_at END,
	locked_until = CASE WHEN `+fresh+` THEN NULL ELSE auth_throttles.locked_until END
RETURNING failures, CASE WHEN locked_until IS NOT NULL AND locked_until > @now THEN 1 ELSE 0 END AS locked`,
			sql.Named("key", c.key), sql.Named("now", now), sql.Named("window_start", now.Add(-c.policy.Window))).
			Scan(&got).Error
		if err != nil {
			t.giveBack(ctx, counted)
			return nil, err
		}
		counted = append(counted, c)
		if got.Locked || got.Failures > c.policy.MaxFailures {
			refused = true
			break
		}
	}
	if !refused {
		return &reservation{t: t, counters: counters}, nil
	}
	t.giveBack(ctx, counted)
	keys := make([]string, len(counters))
	for i, c := range counters {
		keys[i] = c.key
	}
	if err := t.check(ctx, keys...); err != nil {
		return nil, err
	}
	// Not locked yet: the window's attempts are still being checked.
	return nil, throttled(time.Second)
}

// giveBack takes one attempt off each counter; a counter back below its
// limit loses a lock that attempts still in flight set.
func (t *throttle) giveBack(ctx context.Context, counters []counter) {
	for _, c := range counters {
		_ = t.db.WithContext(context.WithoutCancel(ctx)).Exec(`
UPDATE auth_throttles SET
	locked_until = CASE WHEN failures - 1 < @max THEN NULL ELSE locked_until END,
	failures = failures - 1
WHERE key = @key AND failures > 0`, sql.Named("key", c.key), sql.Named("max", c.policy.MaxFailures)).Error
	}
}

// failed settles a wrong secret: its attempt stays counted, and each
// counter at its limit locks for its policy's Lockout.
func (r *reservation) failed(ctx context.Context) error {
	now := time.Now().UTC()
	for _, c := range r.counters {
		err := r.t.db.WithContext(context.WithoutCancel(ctx)).Exec(`
UPDATE auth_throttles SET locked_until = @until
WHERE key = @key AND failures >= @max AND (locked_until IS NULL OR locked_until < @until)`,
			sql.Named("key", c.key), sql.Named("max", c.policy.MaxFailures), sql.Named("until", now.Add(c.policy.Lockout))).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// succeeded settles a right secret: the counters named in clear are
// forgotten, the others get their attempt back.
func (r *reservation) succeeded(ctx context.Context, clear ...string) {
	var back []counter
	for _, c := range r.counters {
		if slices.Contains(clear, c.key) {
			_ = r.t.db.WithContext(context.WithoutCancel(ctx)).Where("key = ?", c.key).Delete(&throttleRow{}).Error
			continue
		}
		back = append(back, c)
	}
	r.t.giveBack(ctx, back)
}

// failures returns key's failures in the current window.
func (t *throttle) failures(ctx context.Context, key string, window time.Duration) int {
	var r throttleRow
	err := t.db.WithContext(ctx).Where("key = ? AND window_started_at >= ?", key, time.Now().UTC().Add(-window)).Take(&r).Error
	if err != nil {
		return 0
	}
	return r.Failures
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

// cleanup removes counters whose window and lock are over.
func (t *throttle) cleanup(ctx context.Context, maxWindow time.Duration) error {
	now := time.Now().UTC()
	return t.db.WithContext(ctx).Where("window_started_at < ? AND (locked_until IS NULL OR locked_until < ?)",
		now.Add(-maxWindow), now).Delete(&throttleRow{}).Error
}
