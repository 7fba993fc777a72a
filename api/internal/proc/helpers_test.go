package proc

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"sync"
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

// startHelper runs the test named test in a child process of this test
// binary, with env added; the child is killed when the test ends.
func startHelper(t *testing.T, test string, env ...string) (*exec.Cmd, chan struct{}, *syncBuffer) {
	t.Helper()
	helper := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	helper.Env = append(os.Environ(), env...)
	out := &syncBuffer{}
	helper.Stdout, helper.Stderr = out, out
	helper.WaitDelay = 5 * time.Second
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = helper.Wait(); close(done) }()
	t.Cleanup(func() { _ = helper.Process.Kill(); <-done })
	return helper, done, out
}

// syncBuffer is a bytes.Buffer for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.EventuallyTrue(t, d, what, cond)
}
