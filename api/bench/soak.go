package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// benchSoak runs C mixed clients for D: session users reading and
// submitting and cancelling, and API-key programs (some over their rate
// limit). It checks: no 5xx, 429 only for keys over their limit, every
// accepted job reaches a final state, yt-dlp processes never exceed the
// node's cap, and RSS stays flat.
func benchSoak(ctx context.Context, o options) error {
	const workers = 4
	m, err := newMedia(ctx, 4, "800k")
	if err != nil {
		return err
	}
	defer m.close()
	s, err := startServer(ctx, o, "DOWNLINK_WORKERS="+strconv.Itoa(workers))
	if err != nil {
		return err
	}
	defer s.stop()
	body := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": workers,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{}}
	if err := s.put(ctx, "/api/v1/settings/platforms/generic", body); err != nil {
		return err
	}
	// A key with a low limit: its 429s are expected; nobody else may get one.
	var limited struct {
		Key string `json:"key"`
	}
	if _, err := s.postJSON(ctx, s.client, "/api/v1/api-keys", map[string]any{"name": "limited", "scopes": []string{"downloads:read"},
		"rate_limit_per_minute": 30}, 201, &limited); err != nil {
		return err
	}
	var (
		status   sync.Map // code → *atomic.Int64
		unexpect atomic.Int64
		accepted sync.Map // id → true
		maxProcs atomic.Int64
		rss      []float64
		rssMu    sync.Mutex
		minutes  []soakSample // one per minute: is memory flat, or growing?
	)
	count := func(code int) {
		v, _ := status.LoadOrStore(code, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	runCtx, cancel := context.WithTimeout(ctx, o.soakFor)
	defer cancel()
	go func() { // watchers
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for runCtx.Err() == nil {
			<-t.C
			if n := int64(len(processes("yt-dlp"))); n > maxProcs.Load() {
				maxProcs.Store(n)
			}
			now := float64(rssBytes(s.cmd.Process.Pid))
			rssMu.Lock()
			rss = append(rss, now)
			n := len(rss)
			rssMu.Unlock()
			if n%60 == 0 {
				sample := soakSample{rss: now, heap: s.metric("go_memstats_heap_inuse_bytes"), goroutines: s.metric("go_goroutines")}
				rssMu.Lock()
				minutes = append(minutes, sample)
				rssMu.Unlock()
			}
		}
	}()
	// Submissions come at a steady rate across all clients (a busy team,
	// not a flood): a client whose turn is to submit and finds no token
	// reads the list instead. Faster than the node can download, the queue
	// would only grow, and "every accepted job ends" would measure the
	// backlog rather than the server.
	tokens := make(chan struct{}, 1)
	go func() {
		t := time.NewTicker(o.soakSubmitEvery)
		defer t.Stop()
		for runCtx.Err() == nil {
			<-t.C
			select {
			case tokens <- struct{}{}:
			default:
			}
		}
	}()
	takeToken := func() bool {
		select {
		case <-tokens:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < o.soakClients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
			kind := w % 10
			if kind < 7 { // session users share the admin's cookie jar
				c.Jar = s.client.Jar
			}
			var mine []string
			for runCtx.Err() == nil {
				var req *http.Request
				switch {
				case kind >= 8: // the rate-limited program
					req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, s.url+"/api/v1/downloads?limit=10", nil)
					req.Header.Set("Authorization", "Bearer "+limited.Key)
				case kind == 7: // a well-behaved program
					req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, s.url+"/api/v1/stats", nil)
					req.Header.Set("Authorization", "Bearer "+s.key)
				default:
					switch r := rand.IntN(100); {
					case r < 5 && takeToken():
						b, _ := json.Marshal(map[string]any{"url": m.URL(0, strconv.Itoa(w)+"-"+strconv.Itoa(rand.Int()))})
						req, _ = http.NewRequestWithContext(runCtx, http.MethodPost, s.url+"/api/v1/downloads", bytes.NewReader(b))
						req.Header.Set("Content-Type", "application/json")
					case r < 7 && len(mine) > 0:
						req, _ = http.NewRequestWithContext(runCtx, http.MethodPost, s.url+"/api/v1/downloads/"+mine[rand.IntN(len(mine))]+"/cancel", nil)
					case r < 50:
						req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, s.url+"/api/v1/downloads?limit=20", nil)
					default:
						req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, s.url+"/api/v1/system", nil)
					}
				}
				resp, err := c.Do(req)
				if err != nil {
					continue
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				count(resp.StatusCode)
				switch {
				case resp.StatusCode >= 500:
					unexpect.Add(1)
				case resp.StatusCode == 429 && kind < 8:
					unexpect.Add(1)
				case resp.StatusCode == 202 && req.Method == http.MethodPost && req.URL.Path == "/api/v1/downloads":
					var d struct {
						ID string `json:"id"`
					}
					if json.Unmarshal(data, &d) == nil {
						mine = append(mine, d.ID)
						accepted.Store(d.ID, true)
					}
				}
				time.Sleep(time.Duration(50+rand.IntN(100)) * time.Millisecond)
			}
		}(w)
	}
	wg.Wait()
	// Every accepted job must end: wait for the queue to drain.
	drained := false
	deadline := time.Now().Add(15 * time.Minute)
	for time.Now().Before(deadline) && !drained {
		var page struct {
			Items []struct{} `json:"items"`
		}
		if err := s.getJSON(ctx, "/api/v1/downloads?status=queued,fetching_info,downloading,post_processing&limit=1", &page); err != nil {
			return err
		}
		drained = len(page.Items) == 0
		time.Sleep(time.Second)
	}
	total := 0
	accepted.Range(func(_, _ any) bool { total++; return true })
	fmt.Printf("## Soak (%s)\n\n%d clients for %s against one node with %d workers; at most one submission every %s.\n\n",
		o.db, o.soakClients, o.soakFor, workers, o.soakSubmitEvery)
	fmt.Println("| status | responses |")
	fmt.Println("|---|---|")
	var codes []int
	status.Range(func(k, _ any) bool { codes = append(codes, k.(int)); return true })
	slices.Sort(codes)
	for _, code := range codes {
		v, _ := status.Load(code)
		fmt.Printf("| %d | %d |\n", code, v.(*atomic.Int64).Load())
	}
	rssMu.Lock()
	first, last := window(rss, 0, 60), window(rss, len(rss)-60, len(rss))
	rssMu.Unlock()
	fmt.Println("\n| minute | RSS | Go heap in use | goroutines |\n|---|---|---|---|")
	for i, m := range minutes {
		fmt.Printf("| %d | %s | %s | %.0f |\n", i+1, mib(m.rss), mib(m.heap), m.goroutines)
	}
	fmt.Printf("\n- unexpected responses (5xx, or 429 to a client under its limit): **%d**\n", unexpect.Load())
	fmt.Printf("- downloads accepted: %d; all reached a final state: **%v**\n", total, drained)
	fmt.Printf("- most yt-dlp processes at once: **%d** (cap %d)\n", maxProcs.Load(), workers)
	fmt.Printf("- RSS first minute %s, last minute %s\n\n", mib(first), mib(last))
	if unexpect.Load() > 0 || !drained || maxProcs.Load() > workers {
		return fmt.Errorf("soak failed")
	}
	return nil
}

type soakSample struct{ rss, heap, goroutines float64 }

func window(xs []float64, from, to int) float64 {
	from, to = max(0, from), min(len(xs), to)
	if to <= from {
		return 0
	}
	var s float64
	for _, x := range xs[from:to] {
		s += x
	}
	return s / float64(to-from)
}
