package httpapi_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/subscriptions"
	"github.com/downlink/downlink/api/internal/testmedia"
	"github.com/downlink/downlink/api/internal/users"
)

// BenchmarkDownloadStartDuringChecks measures a download's start latency
// (its row's started_at − created_at: submitted until a download worker
// runs yt-dlp for it) with the node idle and while the node's
// subscriptions queue works through checks of 1,000 subscriptions to
// local feeds (20 items each, on 127.0.0.1) queued all at once, as a
// thousand due subscriptions would be. Both run the real queue, real
// workers and real yt-dlp on a local file, one download at a time. The
// numbers are in docs/subscriptions.md.
//
//	go test -run '^$' -bench BenchmarkDownloadStartDuringChecks -benchtime 1x -v ./api/internal/httpapi
func BenchmarkDownloadStartDuringChecks(b *testing.B) {
	env := apitest.New(b, apitest.WithConfig(func(c *config.Config) {
		c.LogLevel = "warn"
		c.GenericSites = true
		c.AllowPrivateNetworks = true
	}))
	ctx := context.Background()
	u, err := env.App.Users.CreateLocal(ctx, users.NewLocal{Email: "bench-" + uuid.NewString()[:8] + "@example.com",
		Role: authz.RoleUser, Password: "correct horse battery staple"})
	if err != nil {
		b.Fatal(err)
	}
	owner := &authz.Principal{UserID: u.ID, Role: authz.RoleUser, Method: authz.MethodSession}
	media := testmedia.NewServer(b)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		type item struct {
			Title     string `xml:"title"`
			GUID      string `xml:"guid"`
			Enclosure struct {
				URL string `xml:"url,attr"`
			} `xml:"enclosure"`
		}
		var items []item
		for i := 20; i > 0; i-- {
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
	checked := func() int64 {
		var c int64
		env.App.Store.DB.Raw("SELECT COUNT(*) FROM subscriptions WHERE checks > 0").Scan(&c)
		return c
	}
	// download submits one download and waits for it to finish; it
	// returns its start latency.
	download := func(b *testing.B) time.Duration {
		d, _, err := env.App.Engine.Downloads.Create(ctx, owner, downloads.CreateRequest{URL: media.URL(testmedia.PathVideo), AllowDuplicate: true})
		if err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for {
			got, err := env.App.Engine.Downloads.Get(ctx, owner, d.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.Status == downloads.StatusCompleted {
				return got.StartedAt.Sub(got.CreatedAt)
			}
			if got.Status == downloads.StatusFailed || time.Now().After(deadline) {
				b.Fatalf("download %s: %s", d.ID, got.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	const k = 10
	report := func(b *testing.B, lat []time.Duration) {
		slices.Sort(lat)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(lat[len(lat)/2]), "ms-start-p50")
		b.ReportMetric(ms(lat[len(lat)*9/10]), "ms-start-p90")
		b.ReportMetric(ms(lat[len(lat)-1]), "ms-start-max")
		b.Logf("start latencies: %v", lat)
	}
	download(b) // warm: yt-dlp's first start
	b.Run("idle", func(b *testing.B) {
		var lat []time.Duration
		for b.Loop() {
			for range k {
				lat = append(lat, download(b))
			}
		}
		report(b, lat)
	})
	b.Run("1000 checks queued", func(b *testing.B) {
		var lat []time.Duration
		for b.Loop() {
			before := checked()
			start := time.Now()
			for _, id := range ids {
				if _, err := env.App.Subscriptions.CheckNow(ctx, owner, id); err != nil {
					b.Fatal(err)
				}
			}
			queued := time.Since(start)
			for range k {
				lat = append(lat, download(b))
			}
			during := checked() - before
			// Wait the rest out, so the next round (and the report) sees
			// the whole run.
			for checked()-before < n {
				time.Sleep(100 * time.Millisecond)
			}
			all := time.Since(start)
			b.Logf("queued %d checks in %v; %d of them ran during the %d downloads; all done after %v (%.1f checks/s)",
				n, queued, during, k, all, float64(n)/all.Seconds())
			if during >= n {
				b.Logf("warning: every check finished before the downloads did: the overlap was partial")
			}
			env.App.Store.DB.Exec("UPDATE subscriptions SET checks = 0")
		}
		report(b, lat)
	})
}
