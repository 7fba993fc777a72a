package ytdlp

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"
)

// testLogger writes to the test log, so a failing test shows yt-dlp's
// output.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// newTestRunner returns a Runner on the real /usr/bin/yt-dlp (or the one in
// PATH), failing the test when there is none.
func newTestRunner(t testing.TB) *Runner {
	t.Helper()
	return New(testConfig(t))
}

// testConfig is the Config of newTestRunner: the real yt-dlp, this test
// binary as the process guard (see TestMain).
func testConfig(t testing.TB) Config {
	t.Helper()
	path := "/usr/bin/yt-dlp"
	if _, err := os.Stat(path); err != nil {
		path = "yt-dlp"
	}
	return Config{Path: path, Logger: testLogger(t), KillGrace: time.Second}
}

// recorder is a Sink that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []Event
	notify chan Event
}

func newRecorder() *recorder { return &recorder{notify: make(chan Event, 1024)} }

func (r *recorder) sink(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.notify <- e:
	default:
	}
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

func (r *recorder) progress() []Progress {
	var out []Progress
	for _, e := range r.all() {
		if p, ok := e.(Progress); ok && !p.IsPostProcessing() {
			out = append(out, p)
		}
	}
	return out
}

func (r *recorder) infos() []Info {
	var out []Info
	for _, e := range r.all() {
		if i, ok := e.(Info); ok {
			out = append(out, i)
		}
	}
	return out
}

func (r *recorder) postProcessors() []string {
	var out []string
	for _, e := range r.all() {
		if p, ok := e.(Progress); ok && p.IsPostProcessing() && p.Status == "started" {
			out = append(out, p.PostProcessor)
		}
	}
	return out
}

// testCtx bounds a test that runs yt-dlp.
func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func newJob(t testing.TB, id, url string, o Options) Job {
	return Job{ID: id, URL: url, Dir: t.TempDir(), Options: o, Settings: Settings{AllowGeneric: true}}
}
