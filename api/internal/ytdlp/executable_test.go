package ytdlp

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// countingExecutable hands out one path and counts its leases.
type countingExecutable struct {
	path string

	mu                 sync.Mutex
	acquired, released int
}

func (c *countingExecutable) Acquire() (string, func()) {
	c.mu.Lock()
	c.acquired++
	c.mu.Unlock()
	return c.path, func() {
		c.mu.Lock()
		c.released++
		c.mu.Unlock()
	}
}

// TestRunStartsFromTheExecutable: with an Executable, each run starts the
// yt-dlp it hands out (a symlink here, as a managed copy is another
// file), says so in its first event, and gives the lease back when the
// process has ended, for downloads and probes alike.
func TestRunStartsFromTheExecutable(t *testing.T) {
	t.Parallel()
	real, err := exec.LookPath(testConfig(t).Path)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "yt-dlp-managed")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	exe := &countingExecutable{path: link}
	cfg := testConfig(t)
	cfg.Path = "/nonexistent/yt-dlp" // must not be used
	cfg.Executable = exe
	r := New(cfg)

	srv := testmedia.NewServer(t)
	rec := newRecorder()
	if _, err := r.Run(testCtx(t, 60*time.Second), newJob(t, "job-exe", srv.URL(testmedia.PathAudio), Options{Preset: PresetAudio}), rec.sink); err != nil {
		t.Fatalf("Run: %v", err)
	}
	st, ok := rec.all()[0].(Started)
	if !ok || st.Path != link || !IsSupported(st.Version) {
		t.Fatalf("first event %#v, want Started from %s with its version", rec.all()[0], link)
	}
	if _, err := r.Probe(testCtx(t, 60*time.Second), srv.URL(testmedia.PathAudio), Settings{AllowGeneric: true}); err != nil {
		t.Fatalf("Probe: %v", err)
	}
	exe.mu.Lock()
	defer exe.mu.Unlock()
	if exe.acquired != 2 || exe.released != 2 {
		t.Fatalf("acquired %d, released %d, want 2 and 2", exe.acquired, exe.released)
	}
}
