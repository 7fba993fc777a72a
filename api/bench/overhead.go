package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// benchOverhead compares N downloads through Downlink at parallelism P with
// yt-dlp run directly on the same media with the same parallelism.
func benchOverhead(ctx context.Context, o options) error {
	m, err := newMedia(ctx, 20, "1500k")
	if err != nil {
		return err
	}
	defer m.close()
	fmt.Printf("## Job overhead\n\n%d downloads of a %.1f MB local video; wall time from the first submission until all completed, median of %d runs.\n\n",
		o.n, float64(m.size())/1e6, o.runs)
	fmt.Println("| parallelism | yt-dlp directly | through Downlink | ratio |")
	fmt.Println("|---|---|---|---|")
	for _, p := range o.parallel {
		var direct, viaAPI []float64
		for r := 0; r < o.runs; r++ {
			d, err := runDirect(ctx, m, o.n, p, r)
			if err != nil {
				return err
			}
			direct = append(direct, d.Seconds())
			a, err := runThroughAPI(ctx, o, m, o.n, p, r)
			if err != nil {
				return err
			}
			viaAPI = append(viaAPI, a.Seconds())
		}
		d, a := median(direct), median(viaAPI)
		fmt.Printf("| %d | %.2f s | %.2f s | %.3f |\n", p, d, a, a/d)
	}
	fmt.Println()
	return nil
}

func runDirect(ctx context.Context, m *media, n, p, run int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "downlink-bench-direct-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	sem := make(chan struct{}, p)
	var wg sync.WaitGroup
	errc := make(chan error, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			out := filepath.Join(dir, strconv.Itoa(i)+".%(ext)s")
			cmd := exec.CommandContext(ctx, "yt-dlp", "--ignore-config", "--no-progress", "--quiet", "-o", out,
				"--", m.URL(0, fmt.Sprintf("d%d-%d", run, i)))
			if b, err := cmd.CombinedOutput(); err != nil {
				errc <- fmt.Errorf("yt-dlp: %v: %s", err, b)
			}
		}(i)
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func runThroughAPI(ctx context.Context, o options, m *media, n, p, run int) (time.Duration, error) {
	s, err := startServer(ctx, o, "DOWNLINK_WORKERS="+strconv.Itoa(p))
	if err != nil {
		return 0, err
	}
	defer s.stop()
	// Let the platform limit follow the node's.
	body := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": max(p, 1),
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{}}
	if err := s.put(ctx, "/api/v1/settings/platforms/generic", body); err != nil {
		return 0, err
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := s.postJSON(ctx, s.client, "/api/v1/downloads", map[string]any{"url": m.URL(0, fmt.Sprintf("a%d-%d", run, i))}, 202, nil); err != nil {
			return 0, err
		}
	}
	for {
		var page struct {
			Items []struct {
				Status string `json:"status"`
			} `json:"items"`
		}
		if err := s.getJSON(ctx, "/api/v1/downloads?limit=200", &page); err != nil {
			return 0, err
		}
		done := 0
		for _, it := range page.Items {
			switch it.Status {
			case "completed":
				done++
			case "failed", "canceled":
				return 0, fmt.Errorf("a download ended %s", it.Status)
			}
		}
		if done == n {
			return time.Since(start), nil
		}
		if time.Since(start) > 10*time.Minute {
			return 0, fmt.Errorf("only %d of %d completed", done, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
