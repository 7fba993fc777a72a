package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	fmt.Println("| parallelism | yt-dlp directly | through Downlink | ratio | per job: yt-dlp alone | per job: started→finished in Downlink | per job: queued→started | per job: Downlink's own CPU |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, p := range o.parallel {
		var direct, viaAPI, alone, run, wait, cpu []float64
		for r := 0; r < o.runs; r++ {
			d, err := runDirect(ctx, m, o.n, p, r)
			if err != nil {
				return err
			}
			direct = append(direct, d.total.Seconds())
			alone = append(alone, d.perJob.Seconds())
			// Against plain yt-dlp, Downlink starts it plainly too (the
			// warm scenario measures the warm start).
			a, err := runThroughAPI(ctx, o, m, o.n, p, r, "DOWNLINK_YTDLP_WARM=false")
			if err != nil {
				return err
			}
			viaAPI = append(viaAPI, a.total.Seconds())
			run = append(run, a.perJob.Seconds())
			wait = append(wait, a.wait.Seconds())
			cpu = append(cpu, float64(a.serverCPU.Microseconds())/1000)
		}
		d, a := median(direct), median(viaAPI)
		fmt.Printf("| %d | %.2f s | %.2f s | %.3f | %.2f s | %.2f s | %.2f s | %.0f ms (%.0f–%.0f) |\n", p, d, a, a/d, median(alone), median(run), median(wait),
			median(cpu), slices.Min(cpu), slices.Max(cpu))
	}
	fmt.Println("\nPer-job columns are means over the run's jobs (median of the runs); queued→started includes waiting for a free worker.")
	fmt.Println()
	return nil
}

// timing is one overhead run: the wall time of all N jobs, the mean time
// of one job's download, and (through Downlink) its mean wait in the queue.
type timing struct {
	total, perJob, wait time.Duration
	serverCPU           time.Duration // Downlink's own CPU per job (not its children's: guard, yt-dlp, ffmpeg)
}

func runDirect(ctx context.Context, m *media, n, p, run int) (timing, error) {
	dir, err := os.MkdirTemp("", "downlink-bench-direct-")
	if err != nil {
		return timing{}, err
	}
	defer os.RemoveAll(dir)
	sem := make(chan struct{}, p)
	var wg sync.WaitGroup
	errc := make(chan error, n)
	var busy atomic.Int64
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
			began := time.Now()
			if b, err := cmd.CombinedOutput(); err != nil {
				errc <- fmt.Errorf("yt-dlp: %v: %s", err, b)
			}
			busy.Add(int64(time.Since(began)))
		}(i)
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return timing{}, err
	}
	return timing{total: time.Since(start), perJob: time.Duration(busy.Load() / int64(n))}, nil
}

func runThroughAPI(ctx context.Context, o options, m *media, n, p, run int, env ...string) (timing, error) {
	s, err := startServer(ctx, o, append([]string{"DOWNLINK_WORKERS=" + strconv.Itoa(p)}, env...)...)
	if err != nil {
		return timing{}, err
	}
	defer s.stop()
	// Let the platform limit follow the node's.
	body := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": max(p, 1),
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{}}
	if err := s.put(ctx, "/api/v1/settings/platforms/generic", body); err != nil {
		return timing{}, err
	}
	// Like the dashboard, learn of completions from the event stream, so
	// the measurement itself adds no polling load to the 2-core machine.
	events, err := subscribeUpdates(ctx, s)
	if err != nil {
		return timing{}, err
	}
	defer events.close()
	start, ticks := time.Now(), cpuTicks(s.cmd.Process.Pid)
	for i := 0; i < n; i++ {
		if _, err := s.postJSON(ctx, s.client, "/api/v1/downloads", map[string]any{"url": m.URL(0, fmt.Sprintf("a%d-%d", run, i))}, 202, nil); err != nil {
			return timing{}, err
		}
	}
	if err := events.waitCompleted(n, 10*time.Minute); err != nil {
		return timing{}, err
	}
	total := time.Since(start)
	cpu := time.Duration(cpuTicks(s.cmd.Process.Pid)-ticks) * 10 * time.Millisecond / time.Duration(n) // USER_HZ 100
	var page struct {
		Items []struct {
			CreatedAt  time.Time `json:"created_at"`
			StartedAt  time.Time `json:"started_at"`
			FinishedAt time.Time `json:"finished_at"`
		} `json:"items"`
	}
	if err := s.getJSON(ctx, "/api/v1/downloads?limit=200&status=completed", &page); err != nil {
		return timing{}, err
	}
	if len(page.Items) != n {
		return timing{}, fmt.Errorf("%d of %d downloads completed", len(page.Items), n)
	}
	var wait, busy time.Duration
	for _, it := range page.Items {
		wait += it.StartedAt.Sub(it.CreatedAt)
		busy += it.FinishedAt.Sub(it.StartedAt)
	}
	return timing{total: total, perJob: busy / time.Duration(n), wait: wait / time.Duration(n), serverCPU: cpu}, nil
}

// updates follows download.updated events and counts downloads that
// completed; any that failed or were canceled end the wait with an error.
type updates struct {
	body io.Closer
	done chan string // ids as they complete
	errc chan error
}

func subscribeUpdates(ctx context.Context, s *server) (*updates, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/v1/events?types=download.updated", nil)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("events: %s", resp.Status)
	}
	u := &updates{body: resp.Body, done: make(chan string, 1024), errc: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			if !signalled && strings.HasPrefix(line, "retry:") {
				signalled = true
				close(ready)
			}
			data, ok := strings.CutPrefix(line, "data: ")
			if !ok {
				continue
			}
			var d struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			}
			if json.Unmarshal([]byte(data), &d) != nil {
				continue
			}
			switch d.Status {
			case "completed":
				u.done <- d.ID
			case "failed", "canceled":
				u.errc <- fmt.Errorf("download %s ended %s", d.ID, d.Status)
				return
			}
		}
		u.errc <- fmt.Errorf("event stream ended: %v", sc.Err())
	}()
	select {
	case <-ready:
		return u, nil
	case err := <-u.errc:
		return nil, err
	case <-time.After(10 * time.Second):
		resp.Body.Close()
		return nil, fmt.Errorf("event stream did not open")
	}
}

func (u *updates) waitCompleted(n int, limit time.Duration) error {
	seen := map[string]bool{}
	timeout := time.After(limit)
	for len(seen) < n {
		select {
		case id := <-u.done:
			seen[id] = true
		case err := <-u.errc:
			return err
		case <-timeout:
			return fmt.Errorf("only %d of %d completed", len(seen), n)
		}
	}
	return nil
}

func (u *updates) close() { u.body.Close() }
