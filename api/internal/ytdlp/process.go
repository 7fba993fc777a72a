package ytdlp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// ErrNotInstalled is returned when the yt-dlp executable cannot be found or
// run.
var ErrNotInstalled = errors.New("ytdlp: yt-dlp is not installed or not executable")

// Config says where the tools are and how children run.
type Config struct {
	// Path is the yt-dlp executable: a path, or a name looked up in PATH.
	// Default "yt-dlp".
	Path string
	// FFmpegPath is passed as --ffmpeg-location when set.
	FFmpegPath string
	// Home is the child's HOME (yt-dlp's cache lives below it). Default: our
	// own HOME, else the temp folder.
	Home string
	// SearchPath is the child's PATH. Default: our own PATH.
	SearchPath string
	// Version skips detection when set (e.g. from a startup check).
	Version string
	// KillGrace is how long a canceled process group gets between SIGTERM
	// and SIGKILL. Default 3 s.
	KillGrace time.Duration
	// Logger receives debug lines of yt-dlp's output and warnings. Default:
	// discard.
	Logger *slog.Logger
	// GuardExecutable is the process guard started between Downlink and
	// yt-dlp, so that ffmpeg dies with Downlink too (see
	// RunGuardIfRequested): an executable that handles GuardArg. Default:
	// this executable, when it can act as the guard (its main or TestMain
	// called RunGuardIfRequested); otherwise none.
	GuardExecutable string
	// DisableGuard starts yt-dlp directly: yt-dlp still dies with Downlink
	// (Pdeathsig), but an ffmpeg it started lives on until the next
	// start's KillLeftovers.
	DisableGuard bool

	// guardPath and guardArgv0 say how to start the guard; empty: no guard.
	guardPath, guardArgv0 string
}

const (
	defaultKillGrace = 3 * time.Second
	// pipeWaitDelay bounds how long Wait waits for output pipes after the
	// process exited (a leftover grandchild may hold them open).
	pipeWaitDelay = 2 * time.Second
	// groupGoneTimeout bounds the wait for a killed group to disappear.
	groupGoneTimeout = 3 * time.Second
)

func (c *Config) setDefaults() {
	if c.Path == "" {
		c.Path = "yt-dlp"
	}
	if c.KillGrace <= 0 {
		c.KillGrace = defaultKillGrace
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.DisableGuard || c.guardPath != "" {
		return
	}
	if c.GuardExecutable == "" {
		c.guardPath, c.guardArgv0 = selfGuard()
		return
	}
	// The child runs in the job's folder: a relative path must not be
	// looked up there.
	p, err := exec.LookPath(c.GuardExecutable)
	if err == nil {
		p, err = filepath.Abs(p)
	}
	if err != nil {
		p = c.GuardExecutable // fails at start, with the reason
	}
	c.guardPath, c.guardArgv0 = p, p
}

// Guarded reports whether yt-dlp runs under the process guard.
func (c *Config) Guarded() bool { return c.guardPath != "" }

// resolve returns the absolute path of the executable.
func (c *Config) resolve() (string, error) {
	p, err := exec.LookPath(c.Path)
	if err != nil {
		return "", fmt.Errorf("%w (%s): %w", ErrNotInstalled, c.Path, err)
	}
	return p, nil
}

// childEnv is the whole environment of a child: nothing is inherited, so
// DOWNLINK_* secrets, proxy variables and PYTHON* never reach yt-dlp or
// ffmpeg.
func childEnv(c *Config) map[string]string {
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

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range []string{"HOME", "LANG", "PATH"} {
		if v, ok := m[k]; ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// procSpec is one child process to run.
type procSpec struct {
	path    string
	args    []string
	dir     string
	stdout  io.Writer
	stderr  io.Writer
	pidFile string // written after start, removed after the group is gone
	jobID   string
}

// procResult is how a child ended.
type procResult struct {
	pgid     int
	exitCode int    // -1 when killed by a signal
	signal   string // e.g. "killed", when killed by a signal
	canceled bool   // ctx ended before the process did
}

// runProcess runs spec in its own process group and waits for it and for
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
func runProcess(ctx context.Context, cfg *Config, spec procSpec) (procResult, error) {
	cmd := &exec.Cmd{
		Path:        spec.path,
		Args:        append([]string{spec.path}, spec.args...),
		Env:         envList(childEnv(cfg)),
		Dir:         spec.dir,
		Stdout:      spec.stdout,
		Stderr:      spec.stderr,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
		WaitDelay:   pipeWaitDelay,
	}
	// head keeps the start of stderr, where a guard that could not start
	// the child says why.
	var head *boundedBuffer
	if cfg.Guarded() {
		cmd.Path = cfg.guardPath
		cmd.Args = guardArgs(cfg.guardArgv0, spec.path, spec.args)
		cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
		head = &boundedBuffer{limit: 1024}
		if spec.stderr != nil {
			cmd.Stderr = io.MultiWriter(spec.stderr, head)
		} else {
			cmd.Stderr = head
		}
	}
	if err := ctx.Err(); err != nil {
		return procResult{canceled: true, exitCode: -1}, nil
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
		case cfg.Guarded():
			return procResult{}, fmt.Errorf("ytdlp: start the process guard %s: %w", cfg.guardPath, err)
		case isNotInstalled(err):
			return procResult{}, fmt.Errorf("%w (%s): %w", ErrNotInstalled, spec.path, err)
		}
		return procResult{}, fmt.Errorf("ytdlp: start: %w", err)
	}
	res := procResult{pgid: cmd.Process.Pid}
	if spec.pidFile != "" {
		if err := writePIDFile(spec.pidFile, res.pgid, spec.jobID); err != nil {
			cfg.Logger.Warn("yt-dlp pid file not written; a crash would leave this process for the next start to miss",
				"job_id", spec.jobID, "err", err)
		}
	}

	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		_ = syscall.Kill(-res.pgid, syscall.SIGTERM)
		grace := time.NewTimer(cfg.KillGrace)
		select {
		case werr = <-waited:
			grace.Stop()
		case <-grace.C:
			_ = syscall.Kill(-res.pgid, syscall.SIGKILL)
			werr = <-waited
		}
	}
	// yt-dlp is reaped; anything left in its group (an ffmpeg it started
	// before dying) goes too, so no child outlives its job.
	killGroup(res.pgid)
	if spec.pidFile != "" {
		_ = os.Remove(spec.pidFile)
	}

	if werr != nil && !errors.Is(werr, exec.ErrWaitDelay) {
		var exitErr *exec.ExitError
		if !errors.As(werr, &exitErr) {
			cfg.Logger.Debug("yt-dlp wait", "job_id", spec.jobID, "err", werr)
		}
	}
	res.exitCode = cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.signal = ws.Signal().String()
	}
	res.canceled = ctx.Err() != nil && res.exitCode != 0
	if head != nil && !res.canceled && res.exitCode == guardStartFailed && strings.Contains(head.String(), guardStartFailedPrefix) {
		return res, guardStartError(spec.path, head.String())
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
