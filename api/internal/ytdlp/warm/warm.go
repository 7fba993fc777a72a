// Package warm starts yt-dlp warm: a small fork server (forkserver.py,
// shipped in the binary) runs in yt-dlp's own Python interpreter with
// yt_dlp imported, and forks one fresh child per job. The child becomes
// the job's process exactly as an exec would make it: the guard still
// leads the job's process group and kills it, go-ytdlp's argv, the job's
// environment (replacing the server's wholesale) and folder, and the
// output pipes Downlink reads (passed over the socket); see proc.Spec's
// ForkServer for the guard's side.
//
// A server starts lazily, per yt-dlp executable, the first time a job
// asks for it, through proc like every child (its own guard and group,
// the reduced environment, the parent-death signal). It listens on a unix
// socket in a private 0700 folder. Only Python builds can start warm: a
// console script or a zipapp whose shebang names a Python interpreter
// (Debian's /usr/bin/yt-dlp, pip's, the yt-dlp zipapp); the standalone
// PyInstaller binary (the managed yt-dlp) and anything else run by a plain
// exec, as does every job while a server is starting up after a failure,
// reports another version than the job expects, or its yt-dlp changed on
// disk (it is then replaced once its running jobs have ended).
//
// Each job is a fresh fork of a parent that imported yt_dlp and compiled
// its extractors' URL patterns (the per-class cache every run fills the
// same way) but never ran a job: nothing one job changes reaches the
// next.
package warm

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
)

//go:embed forkserver.py
var forkServerPy []byte

// ScriptName is the fork server's file name; it starts with "yt-dlp" so
// that crash recovery (proc.KillLeftovers) knows its children for yt-dlp.
const ScriptName = "yt-dlp-forkserver.py"

const (
	// cmdlineRoom is how many bytes of a job's argv its process's command
	// line shows (more is cut).
	cmdlineRoom         = 32 << 10
	defaultStartTimeout = 20 * time.Second
	// retryAfter is how long a yt-dlp whose server failed runs by plain
	// exec before another server is tried.
	retryAfter = time.Minute
)

// Config says how servers start.
type Config struct {
	// Proc starts the servers (guard, group, reduced environment); it must
	// be the Runner that starts the jobs, so both have the same
	// environment.
	Proc *proc.Runner
	// Env is what the jobs add to the environment (as proc.Spec.Env): a
	// server imports yt_dlp under the environment its jobs run with.
	Env map[string]string
	// Logger receives the servers' starts, failures and replacements.
	Logger *slog.Logger
	// StartTimeout bounds how long a job waits for a starting server
	// before running by plain exec. Default 20 s.
	StartTimeout time.Duration
}

// Pool keeps one fork server per yt-dlp executable. Safe for concurrent
// use; Run owns the servers' lifetime.
type Pool struct {
	cfg Config

	mu      sync.Mutex
	closed  bool
	servers map[string]*server   // by yt-dlp path
	cold    map[string]coldEntry // yt-dlp paths that cannot (or, for now, do not) start warm
	wg      sync.WaitGroup       // one per server process
}

type coldEntry struct {
	id    fileID
	until time.Time // zero: as long as the file is the same
}

// New returns a Pool; no server starts before a job asks.
func New(cfg Config) *Pool {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = defaultStartTimeout
	}
	return &Pool{cfg: cfg, servers: map[string]*server{}, cold: map[string]coldEntry{}}
}

