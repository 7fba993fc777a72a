package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// shRunner runs /bin/sh scripts, with or without the guard.
func shRunner(t *testing.T, guard bool) *Runner {
	t.Helper()
	r := New(Config{Logger: testLogger(t), KillGrace: time.Second, DisableGuard: !guard})
	if r.Guarded() != guard {
		t.Fatalf("Guarded() = %v, want %v (does TestMain call GuardMain?)", r.Guarded(), guard)
	}
	return r
}

// TestGuardExitStatus: through the guard, a child's exit code and killing
// signal look exactly as they do without it, and the guard's Go runtime
// adds nothing to stderr (no traceback on SIGABRT).
func TestGuardExitStatus(t *testing.T) {
	cases := []struct {
		name, script string
		code         int
		signal       string
	}{
		{"success", "exit 0", 0, ""},
		{"exit code", "exit 7", 7, ""},
		{"SIGTERM", "kill -TERM $$", -1, "terminated"},
		{"SIGKILL", "kill -KILL $$", -1, "killed"},
		{"SIGPIPE", "kill -PIPE $$", -1, "broken pipe"},
		{"SIGABRT", "kill -ABRT $$", -1, "aborted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, guard := range []bool{false, true} {
				stderr := NewHead(4096)
				res, err := shRunner(t, guard).Run(testCtx(t, 30*time.Second), Spec{
					Path: "/bin/sh", Args: []string{"-c", tc.script}, Dir: t.TempDir(), Stdout: io.Discard, Stderr: stderr})
				if err != nil {
					t.Fatalf("guard=%v: %v", guard, err)
				}
				if res.ExitCode != tc.code || res.Signal != tc.signal {
					t.Errorf("guard=%v: exit %d signal %q, want %d %q", guard, res.ExitCode, res.Signal, tc.code, tc.signal)
				}
				if s := stderr.String(); s != "" {
					t.Errorf("guard=%v: stderr %q, want nothing", guard, s)
				}
			}
		})
	}
}

// TestGuardStreamsAndCancels: the child's output reaches the Runner as it
// is written (the guard passes its own descriptors on and copies nothing),
// the guard leads a group that holds the child, and a cancel empties that
// group.
func TestGuardStreamsAndCancels(t *testing.T) {
	cfg := shRunner(t, true)
	dir := t.TempDir()
	lines := make(chan string, 16)
	stdout := &Lines{Fn: func(l string) { lines <- l }, Max: 1024}
	ctx, cancel := context.WithCancel(testCtx(t, 60*time.Second))
	defer cancel()
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := cfg.Run(ctx, Spec{Path: "/bin/sh", Args: []string{"-c", "echo first; exec sleep 60"},
			Dir: dir, Stdout: stdout, Stderr: io.Discard, PIDFile: filepath.Join(dir, PIDFileName), JobID: "job-guard"})
		done <- outcome{res, err}
	}()
	select {
	case l := <-lines:
		if l != "first" {
			t.Fatalf("first line %q", l)
		}
	case o := <-done:
		t.Fatalf("ended before its first line: %+v", o)
	case <-time.After(30 * time.Second):
		t.Fatal("no output within 30s: the guard buffers it?")
	}

	rec, err := readPIDFile(filepath.Join(dir, PIDFileName))
	if err != nil {
		t.Fatal(err)
	}
	var sleeping bool
	waitFor(t, 10*time.Second, "sleep in the guard's group", func() bool {
		for _, m := range groupMembers(rec.PGID) {
			sleeping = sleeping || slices.Equal(readCmdline(m.pid), []string{"sleep", "60"})
		}
		return sleeping
	})
	if args := readCmdline(rec.PGID); len(args) < 4 || args[1] != GuardArg || args[3] != "/bin/sh" {
		t.Errorf("group leader runs %q, want the guard", args)
	}
	if !isMediaTool(readCmdline(rec.PGID)) {
		t.Error("KillLeftovers would not recognise the guard as ours")
	}

	cancel()
	select {
	case o := <-done:
		if o.err != nil || !o.res.Canceled {
			t.Errorf("after cancel: %+v", o)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return within 15s of cancel")
	}
	if m := groupMembers(rec.PGID); len(m) != 0 {
		t.Errorf("left in the group after cancel: %+v", m)
	}
}

// TestGuardChildMissing: a child the guard cannot start is ErrNotFound,
// as it is without the guard.
func TestGuardChildMissing(t *testing.T) {
	for _, guard := range []bool{false, true} {
		_, err := shRunner(t, guard).Run(testCtx(t, 30*time.Second), Spec{
			Path: "/nonexistent/yt-dlp", Dir: t.TempDir(), Stdout: io.Discard, Stderr: io.Discard})
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("guard=%v: err = %v, want ErrNotFound", guard, err)
		}
	}
}

