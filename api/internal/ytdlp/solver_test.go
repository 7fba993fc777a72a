package ytdlp

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func readSolverFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "solver", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The solver state is read from yt-dlp's own verbose header, recorded from
// the real yt-dlp (2026.10.26) and quoted in real 2026 issues.
func TestParseSolverState(t *testing.T) {
	tests := []struct {
		file        string
		status      SolverStatus
		runtime     string
		version     string
		providers   []string
		ejs         string
		ytdlp       string
		messageHint string
	}{
		{"header-2026.10.26-deno.txt", SolverReady, "deno", "2.9.6", []string{"deno"}, "", "2026.10.26", "solved with deno"},
		{"header-2026.10.26-node.txt", SolverUnsupported, "", "", nil, "", "2026.10.26", "node 20.20.2"},
		{"header-2026.10.26-none.txt", SolverDisabled, "", "", nil, "", "2026.10.26", "DOWNLINK_JS_RUNTIME=none"},
		{"header-2026.10.26-deno-missing.txt", SolverMissing, "", "", nil, "", "2026.10.26", "No JavaScript runtime"},
		{"jsc_deno_verbose_issue15897_2026-02.txt", SolverMissing, "deno", "2.6.5", nil, "0.4.0", "2026.01.31", ""},
		{"jsc_deno_verbose_issue16148_2026-03-06.txt", SolverMissing, "deno", "2.7.4", nil, "", "2026.03.03", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := ParseSolverState(readSolverFixture(t, tt.file))
			if s.Status != tt.status || s.RuntimeName != tt.runtime || s.RuntimeVersion != tt.version ||
				!slices.Equal(s.Providers, append([]string{}, tt.providers...)) || s.EJSVersion != tt.ejs || s.YtdlpVersion != tt.ytdlp {
				t.Errorf("got %+v", s)
			}
			if !strings.Contains(s.Message, tt.messageHint) {
				t.Errorf("message %q lacks %q", s.Message, tt.messageHint)
			}
		})
	}
	if s := ParseSolverState("[debug] yt-dlp version stable@2025.10.22\n"); s.Status != SolverUnknown {
		t.Errorf("no solver lines: %+v", s)
	}
}

// Downlink's own argv and environment, plus -v, through a proxy that
// refuses every connection: the installed yt-dlp finds the installed Deno
// (deploy/install-deps.sh) and lists deno as an available JS challenge
// provider. This is what the System page and /readyz show.
func TestSolverInstalledDeno(t *testing.T) {
	cfg := testConfig(t)
	rt, err := ResolveJSRuntime("", "")
	if err != nil {
		t.Fatal(err)
	}
	if rt.Path == "" {
		t.Fatalf("no deno at %s/deno nor in PATH: run deploy/install-deps.sh", DefaultDenoHome)
	}
	cfg.JSRuntime = rt
	r := New(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := r.Solver(ctx)
	if s.Status != SolverReady || s.RuntimeName != "deno" || !slices.Contains(s.Providers, "deno") {
		t.Fatalf("solver = %+v, want ready with deno", s)
	}
	if s.Runtime != "deno:"+rt.Path {
		t.Errorf("runtime = %q, want what Downlink passes", s.Runtime)
	}
	// Cached: the second answer is the same check.
	if again := r.Solver(ctx); !again.CheckedAt.Equal(s.CheckedAt) {
		t.Error("second call ran yt-dlp again")
	}

	// The same yt-dlp with the runtime turned off reports it.
	cfg.JSRuntime = JSRuntime{Name: JSRuntimeNone}
	if s := New(cfg).Solver(ctx); s.Status != SolverDisabled {
		t.Errorf("none: %+v", s)
	}
}

// SolverNow never waits: the first answer is "checking", the next (once
// the background check is done) the real state.
func TestSolverNow(t *testing.T) {
	cfg := testConfig(t)
	cfg.JSRuntime = JSRuntime{Name: JSRuntimeNone}
	r := New(cfg)
	first := r.SolverNow()
	if first.Status != SolverUnknown || !strings.Contains(first.Message, "Checking") {
		t.Fatalf("first = %+v", first)
	}
	deadline := time.Now().Add(time.Minute)
	for r.SolverNow().Status == SolverUnknown {
		if time.Now().After(deadline) {
			t.Fatal("the background check never finished")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s := r.SolverNow(); s.Status != SolverDisabled {
		t.Errorf("then = %+v", s)
	}
}

// A test process starts many nodes on one yt-dlp, and a node may build
// more than one Runner: the solver is asked once per executable,
// arguments and environment, again when the executable changes, and an
// answer that says nothing ("unknown") is not kept.
func TestSolverAnswerSharedAcrossRunners(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	header := filepath.Join("testdata", "solver", "header-2026.10.26-none.txt")
	if abs, err := filepath.Abs(header); err == nil {
		header = abs
	}
	runs := filepath.Join(dir, "runs")
	bin := filepath.Join(dir, "yt-dlp")
	write := func(report string) {
		script := "#!/bin/sh\nif [ \"$2\" = --version ]; then echo 2026.10.26; exit 0; fi\necho run >> " + runs + "\n" + report + "\n"
		if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		b, _ := os.ReadFile(runs)
		return strings.Count(string(b), "run\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := Config{Path: bin, Logger: testLogger(t), JSRuntime: JSRuntime{Name: JSRuntimeNone}}
	ask := func(cfg Config, wantRuns int, want SolverStatus) {
		t.Helper()
		if s := New(cfg).Solver(ctx); s.Status != want {
			t.Errorf("solver = %+v, want %s", s, want)
		}
		if got := count(); got != wantRuns {
			t.Errorf("yt-dlp asked %d times, want %d", got, wantRuns)
		}
	}

	write("cat " + header + " >&2")
	ask(cfg, 1, SolverDisabled)
	ask(cfg, 1, SolverDisabled) // another node, the same yt-dlp: its answer
	deno := cfg
	deno.JSRuntime = JSRuntime{Name: "deno", Path: filepath.Join(dir, "deno")}
	ask(deno, 2, SolverDisabled) // other arguments: asked
	ask(deno, 2, SolverDisabled)

	// An update replaces the file: asked again.
	time.Sleep(10 * time.Millisecond) // a new modification time on coarse clocks
	write("cat " + header + " >&2")
	ask(cfg, 3, SolverDisabled)

	// A yt-dlp that reports nothing is asked again each time.
	time.Sleep(10 * time.Millisecond)
	write("echo nothing to say >&2")
	ask(cfg, 4, SolverUnknown)
	ask(cfg, 5, SolverUnknown)
}
