package ytdlp

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/downlink/downlink/api/internal/proc"
)

// stderrTail is how much of yt-dlp's stderr a run keeps.
const stderrTail = 64 << 10

// maxErrorLines bounds the ERROR lines kept for classification.
const maxErrorLines = 32

// Runner runs yt-dlp. It is safe for concurrent use; each call starts its
// own process.
type Runner struct {
	cfg  Config
	proc *proc.Runner

	mu       sync.Mutex
	versions map[string]string // detected once per executable, when Config.Version is empty
	solver   solverCache
}

// New returns a Runner. It does not look for yt-dlp yet: a missing binary
// is reported by each call as ErrNotInstalled, so a server can start and
// say so.
func New(cfg Config) *Runner {
	cfg.setDefaults()
	p := cfg.Proc
	if p == nil {
		p = proc.New(cfg.procConfig())
	}
	if !p.Guarded() && !cfg.DisableGuard {
		cfg.Logger.Info("yt-dlp runs without the process guard (this executable does not call proc.RunGuardIfRequested): " +
			"an ffmpeg it starts may outlive a crash until the next start")
	}
	return &Runner{cfg: cfg, proc: p, versions: map[string]string{}}
}

// Sink receives a run's events, in order, as soon as yt-dlp prints them.
// It is called from the goroutine that reads yt-dlp's output, so it must
// return quickly (publish, or store the latest value); throttling is up to
// the consumer. Events stop before Run returns.
type Sink func(Event)

// Result is what a finished run produced.
type Result struct {
	// Info is the last Info event (zero if yt-dlp printed none).
	Info Info
	// Files are the finished files, all inside Job.DoneDir, in the order
	// yt-dlp finished them.
	Files []string
	// Degradations are yt-dlp's warnings that mean a worse result, one per
	// code, in the order first seen.
	Degradations []Degradation
}

// Run downloads job with one yt-dlp process and waits for it. Events go to
// sink (nil: dropped). A failure of yt-dlp is an *ExitError (Reason
// ReasonCanceled when ctx ended first); a missing binary is ErrNotInstalled;
// invalid options are a 422 *problem.Problem. The partial Result is
// returned with an ExitError too.
func (r *Runner) Run(ctx context.Context, job Job, sink Sink) (*Result, error) {
	if err := job.validate(); err != nil {
		return nil, err
	}
	bin, release, err := r.cfg.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	for _, d := range []string{job.Dir, job.PartDir(), job.DoneDir()} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("ytdlp: job folder: %w", err)
		}
	}
	version := r.detectVersion(ctx, bin)
	args, err := downloadArgs(&r.cfg, featuresFor(version), job)
	if err != nil {
		return nil, err
	}
	log := r.cfg.Logger.With("job_id", job.ID)
	log.Debug("starting yt-dlp", "path", bin, "version", version, "args", redactArgs(args))
	if sink != nil {
		sink(Started{Path: bin, Version: version})
	}

	done, err := os.OpenRoot(job.DoneDir())
	if err != nil {
		return nil, fmt.Errorf("ytdlp: job folder: %w", err)
	}
	defer done.Close()
	out := &runState{doneDir: job.DoneDir(), done: done, sink: sink, log: log}
	stdout := &proc.Lines{Fn: out.line, Max: maxLineLen}
	stderr := newStderrCollector(log)
	fork, forkDone := r.forkServer(ctx, bin, version)
	defer forkDone()
	res, err := r.proc.Run(ctx, proc.Spec{
		Path: bin, Args: args, Dir: job.Dir, Env: r.cfg.JSRuntime.env(), ForkServer: fork,
		Stdout: stdout, Stderr: stderr,
		PIDFile: filepath.Join(job.Dir, proc.PIDFileName), JobID: job.ID,
	})
	if err != nil {
		return nil, notInstalled(err)
	}
	stdout.Flush()
	stderr.lines.Flush()

	result := out.result()
	result.Degradations = stderr.degradations()
	if res.Canceled {
		return result, &ExitError{
			Code: res.ExitCode, Reason: ReasonCanceled, SafeMessage: safeMessages[ReasonCanceled],
			Stderr: stderr.ring.String(), cause: context.Cause(ctx),
		}
	}
	if res.ExitCode == exitBrokeOnFilter && job.Settings.RefuseLive {
		// --break-match-filters "!is_live" is the only "break" flag we
		// pass, so 101 says the media is a live stream.
		return nil, &ExitError{Code: res.ExitCode, Reason: ReasonLive, SafeMessage: safeMessages[ReasonLive]}
	}
	if res.ExitCode != 0 {
		e := classify(res.ExitCode, res.Signal, stderr.errorLines(), stderr.ring.String())
		e.Degradations = result.Degradations
		log.Warn("yt-dlp failed", "exit", res.ExitCode, "reason", e.Reason, "stderr", e.Stderr)
		return result, e
	}
	return result, nil
}

