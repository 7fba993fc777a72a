package warm_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
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
	"github.com/downlink/downlink/api/internal/ytdlp/warm"
)

// TestMain lets the test binary serve as its own process guard, as the
// downlink binary does: warm starts need the guard.
func TestMain(m *testing.M) { proc.GuardMain(m) }

const ytdlpPath = "/usr/bin/yt-dlp"

func needYtdlp(t *testing.T) {
	t.Helper()
	if _, ok := warmable(ytdlpPath); !ok {
		t.Skipf("%s is not a Python yt-dlp", ytdlpPath)
	}
}

func warmable(bin string) (string, bool) {
	b, err := os.ReadFile(bin)
	if err != nil || !strings.HasPrefix(string(b), "#!") {
		return "", false
	}
	return string(b), strings.Contains(strings.SplitN(string(b), "\n", 2)[0], "python")
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// newPool returns a Pool on runner, stopped (and waited for) when the test
// ends.
func newPool(t *testing.T, runner *proc.Runner, env map[string]string) *warm.Pool {
	t.Helper()
	// A test waits for the server as long as a loaded machine takes to
	// import yt-dlp (a job in production falls back to exec after 20 s).
	p := warm.New(warm.Config{Proc: runner, Env: env, Logger: testLogger(t), StartTimeout: 90 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("pool did not stop")
		}
	})
	return p
}

// report is what testdata/report.py found in the process it ran in.
type report struct {
	PID            int               `json:"pid"`
	PGID           int               `json:"pgid"`
	Parent         []string          `json:"parent"`
	Cwd            string            `json:"cwd"`
	Env            map[string]string `json:"env"`
	Argv           []string          `json:"argv"`
	Cmdline        []string          `json:"cmdline"`
	Mark           *string           `json:"mark"`
	FFmpegLocation string            `json:"ffmpeg_location"`
	PluginDirs     []string          `json:"plugin_dirs"`
	Plugins        []string          `json:"plugins"`
	StdoutTTY      bool              `json:"stdout_tty"`
	StdoutEncoding string            `json:"stdout_encoding"`
}

