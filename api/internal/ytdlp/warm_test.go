package ytdlp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/testmedia"
	"github.com/downlink/downlink/api/internal/ytdlp/warm"
)

// newWarmRunner is newTestRunner with yt-dlp started warm; the pool's
// servers stop when the test ends.
func newWarmRunner(t *testing.T) *Runner {
	t.Helper()
	cfg := testConfig(t)
	cfg.Proc = proc.New(cfg.procConfig())
	cfg.Warm = NewWarm(cfg, cfg.Proc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { cfg.Warm.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("fork servers did not stop")
		}
	})
	return New(cfg)
}

// warmChild returns the member of group pgid that a fork server forked,
// and that server's pid (0, 0: none).
func warmChild(pgid int) (child, server int) {
	for _, m := range proc.GroupMembers(pgid) {
		ppid := parentPID(m)
		if slices.ContainsFunc(proc.Cmdline(ppid), func(a string) bool { return filepath.Base(a) == warm.ScriptName }) {
			return m, ppid
		}
	}
	return 0, 0
}

// parentPID reads pid's parent from /proc (0 when it is gone).
func parentPID(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// TestWarmRunDownloads: a download started warm reads the same progress
// and ends with the same file as after an exec.
func TestWarmRunDownloads(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	r := newWarmRunner(t)
	for i := range 2 { // the first starts the server, the second finds it
		job := newJob(t, "job-warm-"+strconv.Itoa(i), srv.URL(testmedia.PathVideo), Options{})
		rec := newRecorder()
		res, err := r.Run(testCtx(t, 60*time.Second), job, rec.sink)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if len(res.Files) != 1 {
			t.Fatalf("run %d: files %v", i, res.Files)
		}
		got, _ := os.ReadFile(res.Files[0])
		want, _ := os.ReadFile(testmedia.Video(t))
		if !bytes.Equal(got, want) {
			t.Errorf("run %d: file differs from the original", i)
		}
		if len(rec.progress()) == 0 || res.Info.Title == "" {
			t.Errorf("run %d: progress %d events, info %+v", i, len(rec.progress()), res.Info)
		}
	}
}

// TestWarmRunCancelKillsGroup: the forked child lives in the job's group
// (led by the guard, as after an exec); cancel ends the whole group, keeps
// the .part file, and says canceled; the fork server lives on for the
// next job.
func TestWarmRunCancelKillsGroup(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	job := newJob(t, "job-warm-cancel", srv.SlowURL(testmedia.PathBig, 150_000), Options{})
	r := newWarmRunner(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	rec := newRecorder()
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(ctx, job, rec.sink)
		done <- err
	}()
	waitFor(t, 30*time.Second, "download progress", func() bool {
		for _, p := range rec.progress() {
			if p.DownloadedBytes > 0 && p.Status == "downloading" {
				return true
			}
		}
		return false
	})
	pidRec, err := proc.ReadPIDFile(filepath.Join(job.Dir, proc.PIDFileName))
	if err != nil {
		t.Fatal(err)
	}
	child, server := warmChild(pidRec.PGID)
	if child == 0 {
		t.Fatalf("no forked child in the job's group %d", pidRec.PGID)
	}
	if l := proc.Cmdline(pidRec.PGID); len(l) < 2 || l[1] != proc.GuardArg {
		t.Errorf("group leader %q, want the guard", l)
	}
	cancel()
	var runErr error
	select {
	case runErr = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
	var ee *ExitError
	if !errors.As(runErr, &ee) || ee.Reason != ReasonCanceled {
		t.Fatalf("err = %v, want canceled", runErr)
	}
	if m := proc.GroupMembers(pidRec.PGID); len(m) != 0 {
		t.Errorf("processes left in group %d: %v", pidRec.PGID, m)
	}
	if proc.Alive(child) {
		t.Errorf("forked child %d still alive", child)
	}
	if !proc.Alive(server) {
		t.Errorf("fork server %d ended with its job", server)
	}
	if parts, _ := os.ReadDir(job.PartDir()); len(parts) == 0 {
		t.Error("no .part file kept for a resume")
	}
}

// TestWarmPdeathsig: Downlink killed with SIGKILL while a warm job runs
// leaves nothing: not the job's group (the guard kills it), not the
// forked child, not the fork server.
func TestWarmPdeathsig(t *testing.T) {
	t.Parallel()
	stalled := make(chan struct{})
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("Content-Length", "1000000")
		_, _ = w.Write(make([]byte, 100))
		w.(http.Flusher).Flush()
		select {
		case stalled <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(func() { stall.CloseClientConnections(); stall.Close() })
	dir := t.TempDir()
	helper, helperDone, out := testkit.StartHelper(t, "TestWarmPdeathsigHelper",
		"YTDLP_WARM_HELPER=1", "YTDLP_HELPER_URL="+stall.URL+"/stall.mp4", "YTDLP_HELPER_DIR="+dir)
	select {
	case <-stalled:
	case <-helperDone:
		t.Fatalf("helper ended early:\n%s", out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("yt-dlp never reached the media:\n%s", out.String())
	}
	rec, err := proc.ReadPIDFile(filepath.Join(dir, proc.PIDFileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-rec.PGID, syscall.SIGKILL) }) // if the test failed
	child, server := warmChild(rec.PGID)
	if child == 0 || server == 0 {
		t.Fatalf("no forked child in group %d:\n%s", rec.PGID, out.String())
	}
	t.Cleanup(func() { _ = syscall.Kill(server, syscall.SIGKILL) })
	time.Sleep(300 * time.Millisecond) // let an unlocked thread be retired, were there one
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-helperDone
	waitFor(t, 10*time.Second, "the job's group, its child and the fork server to die with Downlink", func() bool {
		return len(proc.GroupMembers(rec.PGID)) == 0 && !proc.Alive(child) && !proc.Alive(server)
	})
}

func TestWarmPdeathsigHelper(t *testing.T) {
	if os.Getenv("YTDLP_WARM_HELPER") == "" {
		t.Skip("helper process for TestWarmPdeathsig")
	}
	job := Job{ID: "job-warm-orphan", URL: os.Getenv("YTDLP_HELPER_URL"), Dir: os.Getenv("YTDLP_HELPER_DIR"),
		Settings: Settings{AllowGeneric: true}}
	_, err := newWarmRunner(t).Run(testCtx(t, 60*time.Second), job, nil)
	t.Fatalf("Run returned although the helper should have been killed: %v", err)
}
