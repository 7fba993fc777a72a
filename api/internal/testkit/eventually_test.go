package testkit_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testkit"
)

func TestPoll(t *testing.T) {
	t.Parallel()
	t.Run("passes as soon as the check does", func(t *testing.T) {
		t.Parallel()
		calls := 0
		start := time.Now()
		err := testkit.Poll(time.Minute, func() error {
			calls++
			if calls < 3 {
				return fmt.Errorf("call %d", calls)
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Fatalf("err %v after %d calls", err, calls)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %v for three checks", d)
		}
	})
	t.Run("returns the last error at the deadline", func(t *testing.T) {
		t.Parallel()
		calls := 0
		start := time.Now()
		err := testkit.Poll(50*time.Millisecond, func() error {
			calls++
			return fmt.Errorf("still %d", calls)
		})
		if err == nil || err.Error() != fmt.Sprintf("still %d", calls) || calls < 2 {
			t.Fatalf("err %v after %d calls", err, calls)
		}
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("gave up after %v, before the timeout", d)
		}
	})
	t.Run("a zero timeout still checks once", func(t *testing.T) {
		t.Parallel()
		if err := testkit.Poll(0, func() error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

// recorder is a testing.TB that records a Fatalf instead of stopping.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestEventuallyFailsWithTheLastError(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	testkit.Eventually(r, 20*time.Millisecond, func() error { return errors.New("status queued") })
	if !strings.Contains(r.failed, "status queued") || !strings.Contains(r.failed, "20ms") {
		t.Fatalf("failure %q", r.failed)
	}
	r.failed = ""
	testkit.Eventually(r, time.Second, func() error { return nil })
	if r.failed != "" {
		t.Fatalf("failed %q on a passing check", r.failed)
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	c := testkit.NewClock(start)
	if !c.Now().Equal(start) {
		t.Fatalf("now %v", c.Now())
	}
	c.Advance(1500 * time.Millisecond)
	if got := c.Now().Sub(start); got != 1500*time.Millisecond {
		t.Fatalf("advanced %v", got)
	}
}
