package httpapi_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// livePage is a page on 127.0.0.1 that yt-dlp's generic extractor lists
// as a playlist, newest item first, and that a test adds items to
// between checks. Each item is the test video told apart by a query, so
// the downloads show which item they are.
type livePage struct {
	*httptest.Server
	media  *testmedia.Server
	format string // "html": <video> elements; "xspf": an XSPF playlist
	mu     sync.Mutex
	n      int // items 1..n
}

func newLivePage(t *testing.T, media *testmedia.Server, format string) *livePage {
	p := &livePage{media: media, format: format}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *livePage) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
}

// itemURL is the media URL of the i-th item (from 1).
func (p *livePage) itemURL(i int) string {
	return fmt.Sprintf("%s?page_item=%d", p.media.URL(testmedia.PathVideo), i)
}

func (p *livePage) serve(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.format {
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Live test page</title></head><body>\n")
		for i := p.n; i >= 1; i-- {
			fmt.Fprintf(w, "<article><h2>Clip %d</h2><video controls src=\"%s\"></video></article>\n", i, html.EscapeString(p.itemURL(i)))
		}
		fmt.Fprint(w, "</body></html>\n")
	case "xspf":
		w.Header().Set("Content-Type", "application/xspf+xml")
		fmt.Fprint(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\">\n<title>Live test playlist</title>\n<trackList>\n")
		for i := p.n; i >= 1; i-- {
			fmt.Fprintf(w, "<track><location>%s</location><title>Clip %d</title><duration>4000</duration></track>\n",
				html.EscapeString(p.itemURL(i)), i)
		}
		fmt.Fprint(w, "</trackList>\n</playlist>\n")
	}
}

// pageItems are the page items (by their page_item number) of the
// downloads a subscription queued, in order.
func pageItems(t *testing.T, ds []download) []int {
	t.Helper()
	var out []int
	for _, d := range ds {
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Fatalf("download URL %q: %v", d.URL, err)
		}
		var n int
		if _, err := fmt.Sscan(u.Query().Get("page_item"), &n); err != nil {
			t.Fatalf("download URL %q is no page item", d.URL)
		}
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// TestSubscriptionPageBackfillThenNewItems: a subscription to a page
// that real yt-dlp lists as a playlist (not a feed: an HTML page with
// <video> elements, an XSPF playlist), newest item first. The first check
// backfills the newest two of five; after three items appear at the top,
// the next check queues exactly those three, and they download; a check
// with nothing new queues nothing.
//
// The generic extractor names a page's entries by position ("page-1" is
// whatever is on top today; every XSPF track gets the playlist's id), so
// entries of generic sources are told apart by their media URL: were
// they told apart by id, the new items would take the old ones' names
// and be missed.
func TestSubscriptionPageBackfillThenNewItems(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"html", "xspf"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			w := newDLWorld(t)
			page := newLivePage(t, testmedia.NewServer(t), format)
			page.add(5)

			sub := createSubscription(t, w.c, map[string]any{"url": page.URL + "/clips", "interval_hours": 24,
				"backfill": map[string]any{"mode": "last", "count": 2}})
			s := waitChecks(t, w.c, sub.ID, 1)
			if s.Status != "ok" || s.LastNewItems != 2 || s.ItemsQueued != 2 {
				t.Fatalf("after the first check: %+v", s)
			}
			if got := pageItems(t, subDownloads(t, w.c, sub.ID)); !slices.Equal(got, []int{4, 5}) {
				t.Errorf("backfill queued items %v, want the newest two, 4 and 5", got)
			}

			page.add(3) // 6, 7, 8 on top
			expectStatus(t, w.c.Post("/api/v1/subscriptions/"+sub.ID.String()+"/check", nil), http.StatusAccepted)
			s = waitChecks(t, w.c, sub.ID, 2)
			if s.Status != "ok" || s.LastNewItems != 3 || s.ItemsQueued != 5 {
				t.Errorf("after the second check: %+v", s)
			}
			all := subDownloads(t, w.c, sub.ID)
			if got := pageItems(t, all); !slices.Equal(got, []int{4, 5, 6, 7, 8}) {
				t.Errorf("queued items %v, want 4 and 5, then exactly the new 6, 7 and 8", got)
			}
			for _, d := range all {
				if done := waitCompleted(t, w.env, w.c, d.ID); len(done.Files) != 1 || done.Files[0].SizeBytes == 0 {
					t.Errorf("download %s", done)
				}
			}

			expectStatus(t, w.c.Post("/api/v1/subscriptions/"+sub.ID.String()+"/check", nil), http.StatusAccepted)
			if s = waitChecks(t, w.c, sub.ID, 3); s.LastNewItems != 0 || len(subDownloads(t, w.c, sub.ID)) != 5 {
				t.Errorf("after a check with nothing new: %+v", s)
			}
		})
	}
}
