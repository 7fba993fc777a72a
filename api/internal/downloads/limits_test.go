package downloads

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// TestProbeGate: a user gets MaxProbes slots, the node ProbePool in all;
// a refusal is a 429 with retry_after, and released slots are free again.
func TestProbeGate(t *testing.T) {
	g := newProbeGate()
	l := UserLimits{MaxProbes: 2, ProbePool: 3}
	a, b := &authz.Principal{UserID: uuid.New()}, &authz.Principal{UserID: uuid.New()}
	ra1, err1 := g.acquire(a, l)
	ra2, err2 := g.acquire(a, l)
	if err1 != nil || err2 != nil {
		t.Fatalf("first two probes of a user refused: %v %v", err1, err2)
	}
	_, err := g.acquire(a, l)
	var p *problem.Problem
	if !errors.As(err, &p) || p.Status != 429 || p.Extensions["retry_after"] == nil || p.Headers["Retry-After"] == "" {
		t.Fatalf("third probe of a user: %v", err)
	}
	rb1, err := g.acquire(b, l)
	if err != nil {
		t.Fatalf("another user's first probe: %v", err)
	}
	if _, err := g.acquire(b, l); !errors.Is(err, ErrTooManyProbes) {
		t.Fatalf("a fourth probe on a pool of 3: %v", err)
	}
	ra1()
	ra1() // releasing twice gives back one slot
	if _, err := g.acquire(b, l); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := g.acquire(a, l); !errors.Is(err, ErrTooManyProbes) {
		t.Fatalf("the pool is full again, yet: %v", err)
	}
	ra2()
	rb1()
	if g.total != 1 || len(g.byUser) != 1 {
		t.Errorf("after releases: total %d, users %v", g.total, g.byUser)
	}
}
