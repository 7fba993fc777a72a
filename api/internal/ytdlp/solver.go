package ytdlp

import (
	"context"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
)

// SolverStatus says whether yt-dlp can solve YouTube's JavaScript
// challenges (n and sig). Without a solver YouTube still answers, but with
// fewer formats, and some videos fail.
type SolverStatus string

// Solver states, as yt-dlp reports them in its verbose header.
const (
	// SolverReady: a JS challenge provider is available.
	SolverReady SolverStatus = "ready"
	// SolverMissing: no usable runtime, or the runtime is there but no
	// provider is available (solver scripts missing).
	SolverMissing SolverStatus = "missing"
	// SolverUnsupported: the runtime is older than yt-dlp accepts, or
	// yt-dlp predates the external solver.
	SolverUnsupported SolverStatus = "unsupported"
	// SolverDisabled: DOWNLINK_JS_RUNTIME=none.
	SolverDisabled SolverStatus = "disabled"
	// SolverUnknown: yt-dlp could not be asked (not installed, no answer).
	SolverUnknown SolverStatus = "unknown"
)

// SolverState is the YouTube challenge solver as the yt-dlp that new jobs
// run reports it, run with Downlink's own flags and environment.
type SolverState struct {
	Status SolverStatus `json:"status"`
	// Runtime is what Downlink passes (--js-runtimes NAME[:PATH], or none).
	Runtime string `json:"runtime"`
	// RuntimeName and RuntimeVersion are what yt-dlp found ("deno",
	// "2.9.6"); empty when it found none.
	RuntimeName    string `json:"runtime_name"`
	RuntimeVersion string `json:"runtime_version"`
	// Providers are the available JS challenge providers.
	Providers []string `json:"providers"`
	// EJSVersion is the yt-dlp-ejs package version when yt-dlp lists it
	// among its libraries (a bundled or Debian yt-dlp vendors the scripts
	// instead: then empty).
	EJSVersion   string    `json:"ejs_version"`
	YtdlpVersion string    `json:"ytdlp_version"`
	Message      string    `json:"message"`
	CheckedAt    time.Time `json:"checked_at"`
}

// Ready reports whether challenges can be solved.
func (s SolverState) Ready() bool { return s.Status == SolverReady }

var (
	jsRuntimesRe    = regexp.MustCompile(`(?m)^\[debug\] JS runtimes: (.+)$`)
	providersRe     = regexp.MustCompile(`(?m)^\[debug\] \[youtube\] \[jsc\] JS Challenge Providers: (.+)$`)
	headerVersionRe = regexp.MustCompile(`(?m)^\[debug\] yt-dlp version (?:[a-z]+@)?(\S+)`)
	ejsLibRe        = regexp.MustCompile(`\byt_dlp_ejs-([0-9][0-9A-Za-z.+-]*)`)
	runtimeRe       = regexp.MustCompile(`^([a-z]+)-(\S+)(?:\s+\((.+)\))?$`)
)

// ParseSolverState reads yt-dlp's verbose output (-v): the "JS runtimes"
// header line, the YouTube extractor's "JS Challenge Providers" line and
// the yt_dlp_ejs library version.
func ParseSolverState(out string) SolverState {
	s := SolverState{Status: SolverUnknown, Providers: []string{}}
	if m := headerVersionRe.FindStringSubmatch(out); m != nil {
		s.YtdlpVersion = m[1]
	}
	if m := ejsLibRe.FindStringSubmatch(out); m != nil {
		s.EJSVersion = strings.TrimRight(m[1], ".,")
	}
	runtimes := ""
	if m := jsRuntimesRe.FindStringSubmatch(out); m != nil {
		runtimes = strings.TrimSpace(m[1])
	}
	unsupported := ""
	// "deno-2.9.6", "node-20.20.2 (unsupported)", "none", "none (disabled)";
	// several are comma-separated.
	for _, r := range strings.Split(runtimes, ",") {
		rm := runtimeRe.FindStringSubmatch(strings.TrimSpace(r))
		if rm == nil {
			continue
		}
		if rm[3] == "unsupported" {
			if unsupported == "" {
				unsupported = rm[1] + " " + rm[2]
			}
			continue
		}
		if s.RuntimeName == "" {
			s.RuntimeName, s.RuntimeVersion = rm[1], rm[2]
		}
	}
	pm := providersRe.FindStringSubmatch(out)
	if pm != nil {
		for _, p := range strings.Split(pm[1], ",") {
			p = strings.TrimSpace(p)
			if p != "" && !strings.Contains(p, "(") {
				s.Providers = append(s.Providers, p)
			}
		}
	}
	switch {
	case len(s.Providers) > 0:
		s.Status = SolverReady
		s.Message = "YouTube's JavaScript challenges are solved with " + strings.Join(s.Providers, ", ") + "."
	case runtimes == "" && pm == nil:
		s.Message = "yt-dlp did not report its JavaScript challenge solver."
	case strings.HasPrefix(runtimes, "none (disabled)"):
		s.Status = SolverDisabled
		s.Message = "JavaScript runtimes are turned off (DOWNLINK_JS_RUNTIME=none): YouTube downloads lose formats and some fail."
	case unsupported != "" && s.RuntimeName == "":
		s.Status = SolverUnsupported
		s.Message = "yt-dlp rejects " + unsupported + " as too old for its challenge solver: install Deno " + MinDeno +
			" or newer (deploy/install-deps.sh) or choose another runtime with DOWNLINK_JS_RUNTIME."
	case s.RuntimeName != "":
		s.Status = SolverMissing
		s.Message = "yt-dlp found " + s.RuntimeName + " " + s.RuntimeVersion + " but no challenge solver script for it: " +
			"use a yt-dlp that ships the EJS scripts (the managed yt-dlp does) or allow remote components in the YouTube settings."
	default:
		s.Status = SolverMissing
		s.Message = "No JavaScript runtime found for yt-dlp's YouTube challenge solver: install Deno " + MinDeno +
			" or newer (deploy/install-deps.sh) or set DOWNLINK_JS_RUNTIME."
	}
	return s
}

