package ytdlp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/ytdlp/warm"
)

// ErrNotInstalled is returned when the yt-dlp executable cannot be found or
// run.
var ErrNotInstalled = errors.New("ytdlp: yt-dlp is not installed or not executable")

// Config says where the tools are and how yt-dlp runs. Its process
// settings (Home, SearchPath, KillGrace, the guard) are proc's: yt-dlp
// starts as every child does.
type Config struct {
	// Path is the yt-dlp executable: a path, or a name looked up in PATH.
	// Default "yt-dlp".
	Path string
	// Executable, when set, chooses the yt-dlp each new process starts
	// from instead of Path (the managed copy, see package managed).
	Executable Executable
	// JSRuntime is the JavaScript runtime every command names for
	// YouTube's challenge solver (ResolveJSRuntime); zero: no flag.
	JSRuntime JSRuntime
	// FFmpegPath is passed as --ffmpeg-location when set.
	FFmpegPath string
	// Version skips detection when set (e.g. from a startup check).
	Version string
	// Home is the child's HOME (yt-dlp's cache lives below it).
	Home string
	// SearchPath is the child's PATH.
	SearchPath string
	// KillGrace is how long a canceled yt-dlp gets between SIGTERM and
	// SIGKILL. Default 3 s.
	KillGrace time.Duration
	// Logger receives debug lines of yt-dlp's output and warnings.
	Logger *slog.Logger
	// GuardExecutable and DisableGuard: see proc.Config.
	GuardExecutable string
	DisableGuard    bool
	// Proc, when set, starts yt-dlp (the app shares one with every other
	// child); then Home, SearchPath, KillGrace and the guard settings are
	// Proc's own.
	Proc *proc.Runner
	// Warm, when set, starts downloads, probes and listings from a fork
	// server with yt_dlp already imported, where the yt-dlp is a Python
	// build (see package warm; NewWarm makes one for this Config); nil:
	// every process by plain exec.
	Warm *warm.Pool
}

func (c *Config) setDefaults() {
	if c.Path == "" {
		c.Path = "yt-dlp"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// procConfig is how proc starts yt-dlp.
func (c *Config) procConfig() proc.Config {
	return proc.Config{Home: c.Home, SearchPath: c.SearchPath, KillGrace: c.KillGrace, Logger: c.Logger,
		GuardExecutable: c.GuardExecutable, DisableGuard: c.DisableGuard}
}

// resolve returns the absolute path of the executable.
func (c *Config) resolve() (string, error) {
	p, err := proc.Lookup(c.Path)
	if err != nil {
		return "", notInstalled(err)
	}
	return p, nil
}

// Executable picks the yt-dlp a new process starts from. Acquire is
// called once per process start; release is called once that process has
// ended, so a copy in use is not removed under it. path is absolute or a
// name looked up in PATH.
type Executable interface {
	Acquire() (path string, release func())
}

// acquire returns the absolute path of the yt-dlp the next process runs
// and what to call when it has ended.
func (c *Config) acquire() (string, func(), error) {
	if c.Executable == nil {
		p, err := c.resolve()
		return p, func() {}, err
	}
	name, release := c.Executable.Acquire()
	p, err := proc.Lookup(name)
	if err != nil {
		release()
		return "", nil, fmt.Errorf("%w (%s): %w", ErrNotInstalled, name, err)
	}
	return p, release, nil
}

// notInstalled turns proc's "not found" into ErrNotInstalled.
func notInstalled(err error) error {
	if errors.Is(err, proc.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotInstalled, err)
	}
	return err
}

// NewWarm returns the fork-server pool for yt-dlp started by p with cfg's
// environment (see Config.Warm); run its Run for the node's lifetime.
func NewWarm(cfg Config, p *proc.Runner) *warm.Pool {
	cfg.setDefaults()
	return warm.New(warm.Config{Proc: p, Env: cfg.JSRuntime.env(), Logger: cfg.Logger})
}

// shared are the process-wide pools of SharedWarm, by environment.
var shared struct {
	sync.Mutex
	pools map[string]*warm.Pool
}

// SharedWarm returns the process-wide fork-server pool for cfg's
// environment, whose servers a Runner of its own starts and nothing stops:
// they end with the process (their guard's parent-death signal). A test
// seam (app.WithSharedWarm): a test process starts hundreds of nodes, and
// each node's own server imports yt-dlp again (0.7 CPU-seconds, more than
// a plain exec's 0.4) for the one or two jobs it runs. Jobs are the same
// fresh forks either way; only the server outlives the node.
func SharedWarm(cfg Config) *warm.Pool {
	env := cfg.JSRuntime.env()
	key := envKey(env)
	shared.Lock()
	defer shared.Unlock()
	if p := shared.pools[key]; p != nil {
		return p
	}
	if shared.pools == nil {
		shared.pools = map[string]*warm.Pool{}
	}
	p := warm.New(warm.Config{Proc: proc.New(proc.Config{}), Env: env})
	shared.pools[key] = p
	return p
}

// envKey is env as one comparable string.
func envKey(env map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(&b, "%s=%s\x00", k, env[k])
	}
	return b.String()
}

// forkServer returns the socket a process of the yt-dlp at bin (version:
// detected, "" unknown) starts from ("": plain exec) and what to call once
// it has ended.
func (r *Runner) forkServer(ctx context.Context, bin, version string) (string, func()) {
	if r.cfg.Warm == nil {
		return "", func() {}
	}
	return r.cfg.Warm.Acquire(ctx, bin, version)
}