// TestGuardMissing: a guard that is not there fails the start, with its
// own reason (not "yt-dlp is not installed").
func TestGuardMissing(t *testing.T) {
	r := New(Config{GuardExecutable: "/nonexistent/downlink"})
	_, err := r.Run(testCtx(t, 30*time.Second), Spec{
		Path: "/bin/sh", Args: []string{"-c", "exit 0"}, Dir: t.TempDir(), Stdout: io.Discard, Stderr: io.Discard})
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "process guard") {
		t.Errorf("err = %v, want a process guard start error", err)
	}
}

// TestGuardNoticesNewParent covers the fallback for a lost parent-death
// signal: a guard started by a shell (no Pdeathsig, not in a group of its
// own) makes its own group, and when the shell exits it sees its parent
// pid change and kills that group.
func TestGuardNoticesNewParent(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	pidFile, started, release := filepath.Join(tmp, "pid"), filepath.Join(tmp, "started"), filepath.Join(tmp, "release")
	script := `"$0" ` + GuardArg + ` -- /bin/sh -c 'touch "$1"; exec sleep 60' sh "$1" &
echo $! > "$2"
while [ ! -e "$3" ]; do sleep 0.05; done`
	shell := exec.Command("/bin/sh", "-c", script, exe, started, pidFile, release)
	if err := shell.Start(); err != nil {
		t.Fatal(err)
	}
	shellDone := make(chan error, 1)
	go func() { shellDone <- shell.Wait() }()
	t.Cleanup(func() { _ = shell.Process.Kill(); <-shellDone })

	waitFor(t, 30*time.Second, "the guard's child", func() bool {
		_, err := os.Stat(started)
		return err == nil
	})
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	guard, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killGroup(guard) })
	if m := groupMembers(guard); len(m) != 2 {
		t.Fatalf("guard's own group holds %+v, want the guard and sleep", m)
	}

	if err := os.WriteFile(release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	<-shellDone
	shellDone <- nil // for the cleanup
	waitFor(t, 10*time.Second, "the guard to kill its group after its parent left", func() bool {
		return len(groupMembers(guard)) == 0
	})
}

// TestGuardLeavesNothingWhenItsChildEnds: when the guard's child ends,
// whatever it started in the group goes with the guard. The case CI met:
// the Runner's process was killed, the parent-death SIGTERM came when the
// thread that had started the guard died, while other threads of the same
// process still lived (so the guard's parent pid had not changed yet); the
// guard passed the SIGTERM on, yt-dlp died of it, the guard ended with it,
// and ffmpeg lived on with nobody left to kill it.
func TestGuardLeavesNothingWhenItsChildEnds(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	pidFile, started := filepath.Join(tmp, "pid"), filepath.Join(tmp, "started")
	script := `"$0" ` + GuardArg + ` -- /bin/sh -c 'sleep 60 & touch "$1"; wait' sh "$1" &
echo $! > "$2"
sleep 60`
	shell := exec.Command("/bin/sh", "-c", script, exe, started, pidFile)
	if err := shell.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shell.Process.Kill(); _ = shell.Wait() })
	waitFor(t, 30*time.Second, "the guard's child", func() bool {
		_, err := os.Stat(started)
		return err == nil
	})
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	guard, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killGroup(guard) })
	waitFor(t, 10*time.Second, "the guard, sh and sleep in the guard's group", func() bool {
		return len(groupMembers(guard)) == 3
	})

	// The parent lives on: the guard passes SIGTERM to sh, which dies of
	// it and leaves its sleep behind.
	if err := syscall.Kill(guard, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 10*time.Second, func() error {
		if left := describeGroup(guard); left != "" {
			return errors.New("the guard's group still holds:\n" + left)
		}
		return nil
	})
}

