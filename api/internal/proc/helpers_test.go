package proc

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testkit"
)

// TestMain lets the test binary serve as its own process guard, as the
// downlink binary does.
func TestMain(m *testing.M) { GuardMain(m) }

// testLogger writes to the test log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// ytdlpPath is the real yt-dlp (Debian's, or the one in PATH).
func ytdlpPath() string {
	if _, err := os.Stat("/usr/bin/yt-dlp"); err == nil {
		return "/usr/bin/yt-dlp"
	}
	return "yt-dlp"
}

// testCtx bounds a test that runs children.
func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.EventuallyTrue(t, d, what, cond)
}