// Run waits for ctx to end, then stops every server as soon as its
// running jobs have ended, and returns when all are gone. No server starts
// after that.
func (p *Pool) Run(ctx context.Context) {
	<-ctx.Done()
	p.mu.Lock()
	p.closed = true
	for bin, s := range p.servers {
		delete(p.servers, bin)
		s.retire()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Acquire returns the socket of a ready fork server for the yt-dlp at bin
// (absolute) whose version is version ("": any), starting one when there
// is none, and release, to call once the job's process has ended. "" means
// a plain exec. It waits for a starting server at most StartTimeout.
func (p *Pool) Acquire(ctx context.Context, bin, version string) (socket string, release func()) {
	nop := func() {}
	id, err := statID(bin)
	if err != nil || p.cfg.Proc == nil || !p.cfg.Proc.Guarded() {
		return "", nop
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return "", nop
	}
	if c, ok := p.cold[bin]; ok && c.id == id && (c.until.IsZero() || time.Now().Before(c.until)) {
		p.mu.Unlock()
		return "", nop
	}
	s := p.servers[bin]
	if s != nil && !s.current(id) {
		p.cfg.Logger.Info("yt-dlp changed or its fork server ended; replacing the server", "path", bin)
		delete(p.servers, bin)
		s.retire()
		s = nil
	}
	if s == nil {
		interp, ok := pythonScript(bin)
		if !ok {
			p.cold[bin] = coldEntry{id: id}
			p.mu.Unlock()
			p.cfg.Logger.Debug("yt-dlp is not a Python script or zipapp; it starts by plain exec", "path", bin)
			return "", nop
		}
		s, err = p.start(bin, id, interp)
		if err != nil {
			p.cold[bin] = coldEntry{id: id, until: time.Now().Add(retryAfter)}
			p.mu.Unlock()
			p.cfg.Logger.Warn("yt-dlp fork server not started; jobs start by plain exec", "path", bin, "err", err)
			return "", nop
		}
		p.servers[bin] = s
	}
	s.users++
	p.mu.Unlock()
	release = sync.OnceFunc(func() { p.release(s) })

	timer := time.NewTimer(p.cfg.StartTimeout)
	defer timer.Stop()
	select {
	case <-s.ready:
	case <-ctx.Done():
		release()
		return "", nop
	case <-timer.C:
		release()
		return "", nop
	}
	if s.err != nil {
		p.failed(bin, s, s.err)
		release()
		return "", nop
	}
	if version != "" && s.version != version {
		p.failed(bin, s, fmt.Errorf("server has yt-dlp %s, the job expects %s", s.version, version))
		release()
		return "", nop
	}
	return s.socket, release
}

// failed retires s and runs bin cold for a while.
func (p *Pool) failed(bin string, s *server, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.servers[bin] == s {
		delete(p.servers, bin)
		p.cold[bin] = coldEntry{id: s.id, until: time.Now().Add(retryAfter)}
		p.cfg.Logger.Warn("yt-dlp fork server unusable; jobs start by plain exec for now", "path", bin, "err", err)
	}
	s.retire()
}

func (p *Pool) release(s *server) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.users--
	if s.users == 0 && s.retired {
		s.stop()
	}
}

// server is one fork server process.
type server struct {
	bin, dir, socket string
	id               fileID // bin's when the server started
	versionFile      string // yt_dlp/version.py, when it is a file
	versionID        fileID

	ready   chan struct{} // closed once ready or failed (err)
	err     error
	version string
	done    chan struct{} // closed when the process has ended
	stop    context.CancelFunc

	// users and retired are guarded by the Pool's mu.
	users   int
	retired bool
}

// start starts a server for bin with the interpreter command interp.
// Called with p.mu held.
func (p *Pool) start(bin string, id fileID, interp []string) (*server, error) {
	dir, err := os.MkdirTemp("", "downlink-warm-") // 0700
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, ScriptName)
	if err := os.WriteFile(script, forkServerPy, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{bin: bin, dir: dir, socket: filepath.Join(dir, "s"), id: id,
		ready: make(chan struct{}), done: make(chan struct{}), stop: cancel}
	var once sync.Once
	markReady := func(err error) {
		once.Do(func() {
			s.err = err
			close(s.ready)
		})
	}
	stdout := &proc.Lines{Max: 4096, Fn: func(l string) {
		f := strings.SplitN(l, " ", 3)
		if len(f) < 2 || f[0] != "ready" {
			return
		}
		s.version = f[1]
		if len(f) > 2 {
			if vid, err := statID(f[2]); err == nil {
				s.versionFile, s.versionID = f[2], vid
			}
		}
		markReady(nil)
	}}
	stderr := proc.NewTail(4096)
	// The padding is room for each child's argv (see forkserver.py): its
	// command line then reads as yt-dlp's own.
	args := append(append([]string(nil), interp[1:]...), script, s.socket, bin, strings.Repeat("-", cmdlineRoom))
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(s.done)
		defer os.RemoveAll(dir)
		res, err := p.cfg.Proc.Run(ctx, proc.Spec{Path: interp[0], Args: args, Dir: dir, Env: p.cfg.Env,
			Stdout: stdout, Stderr: stderr})
		stdout.Flush()
		if err == nil {
			err = fmt.Errorf("exit %d %s: %s", res.ExitCode, res.Signal, lastLine(stderr.String()))
		}
		markReady(err)
		if ctx.Err() == nil {
			p.cfg.Logger.Warn("yt-dlp fork server ended", "path", bin, "err", err)
		}
	}()
	p.cfg.Logger.Info("yt-dlp fork server starting", "path", bin, "interpreter", interp[0])
	return s, nil
}

// current reports whether s still serves the yt-dlp at bin (whose file is
// id now).
func (s *server) current(id fileID) bool {
	select {
	case <-s.done:
		return false
	default:
	}
	if id != s.id {
		return false
	}
	select {
	case <-s.ready:
	default:
		return true // starting: versionFile is not known yet
	}
	if s.versionFile != "" {
		if vid, err := statID(s.versionFile); err != nil || vid != s.versionID {
			return false
		}
	}
	return true
}

// retire stops s once its last job has ended. Called with the Pool's mu.
func (s *server) retire() {
	s.retired = true
	if s.users == 0 {
		s.stop()
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// fileID tells whether a file was replaced or changed.
type fileID struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

func statID(path string) (fileID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fileID{}, err
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano()}, nil
}

var pythonName = regexp.MustCompile(`^python(\d+(\.\d+)?)?$`)

// pythonScript reports whether bin is a Python script or zipapp and, if
// so, the interpreter command its shebang names (absolute path first).
func pythonScript(bin string) ([]string, bool) {
	f, err := os.Open(bin)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(f, 256).ReadSlice('\n')
	if err != nil || !bytes.HasPrefix(line, []byte("#!")) {
		return nil, false
	}
	fields := strings.Fields(string(line[2:]))
	if len(fields) == 0 {
		return nil, false
	}
	if filepath.Base(fields[0]) == "env" {
		fields = fields[1:]
		for len(fields) > 0 && strings.HasPrefix(fields[0], "-") {
			fields = fields[1:] // env's own flags (-S)
		}
		if len(fields) == 0 {
			return nil, false
		}
		p, err := proc.Lookup(fields[0])
		if err != nil {
			return nil, false
		}
		fields[0] = p
	}
	if !pythonName.MatchString(filepath.Base(fields[0])) {
		return nil, false
	}
	if _, err := proc.Lookup(fields[0]); err != nil {
		return nil, false
	}
	return fields, true
}