// detectVersion returns the configured or detected version of the yt-dlp
// at bin, "" when it cannot be told (then every known flag is used). Each
// executable is asked once: a managed update brings a new path.
func (r *Runner) detectVersion(ctx context.Context, bin string) string {
	if r.cfg.Version != "" && r.cfg.Executable == nil {
		return r.cfg.Version
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.versions[bin]; ok {
		return v
	}
	v, err := r.askVersion(ctx, bin)
	if err != nil {
		r.cfg.Logger.Warn("yt-dlp version unknown; assuming a current one", "path", bin, "err", err)
		return ""
	}
	if !IsSupported(v) {
		r.cfg.Logger.Warn("yt-dlp is older than the minimum Downlink supports", "version", v, "min", MinVersion)
	}
	r.versions[bin] = v
	return v
}

// runState collects what a run printed on stdout. Its methods run on
// exec's copying goroutine; result is read after Wait.
type runState struct {
	doneDir string
	done    *os.Root // what yt-dlp reports must be a file in it
	sink    Sink
	log     *slog.Logger

	mu    sync.Mutex
	info  Info
	files []string
}

func (s *runState) line(line string) {
	ev, ok := ParseLine(line)
	if !ok {
		s.log.Debug("yt-dlp", "line", line)
		return
	}
	switch e := ev.(type) {
	case Info:
		s.mu.Lock()
		s.info = e
		s.mu.Unlock()
	case FilePath:
		if !s.isDone(e.Path) {
			s.log.Warn("yt-dlp reported a file outside the job's folder; ignoring it", "path", e.Path)
			return
		}
		s.mu.Lock()
		s.files = append(s.files, e.Path)
		s.mu.Unlock()
	}
	if s.sink != nil {
		s.sink(ev)
	}
}

func (s *runState) result() *Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &Result{Info: s.info, Files: append([]string(nil), s.files...)}
}

// isDone reports whether path is a regular file in the done folder, as
// os.Root resolves it: no "..", no symlink leading out.
func (s *runState) isDone(path string) bool {
	if !filepath.IsAbs(path) {
		return false
	}
	rel, err := filepath.Rel(s.doneDir, path)
	if err != nil {
		return false
	}
	st, err := s.done.Lstat(rel)
	return err == nil && st.Mode().IsRegular()
}

// stderrCollector keeps the tail of stderr and its ERROR lines.
type stderrCollector struct {
	ring  *proc.Tail
	lines *proc.Lines
	log   *slog.Logger

	mu       sync.Mutex
	errors   []string
	degraded []Degradation
}

func newStderrCollector(log *slog.Logger) *stderrCollector {
	c := &stderrCollector{ring: proc.NewTail(stderrTail), log: log}
	c.lines = &proc.Lines{Fn: c.line, Max: 4096}
	return c
}

func (c *stderrCollector) Write(p []byte) (int, error) {
	_, _ = c.ring.Write(p)
	return c.lines.Write(p)
}

func (c *stderrCollector) line(l string) {
	switch {
	case strings.HasPrefix(l, "ERROR:"):
		// Logged as it comes, at WARN: the run may still be retried, and
		// "yt-dlp failed" (WARN) and "download failed" follow.
		c.log.Warn("yt-dlp error", "line", l)
		c.mu.Lock()
		if len(c.errors) == maxErrorLines {
			c.errors = c.errors[1:]
		}
		c.errors = append(c.errors, l)
		c.mu.Unlock()
	case strings.HasPrefix(l, "WARNING:"):
		d, ok := ClassifyWarning(l)
		if !ok {
			c.log.Debug("yt-dlp warning", "line", l)
			return
		}
		c.log.Warn("yt-dlp: degraded result", "code", d.Code, "line", l)
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, have := range c.degraded {
			if have.Code == d.Code {
				return
			}
		}
		if len(c.degraded) < maxDegradations {
			c.degraded = append(c.degraded, d)
		}
	}
}

func (c *stderrCollector) degradations() []Degradation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Degradation(nil), c.degraded...)
}

func (c *stderrCollector) errorLines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errors...)
}

// redactArgs hides values that may hold credentials (user:password in the
// proxy URL or the media URL) before the argument list is logged.
func redactArgs(args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "--proxy" || out[i] == "--" {
			out[i+1] = redactURL(out[i+1])
		}
	}
	return out
}

func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		return scheme + "://redacted@" + rest[at+1:]
	}
	return s
}
