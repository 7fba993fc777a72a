package downloads

import "sync"

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

// running returns the slots in use for a platform ("" for all).
func (l *limiter) running(platform string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if platform == "" {
		return l.total
	}
	return l.byPlatform[platform]
}
