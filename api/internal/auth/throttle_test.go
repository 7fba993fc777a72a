package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestThrottleCountsConcurrentFailures: failures that arrive together are
// all counted (a guesser cannot dodge the lock by going parallel), and the
// key locks once the policy's count is reached.
func TestThrottleCountsConcurrentFailures(t *testing.T) {
	ctx := context.Background()
	th := &throttle{db: storetest.New(t).DB}
	policy := ThrottlePolicy{MaxFailures: 25, Window: time.Minute, Lockout: time.Minute}
	const n = 24
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = th.fail(ctx, "account:ada@example.com", policy)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("counting a failure: %v", err)
		}
	}
	var r throttleRow
	if err := th.db.Where("key = ?", "account:ada@example.com").Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	if r.Failures != n || r.LockedUntil != nil {
		t.Fatalf("failures %d (want %d), locked %v", r.Failures, n, r.LockedUntil)
	}
	if err := th.check(ctx, "account:ada@example.com"); err != nil {
		t.Fatalf("locked below the limit: %v", err)
	}
	if err := th.fail(ctx, "account:ada@example.com", policy); err != nil {
		t.Fatal(err)
	}
	if err := th.check(ctx, "ip:127.0.0.1", "account:ada@example.com"); !errors.Is(err, ErrThrottled) {
		t.Fatalf("check after %d failures: %v, want ErrThrottled", n+1, err)
	}
}

func TestThrottleWindowAndReset(t *testing.T) {
	ctx := context.Background()
	th := &throttle{db: storetest.New(t).DB}
	policy := ThrottlePolicy{MaxFailures: 3, Window: time.Minute, Lockout: time.Minute}
	key := "account:grace@example.com"
	for range 2 {
		if err := th.fail(ctx, key, policy); err != nil {
			t.Fatal(err)
		}
	}
	// The window passes: the count starts again.
	if err := th.db.Model(&throttleRow{}).Where("key = ?", key).
		Update("window_started_at", time.Now().UTC().Add(-2*time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := th.fail(ctx, key, policy); err != nil {
			t.Fatal(err)
		}
	}
	if err := th.check(ctx, key); err != nil {
		t.Fatalf("locked although the old window had passed: %v", err)
	}
	if err := th.fail(ctx, key, policy); err != nil {
		t.Fatal(err)
	}
	err := th.check(ctx, key)
	if !errors.Is(err, ErrThrottled) {
		t.Fatalf("%v, want ErrThrottled", err)
	}
	// A reset during the lock does not lift it.
	if err := th.reset(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := th.check(ctx, key); !errors.Is(err, ErrThrottled) {
		t.Fatalf("reset lifted a lock: %v", err)
	}
}
