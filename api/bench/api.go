package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
	if st.IsPostgres() {
		st.DB.Exec("ANALYZE downloads")
	} else {
		st.DB.Exec("ANALYZE")
	}
	return ids, nil
}

type loadResult struct {
	requests int64
	errors   int64
	rps      float64
	p50, p99 time.Duration
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
	start := time.Now()
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
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				el := time.Since(t0)
				if resp.StatusCode != 200 {
					errs.Add(1)
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
	return loadResult{requests: n.Load(), errors: errs.Load(), rps: float64(n.Load()) / el.Seconds(),
		p50: percentile(lat, 50), p99: percentile(lat, 99)}
}

// benchAPI measures reads of a big list and of single rows.
func benchAPI(ctx context.Context, o options) error {
	s, err := startServer(ctx, o, "DOWNLINK_WORKERS=0")
	if err != nil {
		return err
	}
	defer s.stop()
	t0 := time.Now()
	ids, err := seed(ctx, s, o.rows)
	if err != nil {
		return err
	}
	fmt.Printf("## API latency (%s)\n\n%d rows seeded in %s; each level runs %s, warm; session-authenticated GETs.\n\n",
		o.db, len(ids), time.Since(t0).Round(time.Second), o.duration)
	fmt.Println("| request | clients | requests/s | p50 | p99 | errors |")
	fmt.Println("|---|---|---|---|---|---|")
	routes := []struct {
		name string
		path func(int) string
	}{
		{"GET /api/v1/downloads?limit=50", func(int) string { return "/api/v1/downloads?limit=50" }},
		{"GET /api/v1/downloads/{id}", func(i int) string { return "/api/v1/downloads/" + ids[(i*7919)%len(ids)].String() }},
	}
	for _, r := range routes {
		load(ctx, s, 8, 2*time.Second, r.path) // warm up
		for _, c := range o.clients {
			res := load(ctx, s, c, o.duration, r.path)
			fmt.Printf("| %s | %d | %.0f | %s | %s | %d |\n", r.name, c, res.rps, ms(res.p50), ms(res.p99), res.errors)
		}
	}
	fmt.Println()
	return nil
}
