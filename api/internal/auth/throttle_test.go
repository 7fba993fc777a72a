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
	// No attempt gets through during the lock, and trying does not
	// lengthen it.
	if _, err := th.reserve(ctx, counter{key, policy}); !errors.Is(err, ErrThrottled) {
		t.Fatalf("reserved during a lock: %v", err)
	}
}

// TestThrottleReservesBeforeChecking: of 100 attempts arriving together at
// most the policy's count get through to the secret check, whatever their
// outcome; the refused ones give their count back; failures lock, and a
// success gives its attempt back.
func TestThrottleReservesBeforeChecking(t *testing.T) {
	ctx := context.Background()
	th := &throttle{db: storetest.New(t).DB}
	policy := ThrottlePolicy{MaxFailures: 10, Window: time.Minute, Lockout: time.Minute}
	const n = 100
	var mu sync.Mutex
	var held []*reservation
	refused := 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			r, err := th.reserve(ctx, counter{"pair", policy}, counter{"ip", IPPolicy})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				held = append(held, r)
			case errors.Is(err, ErrThrottled):
				refused++
			default:
				t.Errorf("reserve: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(held) != policy.MaxFailures || refused != n-policy.MaxFailures {
		t.Fatalf("%d reserved, %d refused; want %d and %d", len(held), refused, policy.MaxFailures, n-policy.MaxFailures)
	}
	var r throttleRow
	if err := th.db.Where("key = ?", "ip").Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	if r.Failures != policy.MaxFailures {
		t.Fatalf("the address counts %d attempts, want the %d that got through", r.Failures, policy.MaxFailures)
	}
	// One succeeds: its attempt is given back.
	held[0].succeeded(ctx)
	if err := th.db.Where("key = ?", "ip").Take(&r).Error; err != nil || r.Failures != policy.MaxFailures-1 {
		t.Fatalf("after a success the address counts %d (%v)", r.Failures, err)
	}
	// The rest fail: the pair is at 9 of 10, not locked; one more failure locks it.
	for _, h := range held[1:] {
		if err := h.failed(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := th.check(ctx, "pair"); err != nil {
		t.Fatalf("locked below the limit: %v", err)
	}
	last, err := th.reserve(ctx, counter{"pair", policy})
	if err != nil {
		t.Fatal(err)
	}
	if err := last.failed(ctx); err != nil {
		t.Fatal(err)
	}
	if err := th.check(ctx, "pair"); !errors.Is(err, ErrThrottled) {
		t.Fatalf("not locked after %d failures: %v", policy.MaxFailures, err)
	}
}
