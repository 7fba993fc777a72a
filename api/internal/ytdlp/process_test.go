package ytdlp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.EventuallyTrue(t, d, what, cond)
}

// startThrottled starts Run on a throttled big file and returns once bytes
// are flowing.
func startThrottled(t *testing.T, srv *testmedia.Server, job Job) (cancel context.CancelFunc, done chan error, rec *recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	rec = newRecorder()
	done = make(chan error, 1)
	r := newTestRunner(t)
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
		select {
		case err := <-done:
			t.Fatalf("Run ended early: %v", err)
		default:
		}
		return false
	})
	return cancel, done, rec
}

func TestRunCancelKillsGroup(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	// 3.2 MB at 150 kB/s: about 20 s, far longer than the test waits.
	job := newJob(t, "job-cancel", srv.SlowURL(testmedia.PathBig, 150_000), Options{})
	cancel, done, _ := startThrottled(t, srv, job)

	rec, err := proc.ReadPIDFile(filepath.Join(job.Dir, proc.PIDFileName))
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	if len(proc.GroupMembers(rec.PGID)) == 0 {
		t.Fatalf("no live process in group %d before cancel", rec.PGID)
	}

	start := time.Now()
	cancel()
	var runErr error
	select {
	case runErr = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
	t.Logf("Run returned %v after cancel", time.Since(start))

	var ee *ExitError
	if !errors.As(runErr, &ee) || ee.Reason != ReasonCanceled || !errors.Is(runErr, context.Canceled) {
		t.Fatalf("err = %v, want ExitError canceled wrapping context.Canceled", runErr)
	}
	if m := proc.GroupMembers(rec.PGID); len(m) != 0 {
		t.Errorf("processes left in group %d: %+v", rec.PGID, m)
	}
	// The leader was waited for: not even a zombie is left.
	if proc.Alive(rec.PGID) {
		t.Errorf("/proc/%d still exists (zombie?): %v", rec.PGID, err)
	}
	if _, err := os.Stat(filepath.Join(job.Dir, proc.PIDFileName)); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	parts, _ := os.ReadDir(job.PartDir())
	if len(parts) == 0 {
		t.Error("no .part file kept for a resume")
	}
}

func TestRunResumesPartFile(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	job := newJob(t, "job-resume", srv.SlowURL(testmedia.PathBig, 200_000), Options{})
	cancel, done, _ := startThrottled(t, srv, job)
	time.Sleep(700 * time.Millisecond) // let a few hundred kB land in the .part file
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v", err)
	}

	// A retry (same job folder) continues where the first stopped.
	job.URL = srv.URL(testmedia.PathBig)
	rec := newRecorder()
	res, err := newTestRunner(t).Run(testCtx(t, 60*time.Second), job, rec.sink)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	var resumedFrom string
	for _, r := range srv.Requests() {
		if r.Path == testmedia.PathBig && strings.HasPrefix(r.Range, "bytes=") && r.Range != "bytes=0-" {
			resumedFrom = r.Range
		}
	}
	if resumedFrom == "" {
		t.Errorf("second run did not ask for a range; requests: %+v", srv.Requests())
	}
	got, err := os.ReadFile(res.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(testmedia.BigVideo(t))
	if !bytes.Equal(got, want) {
		t.Errorf("resumed file differs from the original (%d vs %d bytes)", len(got), len(want))
	}
	t.Logf("resumed with Range %s", resumedFrom)
}

func TestKillLeftovers(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	root := t.TempDir()

	// A yt-dlp that a crashed node left running: started by hand (no
	// Pdeathsig), fetching a throttled HLS stream through ffmpeg, so its
	// group holds both yt-dlp and an ffmpeg child.
	jobDir := filepath.Join(root, "job-left")
	if err := os.MkdirAll(jobDir, 0o750); err != nil {
		t.Fatal(err)
	}
	ytdlp := exec.Command(newTestRunner(t).cfg.Path, "--ignore-config", "--no-exec", "--downloader", "ffmpeg",
		"-P", jobDir, "-o", "left.%(ext)s", "--", strings.Replace(srv.HLSURL(), "/hls/", "/slow/8000/hls/", 1))
	ytdlp.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	ytdlp.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	if err := ytdlp.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- ytdlp.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-ytdlp.Process.Pid, syscall.SIGKILL)
		<-waited
	})
	if err := proc.WritePIDFile(filepath.Join(jobDir, proc.PIDFileName), ytdlp.Process.Pid, "job-left"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "ffmpeg in the yt-dlp group", func() bool {
		for _, m := range proc.GroupMembers(ytdlp.Process.Pid) {
			if args := proc.Cmdline(m); len(args) > 0 && filepath.Base(args[0]) == "ffmpeg" {
				return true
			}
		}
		return false
	})

	// Something else whose pid file looks like ours: not yt-dlp, left alone.
	decoyDir := filepath.Join(root, "job-decoy")
	if err := os.MkdirAll(decoyDir, 0o750); err != nil {
		t.Fatal(err)
	}
	decoy := exec.Command("sleep", "60")
	decoy.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := decoy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = decoy.Process.Kill(); _ = decoy.Wait() })
	if err := proc.WritePIDFile(filepath.Join(decoyDir, proc.PIDFileName), decoy.Process.Pid, "job-decoy"); err != nil {
		t.Fatal(err)
	}

	// A pid file from an earlier boot names nothing that runs now.
	staleDir := filepath.Join(root, "job-stale")
	if err := os.MkdirAll(staleDir, 0o750); err != nil {
		t.Fatal(err)
	}
	stale := []byte(`{"pid": 999999, "pgid": 999999, "boot_id": "00000000-0000-0000-0000-000000000000"}`)
	if err := os.WriteFile(filepath.Join(staleDir, proc.PIDFileName), stale, 0o600); err != nil {
		t.Fatal(err)
	}

	killed, err := proc.KillLeftovers(root, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Errorf("killed %d groups, want 1", killed)
	}
	select {
	case err := <-waited:
		waited <- err // for the cleanup
		t.Logf("leftover yt-dlp ended: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("leftover yt-dlp still running 5s after KillLeftovers")
	}
	if m := proc.GroupMembers(ytdlp.Process.Pid); len(m) != 0 {
		t.Errorf("processes left in the leftover group: %+v", m)
	}
	if len(proc.GroupMembers(decoy.Process.Pid)) == 0 {
		t.Error("the decoy (not yt-dlp) was killed")
	}
	for _, d := range []string{jobDir, staleDir} {
		if _, err := os.Stat(filepath.Join(d, proc.PIDFileName)); !os.IsNotExist(err) {
			t.Errorf("pid file in %s not removed", d)
		}
	}
	if n, err := proc.KillLeftovers(filepath.Join(root, "missing"), nil); n != 0 || err != nil {
		t.Errorf("missing root: %d, %v", n, err)
	}
}

