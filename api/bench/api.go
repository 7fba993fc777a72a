package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store"
)

// seed inserts rows into the downloads table of s's database, owned by the
// admin, in batches.
func seed(ctx context.Context, s *server, rows int) ([]uuid.UUID, error) {
	cfg := config.Config{DatabaseURL: s.dbURL}
	db, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, db, discardLogger())
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var ownerID string
	if err := st.DB.Table("users").Select("id").Limit(1).Scan(&ownerID).Error; err != nil {
		return nil, err
	}
	owner, err := uuid.Parse(ownerID)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	now := time.Now().UTC().Add(-time.Duration(rows) * time.Second)
	statuses := []string{"completed", "completed", "completed", "failed", "canceled"}
	const batch = 1000
	for i := 0; i < rows; i += batch {
		var chunk []map[string]any
		for j := i; j < min(i+batch, rows); j++ {
			id, _ := uuid.NewV7()
			ids = append(ids, id)
			t := now.Add(time.Duration(j) * time.Second)
			chunk = append(chunk, map[string]any{
				"id": id, "user_id": owner, "url": fmt.Sprintf("https://www.youtube.com/watch?v=seed%07d", j),
				"platform": "youtube", "kind": "video", "status": statuses[j%len(statuses)],
				"title": fmt.Sprintf("Seeded video number %d", j), "options": `{"preset":"best"}`,
				"percent": 100, "downloaded_bytes": 1 << 20, "attempts": 1, "playlist_index": 0,
				"created_at": t, "updated_at": t, "started_at": t, "finished_at": t.Add(5 * time.Second),
			})
		}
		if err := st.DB.WithContext(ctx).Table("downloads").Create(chunk).Error; err != nil {
			return nil, err
		}
	}
	if err := seedFiles(ctx, st, s, owner, ids[max(0, len(ids)-filesFor):]); err != nil {
		return nil, err
	}
	if st.IsPostgres() {
		st.DB.Exec("ANALYZE downloads")
		st.DB.Exec("ANALYZE files")
	}
	// No ANALYZE on SQLite: Downlink never runs it there, so a user's
	// database has no statistics. With them (modernc.org/sqlite is built
	// with STAT4) a plan depends on the values bound to a range or LIKE
	// parameter, and SQLite prepares such a statement again for every new
	// value: a cached statement would be parsed per request.
	return ids, nil
}

// filesFor is how many of the newest seeded downloads get a real file in
// the library (a row in files and its data on disk), so a list of them
// costs what a user's list costs.
const filesFor = 2000

func seedFiles(ctx context.Context, st *store.Store, s *server, owner uuid.UUID, ids []uuid.UUID) error {
	dir := filepath.Join(s.dataDir, "library", owner.String(), "youtube")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	now := time.Now().UTC()
	var chunk []map[string]any
	for i, id := range ids {
		name := fmt.Sprintf("Seeded video number %d [%s].mp4", i, id.String()[:8])
		if err := os.WriteFile(filepath.Join(dir, name), []byte("not really a video"), 0o600); err != nil {
			return err
		}
		fid, _ := uuid.NewV7()
		chunk = append(chunk, map[string]any{"id": fid, "download_id": id, "user_id": owner, "name": name,
			"rel_path": owner.String() + "/youtube/" + name, "size_bytes": 18, "mime_type": "video/mp4", "kind": "video",
			"platform": "youtube", "pinned": false, "created_at": now, "updated_at": now})
		if len(chunk) == 500 || i == len(ids)-1 {
			if err := st.DB.WithContext(ctx).Table("files").Create(chunk).Error; err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	return nil
}

type loadResult struct {
	requests  int64
	errors    int64
	rps       float64
	p50, p99  time.Duration
	cpuPerReq time.Duration // the server's CPU (user + system) per request
	rss       float64       // the server's RSS, largest of samples every 500 ms
}

// load runs c clients against path(i) for d, each request timed.
func load(ctx context.Context, s *server, c int, d time.Duration, path func(int) string) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: c + 10, MaxConnsPerHost: c + 10}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Jar: s.client.Jar, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu     sync.Mutex
		lat    []time.Duration
		errs   atomic.Int64
		n      atomic.Int64
		wg     sync.WaitGroup
		seqGen atomic.Int64
	)
	start, ticks := time.Now(), cpuTicks(s.cmd.Process.Pid)
	var peak atomic.Int64
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if r := rssBytes(s.cmd.Process.Pid); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				i := int(seqGen.Add(1))
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path(i), nil)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				var body []byte
				if resp.StatusCode != 200 {
					body, _ = io.ReadAll(resp.Body)
				} else {
					_, _ = io.Copy(io.Discard, resp.Body)
				}
				resp.Body.Close()
				el := time.Since(t0)
				if resp.StatusCode != 200 {
					if errs.Add(1) == 1 {
						log.Printf("load: first error: %s %s: %d %.300s\nserver log: %s", req.Method, req.URL.Path, resp.StatusCode, body, tail(s.log.String(), 1500))
					}
				}
				n.Add(1)
				local = append(local, el)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	used := time.Duration(cpuTicks(s.cmd.Process.Pid)-ticks) * 10 * time.Millisecond // USER_HZ 100
	var per time.Duration
	if n.Load() > 0 {
		per = used / time.Duration(n.Load())
	}
	return loadResult{requests: n.Load(), errors: errs.Load(), rps: float64(n.Load()) / el.Seconds(),
		p50: percentile(lat, 50), p99: percentile(lat, 99), cpuPerReq: per, rss: float64(peak.Load())}
}

// benchAPI measures reads of a big list (its newest rows with a real file
// each) and of single rows; with -vs, the baseline binary runs in turn.
func benchAPI(ctx context.Context, o options) error {
	fmt.Printf("## API latency (%s)\n\n%d rows seeded, the newest %d with a file on disk; each level runs %s, warm; session-authenticated GETs; CPU is the server's (user + system) per request.\n\n",
		o.db, o.rows, filesFor, o.duration)
	fmt.Println("| binary | run | request | clients | requests/s | server CPU/request | p50 | p99 | errors | peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for run := 1; run <= max(1, o.runs); run++ {
		for _, b := range o.contenders() {
			oo := o
			oo.bin = b.path
			if err := apiOnce(ctx, oo, b.name, run); err != nil {
				return err
			}
		}
	}
	fmt.Println()
	return nil
}

func apiOnce(ctx context.Context, o options, name string, run int) error {
	s, err := startServer(ctx, o, "DOWNLINK_WORKERS=0")
	if err != nil {
		return err
	}
	defer s.stop()
	ids, err := seed(ctx, s, o.rows)
	if err != nil {
		return err
	}
	newest := ids[len(ids)-1]
	routes := []struct {
		name string
		path func(int) string
	}{
		{"list 50 with files", func(int) string { return "/api/v1/downloads?limit=50" }},
		{"one with a file", func(int) string { return "/api/v1/downloads/" + newest.String() }},
	}
	for _, r := range routes {
		load(ctx, s, 8, 2*time.Second, r.path) // warm up
		for _, c := range o.clients {
			res := load(ctx, s, c, o.duration, r.path)
			fmt.Printf("| %s | %d | %s | %d | %.0f | %.3f ms | %s | %s | %d | %s |\n", name, run, r.name, c, res.rps,
				float64(res.cpuPerReq.Microseconds())/1000, ms(res.p50), ms(res.p99), res.errors, mib(res.rss))
		}
	}
	return nil
}
