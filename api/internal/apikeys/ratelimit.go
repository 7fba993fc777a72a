package apikeys

import (
	"math"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// Per-minute limits are token buckets held in memory, so they are per
// node (documented); daily quotas are counted in the database.
const (
	// AnonymousPerMinute is what one IP may send without a credential.
	AnonymousPerMinute = 300
	// FailuresPerMinute is how many failed authentications one IP may make
	// before further attempts get 429, so keys cannot be guessed fast.
	FailuresPerMinute = 20
	idleEviction      = 10 * time.Minute
)

type bucket struct {
	lim      *rate.Limiter
	perMin   int
	lastSeen time.Time
}

type limiters struct {
	now      func() time.Time // the service's clock (WithClock)
	mu       sync.Mutex
	keys     map[uuid.UUID]*bucket
	sessions map[uuid.UUID]*bucket // by user
	ips      map[string]*bucket
	failures map[string]*bucket
	lastGC   time.Time
}

func newLimiters(now func() time.Time) *limiters {
	return &limiters{now: now, keys: map[uuid.UUID]*bucket{}, sessions: map[uuid.UUID]*bucket{}, ips: map[string]*bucket{}, failures: map[string]*bucket{}}
}

func newBucket(perMin int, now time.Time) *bucket {
	return &bucket{lim: rate.NewLimiter(rate.Limit(float64(perMin)/60), perMin), perMin: perMin, lastSeen: now}
}

// Decision is the outcome of a rate-limit check, with what the
// RateLimit headers report.
type Decision struct {
	Allowed    bool
	Limit      int // requests per window
	Remaining  int
	ResetSecs  int // until the bucket is full again; when refused, RetryAfter
	RetryAfter int // seconds, when refused
}

func take(b *bucket, now time.Time) Decision {
	b.lastSeen = now
	d := Decision{Limit: b.perMin}
	if b.lim.AllowN(now, 1) {
		d.Allowed = true
	} else {
		r := b.lim.ReserveN(now, 1)
		delay := r.DelayFrom(now)
		r.CancelAt(now)
		d.RetryAfter = int(math.Ceil(delay.Seconds()))
		if d.RetryAfter < 1 {
			d.RetryAfter = 1
		}
	}
	tokens := b.lim.TokensAt(now)
	d.Remaining = max(0, int(math.Floor(tokens)))
	missing := float64(b.perMin) - tokens
	d.ResetSecs = int(math.Ceil(missing / (float64(b.perMin) / 60)))
	if d.ResetSecs < 0 {
		d.ResetSecs = 0
	}
	if !d.Allowed {
		// Refused: RateLimit's t says when the next request is allowed,
		// as Retry-After does, not when the bucket is full again.
		d.ResetSecs = d.RetryAfter
	}
	return d
}

func (l *limiters) gc(now time.Time) {
	if now.Sub(l.lastGC) < time.Minute {
		return
	}
	l.lastGC = now
	for _, m := range []map[uuid.UUID]*bucket{l.keys, l.sessions} {
		for k, b := range m {
			if now.Sub(b.lastSeen) > idleEviction {
				delete(m, k)
			}
		}
	}
	for _, m := range []map[string]*bucket{l.ips, l.failures} {
		for k, b := range m {
			if now.Sub(b.lastSeen) > idleEviction {
				delete(m, k)
			}
		}
	}
}

// allowKey takes one request from a key's bucket.
func (l *limiters) allowKey(id uuid.UUID, perMin int) Decision {
	return l.allowFrom(l.keys, id, perMin)
}

// allowSession takes one request from a user's browser-session bucket.
func (l *limiters) allowSession(user uuid.UUID, perMin int) Decision {
	return l.allowFrom(l.sessions, user, perMin)
}

// allowFrom takes one request from id's bucket in buckets, made anew when
// the limit changed.
func (l *limiters) allowFrom(buckets map[uuid.UUID]*bucket, id uuid.UUID, perMin int) Decision {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now)
	b, ok := buckets[id]
	if !ok || b.perMin != perMin {
		b = newBucket(perMin, now)
		buckets[id] = b
	}
	return take(b, now)
}

// allowIP takes one anonymous request from an IP's bucket.
func (l *limiters) allowIP(ip string) Decision {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gc(now)
	b, ok := l.ips[ip]
	if !ok {
		b = newBucket(AnonymousPerMinute, now)
		l.ips[ip] = b
	}
	return take(b, now)
}

func (l *limiters) countFailure(ip string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.failures[ip]
	if !ok {
		b = newBucket(FailuresPerMinute, now)
		l.failures[ip] = b
	}
	b.lastSeen = now
	b.lim.AllowN(now, 1)
}

// failuresBlocked reports whether an IP used up its failed attempts, and
// how long until it may try again.
func (l *limiters) failuresBlocked(ip string) (int, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.failures[ip]
	if !ok || b.lim.TokensAt(now) >= 1 {
		return 0, false
	}
	wait := (1 - b.lim.TokensAt(now)) / (float64(FailuresPerMinute) / 60)
	return max(1, int(math.Ceil(wait))), true
}

func (l *limiters) forget(id uuid.UUID) {
	l.mu.Lock()
	delete(l.keys, id)
	l.mu.Unlock()
}

// AllowKey applies a key's per-minute limit.
func (s *Service) AllowKey(id uuid.UUID) Decision {
	return s.limiter.allowKey(id, s.LimitsOf(id).PerMinute)
}

// AllowSession applies the per-user limit of browser-session requests
// (all of a user's sessions share it).
func (s *Service) AllowSession(user uuid.UUID, perMin int) Decision {
	return s.limiter.allowSession(user, perMin)
}

// AllowAnonymous applies the per-IP limit for requests without a credential.
func (s *Service) AllowAnonymous(ip string) Decision {
	return s.limiter.allowIP(ip)
}
