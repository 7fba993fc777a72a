package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrNotFound is returned when a child's executable cannot be found or
// run (callers wrap it in their own: ytdlp.ErrNotInstalled, …).
var ErrNotFound = errors.New("proc: executable not found or not executable")

// Config says how children run.
type Config struct {
	// Home is the child's HOME (yt-dlp's cache lives below it). Default: our
	// own HOME, else the temp folder.
	Home string
	// SearchPath is the child's PATH. Default: our own PATH.
	SearchPath string
	// KillGrace is how long a canceled process group gets between SIGTERM
	// and SIGKILL. Default 3 s.
	KillGrace time.Duration
	// Logger receives debug lines and warnings. Default: discard.
	Logger *slog.Logger
	// GuardExecutable is the process guard started between Downlink and
	// the child, so that grandchildren (ffmpeg under yt-dlp) die with
	// Downlink too (see RunGuardIfRequested): an executable that handles
	// GuardArg. Default: this executable, when it can act as the guard (its
	// main or TestMain called RunGuardIfRequested); otherwise none.
	GuardExecutable string
	// DisableGuard starts the child directly: it still dies with Downlink
	// (Pdeathsig), but what it started lives on until the next start's
	// KillLeftovers.
	DisableGuard bool
}

// Runner starts children, every one the same way: its own process group
// (led by the guard, which has the parent-death signal and kills the group
// when Downlink dies), a reduced environment (HOME, PATH, LANG: no
// DOWNLINK_* secret, database URL or proxy variable reaches a child), the
// group killed on cancel (SIGTERM, then SIGKILL after KillGrace) and
// whatever is left of it killed when the child ends. Output goes where the
// Spec says; Head and Tail bound it. Safe for concurrent use.
type Runner struct {
	cfg Config
	// guardPath and guardArgv0 say how to start the guard; empty: no guard.
	guardPath, guardArgv0 string
}

// New returns a Runner.
func New(cfg Config) *Runner {
	if cfg.KillGrace <= 0 {
		cfg.KillGrace = defaultKillGrace
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg}
	switch {
	case cfg.DisableGuard:
	case cfg.GuardExecutable == "":
		r.guardPath, r.guardArgv0 = selfGuard()
	default:
		// The child runs in its own folder: a relative path must not be
		// looked up there.
		p, err := exec.LookPath(cfg.GuardExecutable)
		if err == nil {
			p, err = filepath.Abs(p)
		}
		if err != nil {
			p = cfg.GuardExecutable // fails at start, with the reason
		}
		r.guardPath, r.guardArgv0 = p, p
	}
	return r
}

// Guarded reports whether children run under the process guard.
func (r *Runner) Guarded() bool { return r.guardPath != "" }

// Lookup resolves an executable's name or path to an absolute path (a
// missing one is ErrNotFound).
func Lookup(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w (%s): %w", ErrNotFound, name, err)
	}
	return p, nil
}

const (
	defaultKillGrace = 3 * time.Second
	// pipeWaitDelay bounds how long Wait waits for output pipes after the
	// process exited (a leftover grandchild may hold them open).
	pipeWaitDelay = 2 * time.Second
	// groupGoneTimeout bounds the wait for a killed group to disappear.
	groupGoneTimeout = 3 * time.Second
)

// childEnv is the whole environment of a child: nothing is inherited, so
// DOWNLINK_* secrets, proxy variables and PYTHON* never reach yt-dlp or
// ffmpeg.
func childEnv(c Config) map[string]string {
	path := c.SearchPath
	if path == "" {
		path = os.Getenv("PATH")
	}
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	home := c.Home
	if home == "" {
		home = os.Getenv("HOME")
	}
	if home == "" {
		home = os.TempDir()
	}
	return map[string]string{"PATH": path, "HOME": home, "LANG": "C.UTF-8"}
}

func withEnv(base, extra map[string]string) map[string]string {
	maps.Copy(base, extra)
	return base
}

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
}

// Spec is one child to run.
type Spec struct {
	// Path is the executable, absolute (Lookup).
	Path string
	Args []string
	// Dir is its working folder ("": ours).
	Dir string
	// Stdout and Stderr receive its output (nil: discarded); give bounded
	// writers (Head, Tail).
	Stdout, Stderr io.Writer
	// PIDFile, when set, records the group while it runs, for
	// KillLeftovers after a crash; JobID goes into it.
	PIDFile, JobID string
	// Env adds variables to the child's environment, which otherwise holds
	// only HOME, PATH and LANG: what the child must have is named here,
	// nothing of Downlink's reaches it by accident.
	Env map[string]string
	// ForkServer, when set, is the unix socket of a fork server that has
	// Path's interpreter warm (package ytdlp/warm): the guard asks it to
	// fork the child, which then runs as after an exec (same group, guard,
	// argv, environment, folder and output pipes), and execs Path itself
	// when the server cannot. Ignored without the guard.
	ForkServer string
}

