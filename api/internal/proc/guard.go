package proc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// The process guard.
//
// Pdeathsig reaches only the process it was set on. Started directly,
// yt-dlp dies with Downlink, but the ffmpeg it started (merging, audio
// extraction, HLS through ffmpeg) is re-parented and keeps running until
// the next start's KillLeftovers. So Downlink starts a tiny guard instead:
// its own executable with GuardArg first, in a new process group with
// Pdeathsig SIGTERM. The guard starts yt-dlp in the same group and, when its
// parent dies, SIGKILLs the whole group (yt-dlp, ffmpeg, and itself).
//
//	downlink ──(Pdeathsig SIGTERM, new group G)──▶ guard ──(same group G)──▶ yt-dlp ──▶ ffmpeg

// GuardArg is the first argument that turns a Downlink executable (or a test
// binary whose TestMain calls GuardMain) into the process guard:
//
//	<executable> __downlink_guard -- <yt-dlp> <args…>
const GuardArg = "__downlink_guard"

const (
	// guardPollInterval is how often the guard compares its parent pid
	// with the one it started with, in case the parent-death signal was
	// lost (e.g. the guard was started by something that set none).
	guardPollInterval = 500 * time.Millisecond
	// guardStartFailed is the guard's exit code when it could not start
	// its child (as a shell's "command not found"); its stderr then holds
	// a line with guardStartFailedPrefix.
	guardStartFailed       = 127
	guardUsageExit         = 2
	guardStartFailedPrefix = "downlink-guard: cannot start "
)

// guardCapable is set once this executable has shown that it can act as
// the guard (RunGuardIfRequested ran at its start). It is process-wide on
// purpose: it is a fact about the executable, like os.Args, and it keeps a
// test binary that would not recognise GuardArg (and would run its tests
// instead) from ever being started as a guard.
var guardCapable atomic.Bool

// RunGuardIfRequested makes this process the guard and never returns when
// the process was started as one (os.Args[1] == GuardArg); otherwise it
// only records that this executable can serve as the guard and returns.
//
// Call it first thing in main (and in TestMain of test binaries that run
// yt-dlp through a Runner, see GuardMain), before anything else starts.
func RunGuardIfRequested() {
	guardCapable.Store(true)
	if len(os.Args) < 2 || os.Args[1] != GuardArg {
		return
	}
	os.Exit(runGuard(os.Args[2:], os.Stderr))
}

// GuardMain is a TestMain for test binaries that run downloads through a
// Runner: the binary then serves as its own process guard, as the downlink
// binary does.
//
//	func TestMain(m *testing.M) { proc.GuardMain(m) }
//
// A TestMain that does more calls proc.RunGuardIfRequested() first.
func GuardMain(m interface{ Run() int }) {
	RunGuardIfRequested()
	os.Exit(m.Run())
}

// selfGuard returns how to start this executable as the guard: the path to
// exec and the argv[0] to show, or "" when this executable cannot act as
// one. /proc/self/exe, read by the child between fork and exec, is the
// running binary even when its file was replaced by an upgrade.
func selfGuard() (path, argv0 string) {
	if !guardCapable.Load() {
		return "", ""
	}
	exe, err := os.Executable()
	if err != nil {
		return "", ""
	}
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", exe
	}
	return exe, exe
}

// guardArgs wraps path and args into the guard's command line; with a
// forkServer socket, the guard asks that server for the child first.
func guardArgs(argv0, forkServer, path string, args []string) []string {
	out := []string{argv0, GuardArg}
	if forkServer != "" {
		out = append(out, ForkServerArg, forkServer)
	}
	return append(append(out, "--", path), args...)
}