// MinDeno is the oldest Deno yt-dlp 2026 accepts.
const MinDeno = "2.3"

// solverTTL is how long a solver answer is reused: asking takes a yt-dlp
// start (about 3 s).
const solverTTL = 10 * time.Minute

// solverProbeURL is a YouTube video page; the probe never reaches it (the
// proxy is a local port that closes every connection), it only makes
// yt-dlp's YouTube extractor report its challenge providers.
const solverProbeURL = "https://www.youtube.com/watch?v=jNQXAC9IVRw"

type solverCache struct {
	mu       sync.Mutex
	bin      string
	at       time.Time
	state    SolverState
	checking bool
}

// fresh returns the cached answer for bin if it is recent. c.mu is held.
func (c *solverCache) fresh(bin string) (SolverState, bool) {
	return c.state, c.bin == bin && !c.at.IsZero() && time.Since(c.at) < solverTTL
}

// Solver reports the YouTube challenge solver of the yt-dlp that new jobs
// run: yt-dlp itself is asked (-v) with the flags and environment of a
// download, through a proxy that closes every connection so nothing
// leaves the machine. The answer is kept for ten minutes per executable.
// It waits for yt-dlp (about 3 s); SolverNow does not.
func (r *Runner) Solver(ctx context.Context) SolverState {
	bin, release, err := r.cfg.acquire()
	if err != nil {
		return r.notInstalledSolver()
	}
	defer release()
	r.solver.mu.Lock()
	st, ok := r.solver.fresh(bin)
	r.solver.mu.Unlock()
	if ok {
		return st
	}
	return r.checkSolver(ctx, bin)
}

// SolverNow returns the last answer at once. A missing or stale one starts
// a check in the background (one at a time, bounded by its own timeout);
// until it is done the state is "unknown" with "checking" in its message.
// Readiness and the System page use it, so neither waits for yt-dlp.
func (r *Runner) SolverNow() SolverState {
	bin, release, err := r.cfg.acquire()
	if err != nil {
		return r.notInstalledSolver()
	}
	release()
	c := &r.solver
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.fresh(bin)
	if ok {
		return st
	}
	if !c.checking {
		c.checking = true
		go func() {
			bin, release, err := r.cfg.acquire()
			if err == nil {
				r.checkSolver(context.Background(), bin)
				release()
			}
			c.mu.Lock()
			c.checking = false
			c.mu.Unlock()
		}()
	}
	if c.at.IsZero() || c.bin != bin {
		return SolverState{Status: SolverUnknown, Runtime: r.cfg.JSRuntime.String(), Providers: []string{},
			Message: "Checking the YouTube challenge solver…", CheckedAt: time.Now().UTC()}
	}
	return st
}

func (r *Runner) notInstalledSolver() SolverState {
	return SolverState{Status: SolverUnknown, Runtime: r.cfg.JSRuntime.String(), Providers: []string{},
		Message: "yt-dlp is not installed.", CheckedAt: time.Now().UTC()}
}

