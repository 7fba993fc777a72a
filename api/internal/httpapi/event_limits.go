package httpapi

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// errTooManyStreams refuses an event stream over a cap.
var errTooManyStreams = problem.New(429, "Too many event streams")

// streamCaps counts the event streams open on this node per user and per
// client address, so one account (or one address) cannot hold thousands
// of connections, goroutines and subscriptions. A cap of 0 is no cap.
type streamCaps struct {
	perUser, perIP int

	mu     sync.Mutex
	byUser map[uuid.UUID]int
	byIP   map[string]int
}

func newStreamCaps(perUser, perIP int) *streamCaps {
	return &streamCaps{perUser: perUser, perIP: perIP, byUser: map[uuid.UUID]int{}, byIP: map[string]int{}}
}

// acquire takes a slot for user's stream from ip, or refuses with a 429
// problem; release gives it back.
func (c *streamCaps) acquire(user uuid.UUID, ip string) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.perUser > 0 && c.byUser[user] >= c.perUser {
		return nil, errTooManyStreams.
			WithDetail("You have %d event streams open, the most allowed; close one (another tab or client) first.", c.perUser).
			WithHeader("Retry-After", "5").With("retry_after", 5).With("limit", c.perUser)
	}
	if c.perIP > 0 && c.byIP[ip] >= c.perIP {
		return nil, errTooManyStreams.
			WithDetail("Your address has %d event streams open, the most allowed; close one first.", c.perIP).
			WithHeader("Retry-After", "5").With("retry_after", 5).With("limit", c.perIP)
	}
	c.byUser[user]++
	c.byIP[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.byUser[user]--; c.byUser[user] <= 0 {
				delete(c.byUser, user)
			}
			if c.byIP[ip]--; c.byIP[ip] <= 0 {
				delete(c.byIP, ip)
			}
		})
	}, nil
}

// Rechecker is an Authenticator that can say whether a principal it made
// earlier still stands, for requests that stay open (event streams). It
// returns nil for principals of other kinds.
type Rechecker interface {
	Recheck(ctx context.Context, p *authz.Principal) error
}

// recheck asks every authenticator that can whether p still stands.
func (s *Server) recheck(ctx context.Context, p *authz.Principal) error {
	for _, a := range s.deps.Authenticators {
		if r, ok := a.(Rechecker); ok {
			if err := r.Recheck(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}