// Result is how a child ended.
type Result struct {
	PGID     int
	ExitCode int    // -1 when killed by a signal
	Signal   string // e.g. "killed", when killed by a signal
	Canceled bool   // ctx ended before the process did
}

// Run runs spec in its own process group and waits for it and for
// every process left in its group.
//
// With a guard (cfg.Guarded), the group's leader is the guard, started
// with Pdeathsig SIGTERM: when Downlink dies, the guard SIGKILLs the whole
// group, ffmpeg included. Without one, the child itself gets Pdeathsig
// SIGKILL, which reaches yt-dlp only. Linux sends that signal when the OS
// *thread* that forked the child exits, not the process, and Go retires
// idle threads; so the goroutine that starts the child locks itself to its
// thread and stays there until Wait returns.
//
// On ctx end the whole group (guard, yt-dlp and its ffmpeg children) gets
// SIGTERM, then SIGKILL after cfg.KillGrace.
func (r *Runner) Run(ctx context.Context, spec Spec) (Result, error) {
	cfg := r.cfg
	cmd := &exec.Cmd{
		Path:        spec.Path,
		Args:        append([]string{spec.Path}, spec.Args...),
		Env:         envList(withEnv(childEnv(cfg), spec.Env)),
		Dir:         spec.Dir,
		Stdout:      spec.Stdout,
		Stderr:      spec.Stderr,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
		WaitDelay:   pipeWaitDelay,
	}
	// head keeps the start of stderr, where a guard that could not start
	// the child says why.
	var head *Head
	if r.Guarded() {
		cmd.Path = r.guardPath
		cmd.Args = guardArgs(r.guardArgv0, spec.ForkServer, spec.Path, spec.Args)
		cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
		head = NewHead(1024)
		if spec.Stderr != nil {
			cmd.Stderr = io.MultiWriter(spec.Stderr, head)
		} else {
			cmd.Stderr = head
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{Canceled: true, ExitCode: -1}, nil
	}
	started := make(chan error, 1)
	waited := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		waited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		switch {
		case r.Guarded():
			return Result{}, fmt.Errorf("proc: start the process guard %s: %w", r.guardPath, err)
		case isNotInstalled(err):
			return Result{}, fmt.Errorf("%w (%s): %w", ErrNotFound, spec.Path, err)
		}
		return Result{}, fmt.Errorf("proc: start %s: %w", spec.Path, err)
	}
	res := Result{PGID: cmd.Process.Pid}
	if spec.PIDFile != "" {
		if err := writePIDFile(spec.PIDFile, res.PGID, spec.JobID); err != nil {
			cfg.Logger.Warn("pid file not written; a crash would leave this process for the next start to miss",
				"job_id", spec.JobID, "err", err)
		}
	}

	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		_ = syscall.Kill(-res.PGID, syscall.SIGTERM)
		grace := time.NewTimer(cfg.KillGrace)
		select {
		case werr = <-waited:
			grace.Stop()
		case <-grace.C:
			_ = syscall.Kill(-res.PGID, syscall.SIGKILL)
			werr = <-waited
		}
	}
	// The child is reaped; anything left in its group (an ffmpeg yt-dlp
	// started before dying) goes too, so no grandchild outlives it.
	killGroup(res.PGID)
	if spec.PIDFile != "" {
		_ = os.Remove(spec.PIDFile)
	}

	if werr != nil && !errors.Is(werr, exec.ErrWaitDelay) {
		var exitErr *exec.ExitError
		if !errors.As(werr, &exitErr) {
			cfg.Logger.Debug("child wait", "job_id", spec.JobID, "err", werr)
		}
	}
	res.ExitCode = cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Signal = ws.Signal().String()
	}
	res.Canceled = ctx.Err() != nil && res.ExitCode != 0
	if head != nil && !res.Canceled && res.ExitCode == guardStartFailed && strings.Contains(head.String(), guardStartFailedPrefix) {
		return res, guardStartError(spec.Path, head.String())
	}
	return res, nil
}

// killGroup SIGKILLs what is left of process group pgid, if anything, and
// waits until it is gone.
func killGroup(pgid int) {
	if len(groupMembers(pgid)) == 0 {
		return
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	waitGroupGone(pgid, groupGoneTimeout)
}

// waitGroupGone polls until no live process is in group pgid.
func waitGroupGone(pgid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if len(groupMembers(pgid)) == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isMediaTool reports whether a command line is yt-dlp (the script, a
// zipapp or "python -m yt_dlp"), ffmpeg, ffprobe or the process guard.
func isMediaTool(args []string) bool {
	for i, a := range args {
		if i > 2 {
			break
		}
		base := a[strings.LastIndexByte(a, '/')+1:]
		switch {
		case a == GuardArg, base == "ffmpeg", base == "ffprobe",
			strings.HasPrefix(base, "yt-dlp"), strings.HasPrefix(base, "yt_dlp"):
			return true
		}
	}
	return false
}