// checkSolver asks yt-dlp at bin and caches the answer.
func (r *Runner) checkSolver(ctx context.Context, bin string) SolverState {
	// Cached for everyone: a request that goes away must not cancel it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	st := r.askSolver(ctx, bin)
	st.Runtime = r.cfg.JSRuntime.String()
	st.CheckedAt = time.Now().UTC()
	if st.Status != SolverReady {
		r.cfg.Logger.Warn("YouTube challenge solver not ready", "status", st.Status, "runtime", st.Runtime, "message", st.Message)
	} else {
		r.cfg.Logger.Info("YouTube challenge solver ready", "runtime", st.RuntimeName+" "+st.RuntimeVersion, "providers", st.Providers)
	}
	r.solver.mu.Lock()
	r.solver.bin, r.solver.at, r.solver.state = bin, time.Now(), st
	r.solver.mu.Unlock()
	return st
}

// SolverArgs are the arguments Solver runs yt-dlp with (a download's base
// flags and runtime, -v, no download), proxied through proxyURL.
func (r *Runner) solverArgs(version, proxyURL string) []string {
	feat := featuresFor(version)
	c := baseCommand(&r.cfg, feat, Settings{ProxyURL: proxyURL}).Verbose().Simulate().NoPlaylist().ExtractorRetries("0")
	return argv(&r.cfg, feat, c, solverProbeURL)
}

func (r *Runner) askSolver(ctx context.Context, bin string) SolverState {
	version := r.detectVersion(ctx, bin)
	if version != "" && !featuresFor(version).jsRuntimes {
		return SolverState{Status: SolverUnsupported, Providers: []string{}, YtdlpVersion: version,
			Message: "yt-dlp " + version + " predates the JavaScript challenge solver (2025.11.12): update yt-dlp."}
	}
	env := r.cfg.JSRuntime.env()
	id, err := statVersionKey(bin)
	if err != nil {
		return r.runSolver(ctx, bin, version, env)
	}
	key := solverKey{bin: bin, file: id, args: strings.Join(r.solverArgs(version, "http://proxy"), "\x00"), env: envKey(env)}
	return solverAnswers.get(key, func() SolverState { return r.runSolver(ctx, bin, version, env) })
}

// runSolver runs yt-dlp at bin -v through a proxy that closes every
// connection and reads its report.
func (r *Runner) runSolver(ctx context.Context, bin, version string, env map[string]string) SolverState {
	dead, err := closingListener()
	if err != nil {
		return SolverState{Status: SolverUnknown, Providers: []string{}, Message: "cannot ask yt-dlp: " + err.Error()}
	}
	defer dead.Close()
	out := proc.NewHead(256 << 10)
	_, err = r.proc.Run(ctx, proc.Spec{Path: bin, Args: r.solverArgs(version, "http://"+dead.Addr().String()),
		Dir: os.TempDir(), Env: env, Stdout: out, Stderr: out})
	if err != nil {
		return SolverState{Status: SolverUnknown, Providers: []string{}, Message: "cannot run yt-dlp: " + err.Error()}
	}
	return ParseSolverState(out.String())
}

// solverAnswers are the answers of runSolver in this process, by what
// decides one: the executable (its path and file identity, which an update
// changes), the arguments (the proxy's address aside) and the environment.
// A node has one Runner, whose own cache is in front of this; a test
// process starts hundreds of nodes on the same yt-dlp, and each asked
// again (a Python start, ~0.5 CPU-s). An "unknown" answer (yt-dlp could
// not be run or asked) is not kept.
var solverAnswers = sharedAnswers{m: map[solverKey]*sharedAnswer{}}

type solverKey struct {
	bin       string
	file      versionKey
	args, env string
}

type sharedAnswers struct {
	mu sync.Mutex
	m  map[solverKey]*sharedAnswer
}

type sharedAnswer struct {
	mu    sync.Mutex // held while yt-dlp is asked: one check per key at a time
	at    time.Time
	state SolverState
}

// get returns the answer for key, from ask when there is none younger
// than solverTTL.
func (c *sharedAnswers) get(key solverKey, ask func() SolverState) SolverState {
	c.mu.Lock()
	a := c.m[key]
	if a == nil {
		a = &sharedAnswer{}
		c.m[key] = a
	}
	c.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.at.IsZero() && time.Since(a.at) < solverTTL {
		return a.state
	}
	st := ask()
	if st.Status != SolverUnknown {
		a.state, a.at = st, time.Now()
	}
	return st
}

// closingListener listens on a loopback port and closes every connection at
// once: yt-dlp's requests fail at the first byte, offline.
func closingListener() (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	return l, nil
}