// TestPdeathsig runs Run in a helper process, kills that process with
// SIGKILL (no chance to clean up) and expects yt-dlp's whole group to die
// with it: through the guard (which gets SIGTERM at its parent's death and
// SIGKILLs its group), and without it (yt-dlp gets SIGKILL itself). Both
// work only because Run starts the child from a goroutine locked to its OS
// thread. The media server stalls after a few bytes, so yt-dlp prints
// nothing and cannot die of a broken stdout pipe instead.
func TestPdeathsig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		guard bool
	}{{"guard", true}, {"direct", false}} {
		t.Run(tc.name, func(t *testing.T) {
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
			env := []string{"YTDLP_PDEATHSIG_HELPER=1", "YTDLP_HELPER_URL=" + stall.URL + "/stall.mp4", "YTDLP_HELPER_DIR=" + dir}
			if !tc.guard {
				env = append(env, "YTDLP_HELPER_NO_GUARD=1")
			}
			helper, helperDone, out := testkit.StartHelper(t, "TestPdeathsigHelper", env...)

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
			if leader := proc.Cmdline(rec.PGID); (len(leader) > 1 && leader[1] == proc.GuardArg) != tc.guard {
				t.Fatalf("group leader %q, guard %v", leader, tc.guard)
			}
			// Let the helper's Go runtime run a while, so an unlocked thread would
			// have had the chance to be retired.
			time.Sleep(300 * time.Millisecond)
			if err := helper.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-helperDone
			waitFor(t, 10*time.Second, "yt-dlp's group to die with its parent", func() bool {
				return len(proc.GroupMembers(rec.PGID)) == 0
			})
		})
	}
}

func TestPdeathsigHelper(t *testing.T) {
	t.Parallel()
	if os.Getenv("YTDLP_PDEATHSIG_HELPER") == "" {
		t.Skip("helper process for TestPdeathsig")
	}
	job := Job{ID: "job-orphan", URL: os.Getenv("YTDLP_HELPER_URL"), Dir: os.Getenv("YTDLP_HELPER_DIR"),
		Settings: Settings{AllowGeneric: true}}
	cfg := testConfig(t)
	cfg.DisableGuard = os.Getenv("YTDLP_HELPER_NO_GUARD") != ""
	_, err := New(cfg).Run(testCtx(t, 60*time.Second), job, nil)
	t.Fatalf("Run returned although the helper should have been killed: %v", err)
}
