package downloads

import (
	"sync"
	"time"
)

// limiter bounds how many downloads run on this node: a node-wide cap
// (DOWNLINK_WORKERS) and a per-platform cap from the settings, read at
// every acquire so a change applies without a restart.
type limiter struct {
	mu         sync.Mutex
	max        func() int // node-wide cap, read at every acquire
	total      int
	byPlatform map[string]int
}

func newLimiter(max func() int) *limiter { return &limiter{max: max, byPlatform: map[string]int{}} }

// tryAcquire takes a slot if both caps allow; release gives it back.
func (l *limiter) tryAcquire(platform string, platformMax int) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.max() || (platformMax > 0 && l.byPlatform[platform] >= platformMax) {
		return nil, false
	}
	l.total++
	l.byPlatform[platform]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.total--
			l.byPlatform[platform]--
			l.mu.Unlock()
		})
	}, true
}

// pacer spaces job starts per platform on this node (the platform's
// min_start_interval_seconds): a 500-video channel spreads out instead of
// spending the site's budget for guests in minutes.
type pacer struct {
	mu   sync.Mutex
	next map[string]time.Time
	now  func() time.Time
}

func newPacer(now func() time.Time) *pacer {
	return &pacer{next: map[string]time.Time{}, now: now}
}

// reserve books a start of platform now and returns 0, or returns how long
// to wait when the last start was less than interval ago.
func (p *pacer) reserve(platform string, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if next := p.next[platform]; now.Before(next) {
		return next.Sub(now)
	}
	p.next[platform] = now.Add(interval)
	return 0
}
