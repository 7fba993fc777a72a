package managed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Config is how an Installer is set up.
type Config struct {
	// Dir is the tools folder, <data dir>/tools/yt-dlp (created when
	// needed).
	Dir string
	// Fallback is the yt-dlp that runs while no managed version is active:
	// DOWNLINK_YTDLP_PATH, else "yt-dlp" from PATH.
	Fallback string
	// FallbackIsPath says Fallback was configured (source "path") rather
	// than found in PATH (source "system").
	FallbackIsPath bool
	// Releases is where releases come from.
	Releases *Releases
	// Keyring checks the signatures (YtdlpKeyring in production).
	Keyring *Keyring
	// Asset is the release file for this machine. Default
	// AssetName(runtime.GOARCH).
	Asset string
	// MaxSize bounds a build. Default 512 MiB (yt-dlp_linux is ~35 MB).
	MaxSize int64
	Logger  *slog.Logger
}

// defaultMaxSize bounds a downloaded or uploaded build.
const defaultMaxSize = 512 << 20

// Source says where the active yt-dlp comes from.
type Source string

// Sources.
const (
	SourceManaged Source = "managed" // installed by Downlink under the data dir
	SourceSystem  Source = "system"  // "yt-dlp" found in PATH
	SourcePath    Source = "path"    // DOWNLINK_YTDLP_PATH
)

// Active is a yt-dlp that new jobs start from.
type Active struct {
	Version string // "" when it could not be told
	Source  Source
	Path    string
	// Found is false when the file is missing or does not answer
	// --version; Error then says which.
	Found bool
	Error string
}

// Phase is a step of an operation, for progress.
type Phase string

// Phases, in order.
const (
	PhaseResolving   Phase = "resolving"
	PhaseDownloading Phase = "downloading"
	PhaseVerifying   Phase = "verifying"
	PhaseTesting     Phase = "testing"
	PhaseSwitching   Phase = "switching"
)

// Progress is how far an operation is; Done and Total count bytes while
// downloading (Total 0: unknown).
type Progress struct {
	Phase       Phase
	Done, Total int64
}

// Outcome is what an operation did.
type Outcome struct {
	From, To Active
	// Changed is false when To was already active (nothing was switched).
	Changed bool
	// Removed are versions deleted because only the active and previous
	// ones are kept.
	Removed []string
}

// Installer downloads, verifies, installs, switches and rolls back the
// managed yt-dlp of one data dir. It is safe for concurrent use; one
// operation runs at a time (others wait or get ErrBusy), also across
// processes.
type Installer struct {
	cfg Config
	l   layout
	log *slog.Logger

	busy chan struct{}

	mu    sync.Mutex     // guards inUse and orders Acquire against sweeps
	inUse map[string]int // versions running processes started from

	probeMu sync.Mutex
	probe   fallbackProbe
}

// NewInstaller returns an Installer; it touches nothing on disk yet.
func NewInstaller(cfg Config) (*Installer, error) {
	if cfg.Dir == "" || cfg.Releases == nil || cfg.Keyring == nil {
		return nil, errors.New("managed: Dir, Releases and Keyring are required")
	}
	if cfg.Fallback == "" {
		cfg.Fallback = "yt-dlp"
	}
	if cfg.Asset == "" {
		cfg.Asset = AssetName(runtime.GOARCH)
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = defaultMaxSize
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Installer{cfg: cfg, l: layout{dir: cfg.Dir, asset: cfg.Asset}, log: cfg.Logger,
		busy: make(chan struct{}, 1), inUse: map[string]int{}}, nil
}

// Asset is the release file this machine installs.
func (i *Installer) Asset() string { return i.cfg.Asset }

// Dir is the tools folder.
func (i *Installer) Dir() string { return i.cfg.Dir }

// Acquire returns the yt-dlp the next process starts from: the active
// managed version, else the fallback. It implements ytdlp.Executable; the
// managed file stays on disk until release is called.
func (i *Installer) Acquire() (string, func()) {
	i.mu.Lock()
	defer i.mu.Unlock()
	st, err := i.l.readState()
	if err != nil {
		i.log.Error("managed yt-dlp state unreadable; running the system yt-dlp", "err", err)
		return i.cfg.Fallback, func() {}
	}
	if st.Active == "" {
		return i.cfg.Fallback, func() {}
	}
	p := i.l.binary(st.Active)
	if _, err := os.Stat(p); err != nil {
		i.log.Error("the active managed yt-dlp is missing; running the system yt-dlp", "version", st.Active, "err", err)
		return i.cfg.Fallback, func() {}
	}
	v := st.Active
	i.inUse[v]++
	var once sync.Once
	return p, func() {
		once.Do(func() {
			i.mu.Lock()
			if i.inUse[v]--; i.inUse[v] <= 0 {
				delete(i.inUse, v)
			}
			i.mu.Unlock()
		})
	}
}

// Active describes the yt-dlp new jobs start from. The fallback's version
// is asked with --version and remembered while its file is unchanged.
func (i *Installer) Active(ctx context.Context) Active {
	st, err := i.l.readState()
	if err == nil && st.Active != "" {
		p := i.l.binary(st.Active)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return Active{Version: st.Active, Source: SourceManaged, Path: p, Found: true}
		}
	}
	return i.fallback(ctx)
}

