package settings

import "time"

// ExpireCache makes the next read reload the settings, keeping the rows it
// holds as the last known.
func ExpireCache(s *Service) {
	s.mu.Lock()
	s.loadedAt = time.Time{}
	s.mu.Unlock()
}