// runGuard is the guard's main: it runs args ("--", child, child args…)
// and returns the exit code to leave with. It leaves by the child's signal
// itself when the child was killed by one.
func runGuard(args []string, stderr io.Writer) int {
	var forkServer string
	if len(args) >= 2 && args[0] == ForkServerArg {
		forkServer, args = args[1], args[2:]
	}
	if len(args) < 2 || args[0] != "--" {
		fmt.Fprintln(stderr, "downlink-guard: usage: "+GuardArg+" ["+ForkServerArg+" <socket>] -- <program> [args…]")
		return guardUsageExit
	}
	// The group kill below must never reach whoever started us: if we are
	// not the leader of our own group yet, become it.
	if syscall.Getpgrp() != os.Getpid() {
		if err := syscall.Setpgid(0, 0); err != nil {
			fmt.Fprintln(stderr, "downlink-guard: cannot start a process group:", err)
			return guardUsageExit
		}
	}
	parent := os.Getppid()
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if forkServer != "" {
		// A warm start when the server takes it; else exec, below.
		if w, err := startWarm(forkServer, args[1:]); err == nil {
			return superviseWarm(w, sigs, parent)
		}
	}

	child := &exec.Cmd{
		Path:   args[1],
		Args:   args[1:],
		Stdin:  os.Stdin, // *os.File: passed as fds, nothing copied or buffered
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		// Same group (no Setpgid). If the guard itself dies, the child
		// follows; the Runner then kills what is left of the group.
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	started := make(chan error, 1)
	waited := make(chan *os.ProcessState, 1)
	go func() {
		// Pdeathsig follows the forking thread, not the process.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := child.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = child.Wait()
		waited <- child.ProcessState
	}()
	if err := <-started; err != nil {
		fmt.Fprintf(stderr, "%s%s: %v\n", guardStartFailedPrefix, args[1], err)
		return guardStartFailed
	}
	// Package initialisation of the whole binary ran before main; what it
	// allocated is garbage now and goes back to the OS, so a guard costs a
	// few MB per download rather than tens. Only now: the child must not
	// wait for this collection to start.
	debug.FreeOSMemory()

	poll := time.NewTicker(guardPollInterval)
	defer poll.Stop()
	for {
		select {
		case st := <-waited:
			killRestOfGroup()
			return exitLike(st)
		case sig := <-sigs:
			if os.Getppid() != parent {
				killOwnGroup()
			}
			// Downlink (or an operator) asks the child to stop: pass it
			// on, and wait for the child to exit as usual.
			_ = child.Process.Signal(sig)
		case <-poll.C:
			if os.Getppid() != parent {
				killOwnGroup()
			}
		}
	}
}

// superviseWarm is runGuard's loop for a child that a fork server
// started: the same signals passed on, the same parent watch, the same exit.
func superviseWarm(w *warmChild, sigs <-chan os.Signal, parent int) int {
	debug.FreeOSMemory()
	poll := time.NewTicker(guardPollInterval)
	defer poll.Stop()
	for {
		select {
		case e := <-w.done:
			killRestOfGroup()
			if e.sig != 0 {
				dieBySignal(e.sig)
				return 128 + int(e.sig)
			}
			return e.code
		case sig := <-sigs:
			if os.Getppid() != parent {
				killOwnGroup()
			}
			w.signal(sig)
		case <-poll.C:
			if os.Getppid() != parent {
				killOwnGroup()
			}
		}
	}
}

// killOwnGroup SIGKILLs the guard's whole group, the guard included: the
// parent is gone, and nothing in the group may outlive it.
func killOwnGroup() {
	_ = syscall.Kill(-syscall.Getpgrp(), syscall.SIGKILL)
	// Not reached: SIGKILL is not deliverable late.
	os.Exit(128 + int(syscall.SIGKILL))
}

// killRestOfGroup SIGKILLs every other process of the guard's group once
// its child has ended: what the child started (ffmpeg) must not outlive
// it. The Runner does the same after the guard, but only while it lives:
// when it was killed, the parent-death signal can come while another of
// its threads still runs (it follows the thread that started the guard),
// so the guard passes a SIGTERM on as a stop request, the child dies of
// it, and this is the last chance to end the rest.
func killRestOfGroup() {
	self := os.Getpid()
	for range 2 { // a member forking while the first pass runs
		for _, m := range groupMembers(syscall.Getpgrp()) {
			if m.pid != self {
				_ = syscall.Kill(m.pid, syscall.SIGKILL)
			}
		}
	}
}

// exitLike returns the child's exit code, or ends the guard by the signal
// that ended the child, so the Runner sees what it would have seen
// without the guard.
func exitLike(st *os.ProcessState) int {
	ws, ok := st.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return st.ExitCode()
	}
	sig := ws.Signal()
	dieBySignal(sig)
	return 128 + int(sig)
}

// dieBySignal ends the process by sig with the kernel's default action.
// Go's runtime handles some signals itself (SIGPIPE is ignored unless
// notified, SIGABRT prints a traceback), so the disposition is set to
// SIG_DFL directly; an all-zero struct sigaction is SIG_DFL with no flags
// and an empty mask on every Linux architecture. No core file is written.
func dieBySignal(sig syscall.Signal) {
	if sig != syscall.SIGKILL {
		_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
		var act [4]uint64
		_, _, _ = syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	}
	_ = syscall.Kill(os.Getpid(), sig)
	// A signal whose default action is not to terminate: exit as a shell
	// would report it.
	time.Sleep(100 * time.Millisecond)
}

// guardStartError turns a guard that could not start its child into the
// error a direct start would have given. head is the start of the guard's
// stderr, where it explained why.
func guardStartError(path, head string) error {
	reason := "the process guard could not start it"
	for _, l := range strings.Split(head, "\n") {
		if strings.HasPrefix(l, guardStartFailedPrefix) {
			reason = strings.TrimPrefix(l, "downlink-guard: ")
			break
		}
	}
	return fmt.Errorf("%w (%s): %s", ErrNotFound, path, reason)
}

// isNotInstalled reports whether a start error means the executable is
// missing or not runnable.
func isNotInstalled(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, exec.ErrNotFound)
}
