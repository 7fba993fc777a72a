// Package testkit holds the small helpers every test suite shares.
package testkit

import (
	"errors"
	"testing"
	"time"
)

// Poll calls check until it returns nil and returns nil then; when timeout
// passes first it returns check's last error (which should say what was
// seen instead). It checks at once, then every 10 ms, backing off to every
// 100 ms: a test waits as long as the system takes, never a fixed time.
func Poll(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	interval := 10 * time.Millisecond
	for {
		err := check()
		if err == nil {
			return nil
		}
		if !time.Now().Before(deadline) {
			return err
		}
		time.Sleep(min(interval, time.Until(deadline)+time.Millisecond))
		interval = min(2*interval, 100*time.Millisecond)
	}
}

// Eventually is Poll for a test: it fails the test with check's last error
// when check has not passed within timeout. Call it from the test's own
// goroutine (it may call t.Fatalf).
func Eventually(t testing.TB, timeout time.Duration, check func() error) {
	t.Helper()
	if err := Poll(timeout, check); err != nil {
		t.Fatalf("not within %v: %v", timeout, err)
	}
}

// EventuallyTrue is Eventually for a condition without a story: the
// failure says what was waited for.
func EventuallyTrue(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	Eventually(t, timeout, func() error {
		if !cond() {
			return errors.New("waiting for " + what)
		}
		return nil
	})
}
