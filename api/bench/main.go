// Command bench measures Downlink the way its users would: it builds and
// starts the real server on 127.0.0.1 with a temporary data dir, generates
// media with ffmpeg, serves it locally, and runs bounded scenarios:
//
//	overhead  N downloads through the API at parallelism P vs yt-dlp run directly
//	api       GET /downloads (50 of 100,000 rows) and GET /downloads/{id} at C clients for D
//	enqueue   POST /downloads rate (workers off, so jobs only queue)
//	sse       one event to 1,000 SSE subscribers: time until all have it
//	memory    RSS idle, RSS with 20 active downloads, Go heap per active download
//	spa       the dashboard's initial JS, gzip
//	soak      C mixed clients for D (reads, submissions, cancels, key calls): no 5xx, caps held
//	scaleout  N downloads on serve + 1 vs + 2 worker processes (Postgres; not in all)
//	warm      yt-dlp forked warm vs plain exec: start-up, N small downloads at P, a feed of -feed items
//	idle      CPU (% of a core) and RSS of a fresh node doing nothing
//
// -vs BIN runs the idle and list scenarios with a second (baseline) binary
// too, in turn with -bin (A B A B …), so both see the same machine.
//
// Each scenario prints a Markdown table; -runs repeats and reports medians.
// Everything targets 127.0.0.1 and stops by itself.
//
//	go run ./api/bench -scenario all -db sqlite
//	go run ./api/bench -scenario api -db postgres -pg 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
)

type options struct {
	scenarios       []string
	db              string
	pgURL           string
	bin             string
	runs            int
	duration        time.Duration
	clients         []int
	n               int
	parallel        []int
	subscribers     int
	rows            int
	soakClients     int
	soakFor         time.Duration
	soakSubmitEvery time.Duration
	repo            string
	warmMode        string
	warmParts       map[string]bool
	feed            int
	feedParallel    int
	vs              string
	idleFor         time.Duration
}

type contender struct{ name, path string }

// contenders are the binaries a comparing scenario runs in turn: -bin, and
// -vs when given.
func (o options) contenders() []contender {
	c := []contender{{"new", o.bin}}
	if o.vs != "" {
		c = append(c, contender{"base", o.vs})
	}
	return c
}

func main() {
	// The warm scenario starts yt-dlp through proc, whose guard is this
	// executable.
	proc.RunGuardIfRequested()
	var o options
	var scen, clients, par string
	flag.StringVar(&scen, "scenario", "all", "comma list: overhead, api, enqueue, sse, memory, spa, soak, scaleout, warm, idle, all (soak and scaleout are never in all)")
	flag.StringVar(&o.db, "db", "sqlite", "sqlite or postgres")
	flag.StringVar(&o.pgURL, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "Postgres admin URL (a fresh database is made per server)")
	flag.StringVar(&o.bin, "bin", "", "downlink binary (default: go build into a temp dir)")
	flag.IntVar(&o.runs, "runs", 3, "repetitions per measurement (medians reported)")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "api scenario: time per concurrency level")
	flag.StringVar(&clients, "clients", "50,200", "api scenario: concurrent clients")
	flag.IntVar(&o.n, "n", 20, "overhead scenario: downloads per run")
	flag.StringVar(&par, "parallel", "1,4", "overhead scenario: parallelism")
	flag.IntVar(&o.subscribers, "subscribers", 1000, "sse scenario: subscribers")
	flag.IntVar(&o.rows, "rows", 100000, "api scenario: rows in the downloads table")
	flag.IntVar(&o.soakClients, "soak-clients", 200, "soak: concurrent clients")
	flag.DurationVar(&o.soakFor, "soak-duration", 10*time.Minute, "soak: how long")
	flag.DurationVar(&o.soakSubmitEvery, "soak-submit-every", 2*time.Second, "soak: at most one download submitted per this interval, across all clients")
	flag.StringVar(&o.warmMode, "warm", "both", "warm scenario: both (alternating), on or off (one mode, e.g. to time whole runs from outside)")
	var warmParts string
	flag.StringVar(&warmParts, "warm-parts", "startup,downloads,feed", "warm scenario: which parts to run")
	flag.IntVar(&o.feed, "feed", 50, "warm scenario: items in the feed")
	flag.IntVar(&o.feedParallel, "feed-parallel", 4, "warm scenario: parallelism for the feed")
	flag.StringVar(&o.vs, "vs", "", "idle and list scenarios: a baseline binary run in turn with -bin")
	flag.DurationVar(&o.idleFor, "idle-duration", time.Minute, "idle scenario: how long to measure")
	flag.Parse()
	o.scenarios = strings.Split(scen, ",")
	o.warmParts = map[string]bool{}
	for _, p := range strings.Split(warmParts, ",") {
		o.warmParts[strings.TrimSpace(p)] = true
	}
	o.clients = ints(clients)
	o.parallel = ints(par)
	wd, _ := os.Getwd()
	o.repo = findRepo(wd)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	raiseFileLimit()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	fmt.Printf("# Downlink benchmarks\n\n%s, %d CPUs, %s, database %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		runtime.NumCPU(), runtime.GOOS+"/"+runtime.GOARCH, o.db)
	bin, cleanup, err := buildBinary(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	o.bin = bin
	want := map[string]bool{}
	for _, s := range o.scenarios {
		want[strings.TrimSpace(s)] = true
	}
	all := want["all"]
	steps := []struct {
		name string
		fn   func(context.Context, options) error
	}{
		{"spa", benchSPA}, {"overhead", benchOverhead}, {"enqueue", benchEnqueue},
		{"api", benchAPI}, {"sse", benchSSE}, {"memory", benchMemory}, {"soak", benchSoak},
		{"scaleout", benchScaleout}, {"warm", benchWarm}, {"idle", benchIdle},
	}
	for _, s := range steps {
		if !want[s.name] && !(all && s.name != "soak" && s.name != "scaleout") {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		start := time.Now()
		if err := s.fn(ctx, o); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Printf("_(%s took %s)_\n\n", s.name, time.Since(start).Round(time.Second))
	}
	return nil
}

func ints(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(p), &n); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func findRepo(dir string) string {
	for d := dir; d != "/"; d = parentDir(d) {
		if _, err := os.Stat(d + "/go.mod"); err == nil {
			return d
		}
	}
	return dir
}

func parentDir(d string) string {
	i := strings.LastIndexByte(strings.TrimRight(d, "/"), '/')
	if i <= 0 {
		return "/"
	}
	return d[:i]
}

func raiseFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}