// pluginDir makes a --plugin-dirs folder holding testdata/report.py as the
// extractor plugin module name.
func pluginDir(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile("testdata/report.py")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mod := filepath.Join(dir, "pkg", "yt_dlp_plugins", "extractor")
	if err := os.MkdirAll(mod, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, name+".py"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runReport runs yt-dlp with the report plugin in a fresh folder (warm
// when socket is set) and returns the report, the result and the output.
func runReport(t *testing.T, r *proc.Runner, socket, plugins string, extraArgs []string, env map[string]string) (report, proc.Result, string) {
	t.Helper()
	return runReportOf(t, r, ytdlpPath, socket, plugins, extraArgs, env)
}

func runReportOf(t *testing.T, r *proc.Runner, bin, socket, plugins string, extraArgs []string, env map[string]string) (report, proc.Result, string) {
	t.Helper()
	dir := t.TempDir()
	// Nothing listens on port 1: extraction fails at once, after the
	// plugins were loaded.
	args := append([]string{"--ignore-config", "--no-progress", "--plugin-dirs", plugins}, extraArgs...)
	args = append(args, "--", "http://127.0.0.1:1/nothing.mp4")
	var out strings.Builder
	stderr := proc.NewTail(16 << 10)
	res, err := r.Run(testCtx(t, 60*time.Second), proc.Spec{Path: bin, Args: args, Dir: dir, Env: env,
		Stdout: &out, Stderr: stderr, ForkServer: socket})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("no report (exit %d): %v\nstderr: %s", res.ExitCode, err, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep, res, out.String() + stderr.String()
}

func isForkServer(cmdline []string) bool {
	return slices.ContainsFunc(cmdline, func(a string) bool { return filepath.Base(a) == warm.ScriptName })
}

// TestWarmChildIsAFreshExec runs two jobs warm, one after the other, and
// the second again by plain exec: each warm child is forked by the server
// yet lives in its job's process group (led by the guard), with its job's
// environment (nothing else), folder and argv, and the second sees nothing
// the first left in yt_dlp's module state (a global, a context variable
// set by --ffmpeg-location, a loaded plugin); what the second reports warm
// is what it reports after an exec.
func TestWarmChildIsAFreshExec(t *testing.T) {
	t.Parallel()
	needYtdlp(t)
	runner := proc.New(proc.Config{Home: t.TempDir(), Logger: testLogger(t)})
	if !runner.Guarded() {
		t.Fatal("the test binary should serve as the guard")
	}
	pool := newPool(t, runner, nil)
	socket, release := pool.Acquire(testCtx(t, 60*time.Second), ytdlpPath, "")
	defer release()
	if socket == "" {
		t.Fatal("no fork server for the Debian yt-dlp")
	}
	if st, err := os.Stat(filepath.Dir(socket)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder: %v, %v (want 0700)", st.Mode(), err)
	}

	first, res1, out1 := runReport(t, runner, socket, pluginDir(t, "first"),
		[]string{"--ffmpeg-location", "/nonexistent/ffmpeg-of-the-first-job"}, map[string]string{"WARM_TEST_FIRST": "1"})
	second, res2, out2 := runReport(t, runner, socket, pluginDir(t, "second"), nil, nil)
	cold, _, out3 := runReport(t, runner, "", pluginDir(t, "second"), nil, nil)

	for i, tc := range []struct {
		rep  report
		res  proc.Result
		out  string
		warm bool
	}{{first, res1, out1, true}, {second, res2, out2, true}, {cold, proc.Result{}, out3, false}} {
		if isForkServer(tc.rep.Parent) != tc.warm {
			t.Errorf("job %d: parent %q, warm %v", i, tc.rep.Parent, tc.warm)
		}
		if tc.warm && tc.rep.PGID != tc.res.PGID {
			t.Errorf("job %d: in group %d, want the guard's %d", i, tc.rep.PGID, tc.res.PGID)
		}
		if tc.warm && tc.res.ExitCode != 1 {
			t.Errorf("job %d: exit %d, want yt-dlp's 1 for a failed download", i, tc.res.ExitCode)
		}
		if !strings.Contains(tc.out, "Connection refused") {
			t.Errorf("job %d: yt-dlp's error missing from its output: %s", i, tc.out)
		}
	}
	if first.Env["WARM_TEST_FIRST"] != "1" {
		t.Errorf("first job's environment lacks its variable: %v", first.Env)
	}
	if second.Mark != nil || second.FFmpegLocation != "" || slices.Contains(second.Plugins, "yt_dlp_plugins.extractor.first") {
		t.Errorf("second job sees the first's state: mark %v, ffmpeg location %q, plugins %v",
			second.Mark, second.FFmpegLocation, second.Plugins)
	}
	if first.Mark != nil {
		t.Errorf("the pristine server had a mark: %v", *first.Mark)
	}
	// Warm and cold alike: environment, argv, module state, streams.
	normalize := func(r report) report {
		r.PID, r.PGID, r.Parent, r.Cwd = 0, 0, nil, ""
		r.PluginDirs = nil
		for _, args := range []*[]string{&r.Argv, &r.Cmdline} {
			*args = slices.Clone(*args)
			for i, a := range *args {
				if strings.HasPrefix(a, os.TempDir()) {
					(*args)[i] = "<dir>"
				}
			}
		}
		return r
	}
	w, c := normalize(second), normalize(cold)
	wj, _ := json.Marshal(w)
	cj, _ := json.Marshal(c)
	if string(wj) != string(cj) {
		t.Errorf("warm child differs from an exec:\nwarm %s\nexec %s", wj, cj)
	}
	if second.Cwd == first.Cwd || !strings.HasPrefix(second.Cwd, os.TempDir()) {
		t.Errorf("folders: first %q, second %q", first.Cwd, second.Cwd)
	}
	for k := range second.Env {
		if k != "HOME" && k != "PATH" && k != "LANG" {
			t.Errorf("variable %s reached the child", k)
		}
	}
}

// TestWarmFallsBackToExec: where no fork server can serve, jobs run by a
// plain exec and still succeed: a yt-dlp that is not a Python script (the
// managed standalone binary is an executable like this one), a server that
// died (its socket gone), and a server whose yt-dlp version is not the
// one the job expects.
func TestWarmFallsBackToExec(t *testing.T) {
	t.Parallel()
	needYtdlp(t)
	runner := proc.New(proc.Config{Home: t.TempDir(), Logger: testLogger(t)})
	pool := newPool(t, runner, nil)
	ctx := testCtx(t, 60*time.Second)

	t.Run("standalone binary", func(t *testing.T) {
		exe, err := os.Executable() // an ELF file, as the PyInstaller build is
		if err != nil {
			t.Fatal(err)
		}
		if s, release := pool.Acquire(ctx, exe, ""); s != "" {
			release()
			t.Errorf("fork server for a non-Python executable: %s", s)
		}
	})
	t.Run("server died", func(t *testing.T) {
		socket, release := pool.Acquire(ctx, ytdlpPath, "")
		if socket == "" {
			t.Fatal("no fork server")
		}
		server := serverPID(t, socket)
		if err := syscall.Kill(server, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		testkit.EventuallyTrue(t, 10*time.Second, "the server to be gone", func() bool { return !proc.Alive(server) })
		// A job that got the socket before the server died: plain exec.
		var out strings.Builder
		res, err := runner.Run(ctx, proc.Spec{Path: ytdlpPath, Args: []string{"--ignore-config", "--version"},
			Stdout: &out, Stderr: io.Discard, ForkServer: socket})
		release()
		if err != nil || res.ExitCode != 0 || !strings.HasPrefix(out.String(), "20") {
			t.Errorf("exec fallback: %v, exit %d, output %q", err, res.ExitCode, out.String())
		}
		// The next job gets a new server.
		testkit.Eventually(t, 30*time.Second, func() error {
			s, release := pool.Acquire(ctx, ytdlpPath, "")
			defer release()
			if s == "" || s == socket {
				return fmt.Errorf("socket %q", s)
			}
			return nil
		})
	})
	t.Run("server gone", func(t *testing.T) {
		dead := filepath.Join(t.TempDir(), "s")
		var out strings.Builder
		res, err := runner.Run(ctx, proc.Spec{Path: ytdlpPath, Args: []string{"--ignore-config", "--version"},
			Stdout: &out, Stderr: io.Discard, ForkServer: dead})
		if err != nil || res.ExitCode != 0 || !strings.HasPrefix(out.String(), "20") {
			t.Errorf("exec fallback: %v, exit %d, output %q", err, res.ExitCode, out.String())
		}
	})
	t.Run("another version", func(t *testing.T) {
		if s, release := pool.Acquire(ctx, ytdlpPath, "1999.01.01"); s != "" {
			release()
			t.Errorf("fork server for a version it does not have: %s", s)
		}
	})
}

// serverPID finds the fork server listening on socket (its command line
// names the socket).
func serverPID(t *testing.T, socket string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		args := proc.Cmdline(pid)
		if isForkServer(args) && slices.Contains(args, socket) {
			return pid
		}
	}
	t.Fatalf("no fork server for %s", socket)
	return 0
}

// TestWarmZipapp: yt-dlp's zipapp (a "#!/usr/bin/env python3" line and a
// zip, as yt-dlp releases it) starts warm too, with yt_dlp imported from
// the zip.
func TestWarmZipapp(t *testing.T) {
	t.Parallel()
	needYtdlp(t)
	const pkg = "/usr/lib/python3/dist-packages/yt_dlp"
	if _, err := os.Stat(pkg); err != nil {
		t.Skip("no yt_dlp package to pack")
	}
	zipapp := filepath.Join(t.TempDir(), "yt-dlp")
	f, err := os.OpenFile(zipapp, os.O_CREATE|os.O_WRONLY, 0o700)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("#!/usr/bin/env python3\n"); err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	add := func(name, src string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(b)
	}
	add("__main__.py", filepath.Join(pkg, "__main__.py"))
	err = filepath.WalkDir(pkg, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".py") {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(pkg), p)
		add(rel, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	runner := proc.New(proc.Config{Home: t.TempDir(), Logger: testLogger(t)})
	pool := newPool(t, runner, nil)
	socket, release := pool.Acquire(testCtx(t, 90*time.Second), zipapp, "")
	defer release()
	if socket == "" {
		t.Fatal("no fork server for the zipapp")
	}
	rep, _, out := runReportOf(t, runner, zipapp, socket, pluginDir(t, "zipped"), nil, nil)
	if !isForkServer(rep.Parent) || !strings.Contains(out, "Connection refused") {
		t.Errorf("parent %q; output %s", rep.Parent, out)
	}
	if len(rep.Cmdline) < 2 || rep.Cmdline[1] != zipapp {
		t.Errorf("command line %q, want python3 %s …", rep.Cmdline, zipapp)
	}
}
