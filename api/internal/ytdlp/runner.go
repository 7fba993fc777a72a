package ytdlp

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// stderrTail is how much of yt-dlp's stderr a run keeps.
const stderrTail = 64 << 10

// maxErrorLines bounds the ERROR lines kept for classification.
const maxErrorLines = 32

// Runner runs yt-dlp. It is safe for concurrent use; each call starts its
// own process.
type Runner struct {
	cfg Config

	mu      sync.Mutex
	version string // detected once, when Config.Version is empty
}

// New returns a Runner. It does not look for yt-dlp yet: a missing binary
// is reported by each call as ErrNotInstalled, so a server can start and
// say so.
func New(cfg Config) *Runner {
	cfg.setDefaults()
	if !cfg.Guarded() && !cfg.DisableGuard {
		cfg.Logger.Info("yt-dlp runs without the process guard (this executable does not call ytdlp.RunGuardIfRequested): " +
			"an ffmpeg it starts may outlive a crash until the next start")
	}
	return &Runner{cfg: cfg, version: cfg.Version}
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
	bin, err := r.cfg.resolve()
	if err != nil {
		return nil, err
	}
	for _, d := range []string{job.Dir, job.PartDir(), job.DoneDir()} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("ytdlp: job folder: %w", err)
		}
	}
	args, err := downloadArgs(&r.cfg, featuresFor(r.detectVersion(ctx, bin)), job)
	if err != nil {
		return nil, err
	}
	log := r.cfg.Logger.With("job_id", job.ID)
	log.Debug("starting yt-dlp", "args", redactArgs(args))

	out := &runState{done: job.DoneDir(), sink: sink, log: log}
	stdout := &lineWriter{fn: out.line, max: maxLineLen}
	stderr := newStderrCollector(log)
	res, err := runProcess(ctx, &r.cfg, procSpec{
		path: bin, args: args, dir: job.Dir,
		stdout: stdout, stderr: stderr,
		pidFile: filepath.Join(job.Dir, PIDFileName), jobID: job.ID,
	})
	if err != nil {
		return nil, err
	}
	stdout.Flush()
	stderr.lines.Flush()

	result := out.result()
	if res.canceled {
		return result, &ExitError{
			Code: res.exitCode, Reason: ReasonCanceled, SafeMessage: safeMessages[ReasonCanceled],
			Stderr: stderr.ring.String(), cause: context.Cause(ctx),
		}
	}
	if res.exitCode != 0 {
		e := classify(res.exitCode, res.signal, stderr.errorLines(), stderr.ring.String())
		log.Info("yt-dlp failed", "exit", res.exitCode, "reason", e.Reason, "stderr", e.Stderr)
		return result, e
	}
	return result, nil
}

// detectVersion returns the configured or detected yt-dlp version, "" when
// it cannot be told (then every known flag is used).
func (r *Runner) detectVersion(ctx context.Context, bin string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.version != "" {
		return r.version
	}
	v, err := Version(ctx, bin)
	if err != nil {
		r.cfg.Logger.Warn("yt-dlp version unknown; assuming a current one", "err", err)
		return ""
	}
	if !IsSupported(v) {
		r.cfg.Logger.Warn("yt-dlp is older than the minimum Downlink supports", "version", v, "min", MinVersion)
	}
	r.version = v
	return v
}

// runState collects what a run printed on stdout. Its methods run on
// exec's copying goroutine; result is read after Wait.
type runState struct {
	done string
	sink Sink
	log  *slog.Logger

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
		if !inside(s.done, e.Path) {
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

// inside reports whether path is dir or below it, lexically.
func inside(dir, path string) bool {
	if !filepath.IsAbs(path) {
		return false
	}
	rel, err := filepath.Rel(dir, filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && rel != "."
}

// stderrCollector keeps the tail of stderr and its ERROR lines.
type stderrCollector struct {
	ring  *ringBuffer
	lines *lineWriter
	log   *slog.Logger

	mu     sync.Mutex
	errors []string
}

func newStderrCollector(log *slog.Logger) *stderrCollector {
	c := &stderrCollector{ring: newRingBuffer(stderrTail), log: log}
	c.lines = &lineWriter{fn: c.line, max: 4096}
	return c
}

func (c *stderrCollector) Write(p []byte) (int, error) {
	_, _ = c.ring.Write(p)
	return c.lines.Write(p)
}

func (c *stderrCollector) line(l string) {
	switch {
	case strings.HasPrefix(l, "ERROR:"):
		c.mu.Lock()
		if len(c.errors) == maxErrorLines {
			c.errors = c.errors[1:]
		}
		c.errors = append(c.errors, l)
		c.mu.Unlock()
	case strings.HasPrefix(l, "WARNING:"):
		c.log.Debug("yt-dlp warning", "line", l)
	}
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
