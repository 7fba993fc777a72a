package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// benchSSE connects N subscribers, publishes one event (a new download) and
// measures, per subscriber, the time from just before the POST until the
// event arrived.
func benchSSE(ctx context.Context, o options) error {
	fmt.Printf("## SSE fan-out (%s)\n\n%d subscribers on one node; one download.created event; time from the POST until each subscriber had it. Median of %d runs.\n\n",
		o.db, o.subscribers, o.runs)
	fmt.Println("| run | received | p50 | p99 | max |")
	fmt.Println("|---|---|---|---|---|")
	var p99s []float64
	for r := 0; r < o.runs; r++ {
		s, err := startServer(ctx, o, "DOWNLINK_WORKERS=0")
		if err != nil {
			return err
		}
		got, lat, err := fanout(ctx, s, o.subscribers)
		s.stop()
		if err != nil {
			return err
		}
		p99 := percentile(lat, 99)
		p99s = append(p99s, float64(p99.Microseconds())/1000)
		fmt.Printf("| %d | %d/%d | %s | %s | %s |\n", r+1, got, o.subscribers, ms(percentile(lat, 50)), ms(p99), ms(percentile(lat, 100)))
	}
	fmt.Printf("\nMedian p99: **%.2f ms**.\n\n", median(p99s))
	return nil
}

func fanout(ctx context.Context, s *server, n int) (int, []time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: n + 10, MaxConnsPerHost: 0, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Jar: s.client.Jar}
	ready := make(chan struct{}, n)
	var (
		mu      sync.Mutex
		arrived []time.Time
		wg      sync.WaitGroup
	)
	fire := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/v1/events?types=download.created", nil)
			resp, err := client.Do(req)
			if err != nil {
				ready <- struct{}{}
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			signalled := false
			for sc.Scan() {
				line := sc.Text()
				if !signalled && strings.HasPrefix(line, "retry:") {
					signalled = true
					ready <- struct{}{}
				}
				if line == "event: download.created" {
					t := time.Now()
					mu.Lock()
					arrived = append(arrived, t)
					mu.Unlock()
					return
				}
			}
			if !signalled {
				ready <- struct{}{}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case <-ready:
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("only %d subscribers connected", i)
		}
	}
	time.Sleep(200 * time.Millisecond)
	close(fire)
	t0 := time.Now()
	if _, err := s.postJSON(ctx, s.client, "/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:9/x.mp4"}, 202, nil); err != nil {
		return 0, nil, err
	}
	deadline := time.After(30 * time.Second)
	for {
		mu.Lock()
		got := len(arrived)
		mu.Unlock()
		if got == n {
			break
		}
		select {
		case <-deadline:
			cancel()
			wg.Wait()
			return got, latencies(arrived, t0), nil
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	wg.Wait()
	return len(arrived), latencies(arrived, t0), nil
}

func latencies(ts []time.Time, t0 time.Time) []time.Duration {
	out := make([]time.Duration, len(ts))
	for i, t := range ts {
		out[i] = t.Sub(t0)
	}
	return out
}
