package httpapi_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/subscriptions"
	"github.com/downlink/downlink/api/internal/users"
)

// BenchmarkSubscriptionChecks checks 1,000 subscriptions to local feeds
// (20 items each, on 127.0.0.1, through the egress proxy) the way the
// subscriptions queue does: two at a time. "nothing new" is the steady
// state (the reader stops at the first, known, item); "one new item"
// queues one download per subscription (no worker runs them). ms/check is
// the wall time per subscription; the numbers are in docs/subscriptions.md.
//
//	go test -run '^$' -bench BenchmarkSubscriptionChecks -benchtime 3x ./api/internal/httpapi
func BenchmarkSubscriptionChecks(b *testing.B) {
	env := apitest.New(b, apitest.WithConfig(func(c *config.Config) {
		c.LogLevel = "warn"
		c.Workers = 0 // no download or check workers: the benchmark runs the checks
		c.GenericSites = true
		c.AllowPrivateNetworks = true
	}))
	ctx := context.Background()
	u, err := env.App.Users.CreateLocal(ctx, users.NewLocal{Email: "bench-" + uuid.NewString()[:8] + "@example.com",
		Role: authz.RoleUser, Password: "correct horse battery staple"})
	if err != nil {
		b.Fatal(err)
	}
	var newest atomic.Int64
	newest.Store(20)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		type item struct {
			Title     string `xml:"title"`
			GUID      string `xml:"guid"`
			Enclosure struct {
				URL string `xml:"url,attr"`
			} `xml:"enclosure"`
		}
		var items []item
		top := int(newest.Load())
		for i := top; i > top-20; i-- {
			it := item{Title: fmt.Sprintf("Episode %d", i), GUID: fmt.Sprintf("g-%d", i)}
			it.Enclosure.URL = fmt.Sprintf("http://%s/media/%s/%d.mp3", r.Host, r.URL.Query().Get("s"), i)
			items = append(items, it)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName xml.Name `xml:"rss"`
			Channel struct {
				Title string `xml:"title"`
				Items []item `xml:"item"`
			} `xml:"channel"`
		}{Channel: struct {
			Title string `xml:"title"`
			Items []item `xml:"item"`
		}{Title: "Bench feed", Items: items}})
	}))
	b.Cleanup(feed.Close)
	const n = 1000
	owner := &authz.Principal{UserID: u.ID, Role: authz.RoleUser, Method: authz.MethodSession}
	var ids []uuid.UUID
	off := false
	for i := range n {
		url := fmt.Sprintf("%s/feed.xml?s=%d", feed.URL, i)
		s, err := env.App.Subscriptions.Create(ctx, owner, subscriptions.Input{URL: &url, Enabled: &off})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	checkAll := func(b *testing.B) (queued int64) {
		var wg sync.WaitGroup
		next := atomic.Int64{}
		var total atomic.Int64
		for range subscriptions.QueueWorkers {
			wg.Go(func() {
				for {
					i := next.Add(1) - 1
					if i >= n {
						return
					}
					res, err := env.App.Subscriptions.Check(ctx, ids[i])
					if err != nil || res.Err != nil {
						b.Errorf("check %d: %v %v", i, err, res.Err)
						return
					}
					total.Add(int64(len(res.Queued)))
				}
			})
		}
		wg.Wait()
		return total.Load()
	}
	start := time.Now()
	checkAll(b) // the first checks: 20 items each recorded (backfill none)
	b.Logf("first check of %d subscriptions (20 items recorded each): %v, %.2f ms/check", n, time.Since(start),
		float64(time.Since(start).Microseconds())/1000/n)
	b.Run("nothing new", func(b *testing.B) {
		for b.Loop() {
			if q := checkAll(b); q != 0 {
				b.Fatalf("queued %d", q)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*n), "ms/check")
	})
	b.Run("one new item", func(b *testing.B) {
		for b.Loop() {
			newest.Add(1)
			if q := checkAll(b); q != n {
				b.Fatalf("queued %d, want %d", q, n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*n), "ms/check")
	})
}