// state is the recorded state (zero when unreadable).
func (i *Installer) state() state {
	st, err := i.l.readState()
	if err != nil {
		i.log.Error("managed yt-dlp state unreadable", "err", err)
	}
	return st
}

// Previous is where a rollback goes: ok is false when there is nowhere.
func (i *Installer) Previous(ctx context.Context) (a Active, ok bool) {
	st := i.state()
	if !st.canRollBack() {
		return Active{}, false
	}
	if st.Previous == "" {
		return i.fallback(ctx), true
	}
	return Active{Version: st.Previous, Source: SourceManaged, Path: i.l.binary(st.Previous), Found: true}, true
}

func (i *Installer) fallbackSource() Source {
	if i.cfg.FallbackIsPath {
		return SourcePath
	}
	return SourceSystem
}

// fallbackProbe remembers the fallback's version while its file stays
// the same.
type fallbackProbe struct {
	path    string
	modTime time.Time
	size    int64
	at      time.Time
	active  Active
}

// probeTTL bounds how long a fallback's answer is trusted without a look
// at its file.
const probeTTL = time.Minute

func (i *Installer) fallback(ctx context.Context) Active {
	a := Active{Source: i.fallbackSource(), Path: i.cfg.Fallback}
	p, err := exec.LookPath(i.cfg.Fallback)
	if err != nil {
		a.Error = "not found: install it or set DOWNLINK_YTDLP_PATH"
		return a
	}
	a.Path = p
	fi, err := os.Stat(p)
	if err != nil {
		a.Error = "not found: install it or set DOWNLINK_YTDLP_PATH"
		return a
	}
	i.probeMu.Lock()
	defer i.probeMu.Unlock()
	c := i.probe
	if c.path == p && c.modTime.Equal(fi.ModTime()) && c.size == fi.Size() && time.Since(c.at) < probeTTL {
		return c.active
	}
	// The answer is kept for everyone: a caller that goes away must not
	// leave "does not run" behind.
	v, err := ytdlp.Version(context.WithoutCancel(ctx), p)
	if err != nil {
		a.Error = "does not run: " + err.Error()
		if errors.Is(err, ytdlp.ErrBadVersion) {
			a.Error = "does not answer --version with a version"
		}
	} else {
		a.Version, a.Found = v, true
	}
	i.probe = fallbackProbe{path: p, modTime: fi.ModTime(), size: fi.Size(), at: time.Now(), active: a}
	return a
}

// smokeTest runs path --version: the file must run and say want (any
// version when want is ""). It returns the version it said.
func (i *Installer) smokeTest(ctx context.Context, path, want string) (string, error) {
	v, err := ytdlp.Version(ctx, path)
	// A file just written may be briefly "busy": a process forked
	// meanwhile (any job starting on this node) holds a copy of the
	// write descriptor until its exec closes it (golang.org/issue/22315).
	for wait := 10 * time.Millisecond; errors.Is(err, syscall.ETXTBSY) && wait < 2*time.Second && ctx.Err() == nil; wait *= 2 {
		time.Sleep(wait)
		v, err = ytdlp.Version(ctx, path)
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", refuse(CodeDoesNotRun, err, "the new yt-dlp does not run on this machine (asked its version: %v)", err)
	}
	if !ValidVersion(v) {
		return "", refuse(CodeDoesNotRun, nil, "the new yt-dlp answered --version with %q, not a version", v)
	}
	if want != "" && ytdlp.CompareVersions(v, want) != 0 {
		return "", refuse(CodeWrongVersion, nil, "the file of release %s says it is yt-dlp %s", want, v)
	}
	return v, nil
}

// keep tells sweep which versions stay: the active and previous ones and
// any a running process started from.
func (i *Installer) keep(st state) func(string) bool {
	return func(v string) bool { return v == st.Active || v == st.Previous || i.inUse[v] > 0 }
}

// switchTo records next as the state and removes versions it no longer
// needs. The caller holds the install lock.
func (i *Installer) switchTo(next state) ([]string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if err := i.l.writeState(next); err != nil {
		return nil, diskError(err, "cannot record the new active yt-dlp in %s", i.l.dir)
	}
	return i.l.sweep(i.keep(next)), nil
}

// describe is the Active for a state's version v ("" : the fallback).
func (i *Installer) describe(ctx context.Context, v string) Active {
	if v == "" {
		return i.fallback(ctx)
	}
	return Active{Version: v, Source: SourceManaged, Path: i.l.binary(v), Found: true}
}

// Latest asks the release server for the newest release of ch.
func (i *Installer) Latest(ctx context.Context, ch Channel) (Release, error) {
	return i.cfg.Releases.Latest(ctx, ch)
}

// CleanUp removes leftovers of installs interrupted by a crash, unless an
// install runs right now (then it is left to that one).
func (i *Installer) CleanUp(ctx context.Context) {
	unlock, err := i.lock(ctx, false)
	if err != nil {
		return
	}
	defer unlock()
	i.mu.Lock()
	defer i.mu.Unlock()
	if removed := i.l.sweep(i.keep(i.state())); len(removed) > 0 {
		i.log.Info("removed leftovers in the yt-dlp tools folder", "removed", removed)
	}
}

func (i *Installer) String() string { return fmt.Sprintf("managed yt-dlp in %s", i.cfg.Dir) }