// TestGuardKillsFFmpegWithParent is the reason for the guard: a helper
// process runs yt-dlp on an HLS stream through ffmpeg (so the group holds
// the guard, yt-dlp and a long-running ffmpeg), the helper is killed with
// SIGKILL, and within seconds nothing of that group is left, ffmpeg
// included.
//
// On a throttled stream ffmpeg keeps printing statistics and dies of a
// broken pipe soon after yt-dlp anyway; on a stalled one it waits silently
// and, without the guard, outlives everything (the last case shows it).
func TestGuardKillsFFmpegWithParent(t *testing.T) {
	srv := testmedia.NewServer(t)
	stalled, stalledSegments := stallingHLS(t)
	flowing := func() bool { return true }
	for _, tc := range []struct {
		name        string
		url         string
		ready       func() bool // ffmpeg is where the case wants it
		guard       bool
		wantOrphans bool
	}{
		{"guard/throttled", srv.SlowURL(testmedia.PathHLS, 8000), flowing, true, false},
		{"guard/stalled", stalled, stalledSegments, true, false},
		{"no guard/stalled", stalled, stalledSegments, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := []string{"YTDLP_GUARD_HELPER=1", "YTDLP_HELPER_URL=" + tc.url, "YTDLP_HELPER_DIR=" + dir}
			if !tc.guard {
				env = append(env, "YTDLP_HELPER_NO_GUARD=1")
			}
			helper, helperDone, out := testkit.StartHelper(t, "TestGuardFFmpegHelper", env...)

			var rec pidRecord
			waitFor(t, 60*time.Second, "ffmpeg in yt-dlp's group", func() bool {
				select {
				case <-helperDone:
					t.Fatalf("helper ended early:\n%s", out.String())
				default:
				}
				var err error
				if rec, err = readPIDFile(filepath.Join(dir, PIDFileName)); err != nil {
					return false
				}
				ffmpeg := membersNamed(rec.PGID, "ffmpeg")
				// Stalled: ffmpeg sleeps on its socket and prints nothing,
				// so it cannot die of a broken pipe once yt-dlp is gone.
				return len(ffmpeg) > 0 && tc.ready() && (!tc.wantOrphans || ffmpeg[0].state == 'S')
			})
			t.Cleanup(func() { killGroup(rec.PGID) })
			if leader := readCmdline(rec.PGID); (len(leader) > 1 && leader[1] == GuardArg) != tc.guard {
				t.Fatalf("group leader runs %q, guard %v", leader, tc.guard)
			}
			if len(membersNamed(rec.PGID, "yt-dlp")) == 0 {
				t.Fatalf("no yt-dlp in the group: %+v", groupMembers(rec.PGID))
			}
			before := len(groupMembers(rec.PGID))

			if err := helper.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-helperDone
			start := time.Now()
			if tc.wantOrphans {
				waitFor(t, 10*time.Second, "yt-dlp to die with the helper", func() bool {
					return len(membersNamed(rec.PGID, "yt-dlp")) == 0
				})
				if len(membersNamed(rec.PGID, "ffmpeg")) == 0 {
					t.Fatal("ffmpeg died with yt-dlp: this case no longer shows what the guard is for")
				}
				return
			}
			testkit.Eventually(t, 30*time.Second, func() error {
				if left := describeGroup(rec.PGID); left != "" {
					return errors.New("the helper's group still holds:\n" + left)
				}
				return nil
			})
			t.Logf("%d processes (guard, yt-dlp, ffmpeg) gone %v after the helper was killed", before, time.Since(start))
		})
	}
}

// stallingHLS serves the test HLS stream whose segments stop after a few
// bytes until the client goes, so ffmpeg waits silently on its socket.
// stalling reports whether a segment request is being held now.
func stallingHLS(t *testing.T) (url string, stalling func() bool) {
	dir := testmedia.HLS(t)
	done := make(chan struct{})
	var held atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Base(r.URL.Path)
		if name == "index.m3u8" {
			http.ServeFile(w, r, filepath.Join(dir, name))
			return
		}
		w.Header().Set("Content-Type", "video/mp2t")
		w.Header().Set("Content-Length", "1000000")
		_, _ = w.Write(make([]byte, 188))
		w.(http.Flusher).Flush()
		held.Add(1)
		defer held.Add(-1)
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(func() { close(done); srv.CloseClientConnections(); srv.Close() })
	return srv.URL + "/hls/index.m3u8", func() bool { return held.Load() > 0 }
}

// TestGuardFFmpegHelper runs yt-dlp with ffmpeg as its downloader (through
// the guard unless told otherwise), until TestGuardKillsFFmpegWithParent kills this process.
func TestGuardFFmpegHelper(t *testing.T) {
	if os.Getenv("YTDLP_GUARD_HELPER") == "" {
		t.Skip("helper process for TestGuardKillsFFmpegWithParent")
	}
	r := New(Config{Logger: testLogger(t), KillGrace: time.Second, DisableGuard: os.Getenv("YTDLP_HELPER_NO_GUARD") != ""})
	bin, err := Lookup(ytdlpPath())
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("YTDLP_HELPER_DIR")
	_, err = r.Run(testCtx(t, 120*time.Second), Spec{
		Path: bin, Args: []string{"--ignore-config", "--no-exec", "--downloader", "ffmpeg",
			"-P", dir, "-o", "guarded.%(ext)s", "--", os.Getenv("YTDLP_HELPER_URL")},
		Dir: dir, Stdout: io.Discard, Stderr: io.Discard,
		PIDFile: filepath.Join(dir, PIDFileName), JobID: "job-guarded",
	})
	t.Fatalf("Run returned although the helper should have been killed: %v", err)
}

// membersNamed returns the live processes of group pgid whose program
// (argv[0], or the script python runs) is called name.
func membersNamed(pgid int, name string) []procStat {
	var out []procStat
	for _, m := range groupMembers(pgid) {
		args := readCmdline(m.pid)
		for i := 0; i < len(args) && i < 2; i++ {
			if filepath.Base(args[i]) == name {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// describeGroup lists pgid's live members with their state, parent and
// command line, for a failure message.
func describeGroup(pgid int) string {
	var b strings.Builder
	for _, m := range groupMembers(pgid) {
		ppid := "?"
		if st, err := os.ReadFile("/proc/" + strconv.Itoa(m.pid) + "/stat"); err == nil {
			if f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:])); len(f) > 1 {
				ppid = f[1]
			}
		}
		fmt.Fprintf(&b, "  pid %d state %c ppid %s: %q\n", m.pid, m.state, ppid, readCmdline(m.pid))
	}
	return b.String()
}
