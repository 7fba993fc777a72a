package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"

	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/ytdlp/warm"
)

// benchWarm compares yt-dlp started warm (DOWNLINK_YTDLP_WARM=true: forked
// from a fork server with yt_dlp imported) with plain exec
// (DOWNLINK_YTDLP_WARM=false): the start-up alone, N small downloads
// through Downlink at each parallelism, and a feed of -feed items (one
// listing, then one download per item). Warm and plain runs alternate, so
// a drift of the machine's speed hits both alike; each Downlink run is a
// fresh server whose fork server starts lazily inside the timed window.
func benchWarm(ctx context.Context, o options) error {
	if o.warmParts["startup"] {
		if err := benchWarmStartup(ctx, o); err != nil {
			return err
		}
	}
	m, err := newMedia(ctx, 2, "400k")
	if err != nil {
		return err
	}
	defer m.close()
	modes := warmModes{{"plain exec", false}, {"warm", true}}
	switch o.warmMode {
	case "on":
		modes = modes[1:]
	case "off":
		modes = modes[:1]
	}
	if o.warmParts["downloads"] {
		if err := benchWarmDownloads(ctx, o, m, modes); err != nil {
			return err
		}
	}
	if o.warmParts["feed"] {
		return benchWarmFeed(ctx, o, m, modes)
	}
	return nil
}

type warmModes = []struct {
	name string
	on   bool
}

func benchWarmDownloads(ctx context.Context, o options, m *media, modes warmModes) error {
	fmt.Printf("## Warm yt-dlp: small downloads\n\n%d downloads of a %.0f kB local video through Downlink; wall time from the first submission until all completed; median (min–max) of %d runs.\n\n",
		o.n, float64(m.size())/1e3, o.runs)
	fmt.Println("| parallelism | " + modeHeader(modes) + " |")
	fmt.Println("|---|" + strings.Repeat("---|", len(modes)+boolInt(len(modes) == 2)))
	for _, p := range o.parallel {
		times := make([][]float64, len(modes))
		for r := 0; r < o.runs; r++ {
			for i, md := range modes {
				a, err := runThroughAPI(ctx, o, m, o.n, p, r, "DOWNLINK_YTDLP_WARM="+strconv.FormatBool(md.on))
				if err != nil {
					return fmt.Errorf("%s: %w", md.name, err)
				}
				times[i] = append(times[i], a.total.Seconds())
			}
		}
		fmt.Printf("| %d | %s |\n", p, modeCells(times))
	}
	fmt.Println()
	return nil
}

func benchWarmFeed(ctx context.Context, o options, m *media, modes warmModes) error {
	fmt.Printf("## Warm yt-dlp: a feed of %d items\n\nOne RSS feed on 127.0.0.1 with %d items (the same small video each); wall time from the submission until the parent and every item completed, at parallelism %d; median (min–max) of %d runs.\n\n",
		o.feed, o.feed, o.feedParallel, o.runs)
	fmt.Println("| items | " + modeHeader(modes) + " |")
	fmt.Println("|---|" + strings.Repeat("---|", len(modes)+boolInt(len(modes) == 2)))
	times := make([][]float64, len(modes))
	for r := 0; r < o.runs; r++ {
		for i, md := range modes {
			d, err := runFeed(ctx, o, m, o.feed, o.feedParallel, r, md.on)
			if err != nil {
				return fmt.Errorf("feed, %s: %w", md.name, err)
			}
			times[i] = append(times[i], d.Seconds())
		}
	}
	fmt.Printf("| %d | %s |\n\n", o.feed, modeCells(times))
	return nil
}

func modeHeader(modes warmModes) string {
	var h []string
	for _, m := range modes {
		h = append(h, m.name)
	}
	if len(modes) == 2 {
		h = append(h, "warm ÷ plain (median of pairs)")
	}
	return strings.Join(h, " | ")
}

