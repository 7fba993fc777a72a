package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// benchEnqueue measures POST /downloads on a node without workers: the
// row, the quota check and the job in one transaction, and the event.
func benchEnqueue(ctx context.Context, o options) error {
	fmt.Printf("## Enqueue rate (%s)\n\nPOST /api/v1/downloads with 16 concurrent session clients for 10 s, workers off; median of %d runs.\n\n", o.db, o.runs)
	fmt.Println("| run | accepted/s | p50 | p99 | errors |")
	fmt.Println("|---|---|---|---|---|")
	var rates []float64
	for r := 0; r < o.runs; r++ {
		s, err := startServer(ctx, o, "DOWNLINK_WORKERS=0")
		if err != nil {
			return err
		}
		res := post(ctx, s, 16, 10*time.Second)
		s.stop()
		rates = append(rates, res.rps)
		fmt.Printf("| %d | %.0f | %s | %s | %d |\n", r+1, res.rps, ms(res.p50), ms(res.p99), res.errors)
	}
	fmt.Printf("\nMedian: **%.0f downloads accepted per second**.\n\n", median(rates))
	return nil
}

func post(ctx context.Context, s *server, c int, d time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: c + 4}
	client := &http.Client{Transport: tr, Jar: s.client.Jar}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu   sync.Mutex
		lat  []time.Duration
		n    atomic.Int64
		errs atomic.Int64
		seq  atomic.Int64
		wg   sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := seq.Add(1)
				b, _ := json.Marshal(map[string]any{"url": fmt.Sprintf("http://127.0.0.1:9/video-%d.mp4", i)})
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/api/v1/downloads", bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 202 {
					errs.Add(1)
					continue
				}
				n.Add(1)
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return loadResult{requests: n.Load(), errors: errs.Load(), rps: float64(n.Load()) / time.Since(start).Seconds(),
		p50: percentile(lat, 50), p99: percentile(lat, 99)}
}