func modeCells(times [][]float64) string {
	var c []string
	for _, ts := range times {
		c = append(c, fmt.Sprintf("%.2f s (%.2f–%.2f)", median(ts), slices.Min(ts), slices.Max(ts)))
	}
	if len(times) == 2 {
		var ratios []float64
		for i := range times[0] {
			ratios = append(ratios, times[1][i]/times[0][i])
		}
		c = append(c, fmt.Sprintf("%.2f (%.2f–%.2f)", median(ratios), slices.Min(ratios), slices.Max(ratios)))
	}
	return strings.Join(c, " | ")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runFeed submits a feed of n items to a fresh server at parallelism p and
// waits until the parent and its n children completed.
func runFeed(ctx context.Context, o options, m *media, n, p, run int, warmOn bool) (time.Duration, error) {
	s, err := startServer(ctx, o, "DOWNLINK_WORKERS="+strconv.Itoa(p), "DOWNLINK_YTDLP_WARM="+strconv.FormatBool(warmOn))
	if err != nil {
		return 0, err
	}
	defer s.stop()
	body := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": max(p, 1),
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{}}
	if err := s.put(ctx, "/api/v1/settings/platforms/generic", body); err != nil {
		return 0, err
	}
	events, err := subscribeUpdates(ctx, s)
	if err != nil {
		return 0, err
	}
	defer events.close()
	start := time.Now()
	u := fmt.Sprintf("%s/feed.xml?n=%d&salt=f%d-%t", m.url, n, run, warmOn)
	if _, err := s.postJSON(ctx, s.client, "/api/v1/downloads", map[string]any{"url": u}, 202, nil); err != nil {
		return 0, err
	}
	if err := events.waitCompleted(n+1, 10*time.Minute); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// serveFeed answers /feed.xml?n=N&salt=S: an RSS feed whose N items each
// enclose the video under its own URL.
func (m *media) serveFeed(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 0 || n > 1000 {
		http.Error(w, "n must be 0..1000", http.StatusBadRequest)
		return
	}
	type enclosure struct {
		URL    string `xml:"url,attr"`
		Length int64  `xml:"length,attr"`
		Type   string `xml:"type,attr"`
	}
	type item struct {
		Title     string    `xml:"title"`
		GUID      string    `xml:"guid"`
		PubDate   string    `xml:"pubDate"`
		Enclosure enclosure `xml:"enclosure"`
	}
	type channel struct {
		Title string `xml:"title"`
		Link  string `xml:"link"`
		Items []item `xml:"item"`
	}
	type rss struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel channel  `xml:"channel"`
	}
	salt := r.URL.Query().Get("salt")
	feed := rss{Version: "2.0", Channel: channel{Title: "Bench feed", Link: m.url + "/"}}
	for i := 1; i <= n; i++ {
		feed.Channel.Items = append(feed.Channel.Items, item{Title: fmt.Sprintf("Episode %d", i),
			GUID: fmt.Sprintf("bench-%s-%d", salt, i), PubDate: fmt.Sprintf("Mon, %02d Jan 2024 10:00:00 +0000", i%28+1),
			Enclosure: enclosure{URL: m.URL(0, fmt.Sprintf("%s-%d", salt, i)), Length: m.size(), Type: "video/mp4"}})
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(feed)
}

// benchWarmStartup times one start of yt-dlp (--version, through proc and
// its guard, as Downlink starts it) plain and forked from a warm server,
// with the interpreter's own floor and the import of yt_dlp beside them.
func benchWarmStartup(ctx context.Context, o options) error {
	bin, err := proc.Lookup("yt-dlp")
	if err != nil {
		return err
	}
	python := "/usr/bin/python3"
	runner := proc.New(proc.Config{})
	if !runner.Guarded() {
		return fmt.Errorf("the bench binary cannot act as the process guard")
	}
	pool := warm.New(warm.Config{Proc: runner})
	pctx, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { pool.Run(pctx); close(stopped) }()
	defer func() { stop(); <-stopped }()
	socket, release := pool.Acquire(ctx, bin, "")
	defer release()
	if socket == "" {
		return fmt.Errorf("%s does not start warm (not a Python yt-dlp?)", bin)
	}
	k := max(o.runs*10, 10)
	timeCmd := func(path string, args []string, fork string) (float64, error) {
		var ts []float64
		for i := 0; i < k; i++ {
			start := time.Now()
			res, err := runner.Run(ctx, proc.Spec{Path: path, Args: args, Stdout: io.Discard, Stderr: io.Discard, ForkServer: fork})
			if err != nil {
				return 0, err
			}
			if res.ExitCode != 0 {
				return 0, fmt.Errorf("%s %v: exit %d", path, args, res.ExitCode)
			}
			ts = append(ts, float64(time.Since(start).Microseconds())/1000)
		}
		return median(ts), nil
	}
	rows := []struct {
		what       string
		path, fork string
		args       []string
	}{
		{"`python3 -c pass` (the interpreter alone)", python, "", []string{"-c", "pass"}},
		{"`python3 -c 'import yt_dlp'`", python, "", []string{"-c", "import yt_dlp"}},
		{"`yt-dlp --version`, plain exec", bin, "", []string{"--ignore-config", "--version"}},
		{"`yt-dlp --version`, forked warm", bin, socket, []string{"--ignore-config", "--version"}},
	}
	fmt.Printf("## Warm yt-dlp: start-up\n\n%s (yt-dlp %s); each started through proc and its guard as Downlink starts children; median of %d starts.\n\n",
		bin, ytdlpVersion(bin), k)
	fmt.Println("| start | ms |")
	fmt.Println("|---|---|")
	for _, r := range rows {
		ms, err := timeCmd(r.path, r.args, r.fork)
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %.1f |\n", r.what, ms)
	}
	fmt.Println()
	return nil
}

func ytdlpVersion(bin string) string {
	out, err := exec.Command(bin, "--ignore-config", "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}
