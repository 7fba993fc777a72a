package feeds_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/feeds"
)

const podcast = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>A &amp; B Show</title>
  <itunes:author>Alice</itunes:author>
  <image><title>not the feed's title</title><url>http://x/logo.png</url></image>
  <item>
    <title>Episode 2</title>
    <guid isPermaLink="false">ep-2</guid>
    <link>http://example.com/ep2</link>
    <pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>
    <itunes:duration>1:02:03</itunes:duration>
    <enclosure url="http://example.com/ep2.mp3" length="1" type="audio/mpeg"/>
    <itunes:image href="http://example.com/ep2.jpg"/>
    <description>Second &lt;b&gt;one&lt;/b&gt;</description>
  </item>
  <item>
    <title>Episode 1</title>
    <link>http://example.com/ep1</link>
    <pubDate>Mon, 1 Jan 2024 10:00:00 GMT</pubDate>
    <itunes:duration>95</itunes:duration>
  </item>
  <item><title>no url at all</title></item>
</channel>
</rss>`

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xmlns:yt="http://www.youtube.com/xml/schemas/2015">
  <title>Channel One</title>
  <author><name>Channel One Author</name></author>
  <entry>
    <id>yt:video:abcdefghijk</id>
    <title>Newest video</title>
    <link rel="alternate" href="https://www.youtube.com/watch?v=abcdefghijk"/>
    <published>2024-03-01T12:00:00+00:00</published>
    <media:group><media:thumbnail url="https://i.ytimg.com/x.jpg"/></media:group>
    <media:thumbnail url="https://i.ytimg.com/abc.jpg"/>
  </entry>
  <entry>
    <id>urn:2</id>
    <title>Podcast entry</title>
    <link rel="alternate" href="https://example.com/page"/>
    <link rel="enclosure" href="https://example.com/file.mp3" type="audio/mpeg"/>
    <updated>2024-02-01T00:00:00Z</updated>
  </entry>
</feed>`

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc string
		want      feeds.Feed
	}{
		{"rss podcast", podcast, feeds.Feed{Title: "A & B Show", Author: "Alice", Items: []feeds.Item{
			{ID: "ep-2", Title: "Episode 2", URL: "http://example.com/ep2.mp3", Link: "http://example.com/ep2",
				Published: time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC), Duration: 3723,
				Description: "Second <b>one</b>", Thumbnail: "http://example.com/ep2.jpg"},
			{ID: "http://example.com/ep1", Title: "Episode 1", URL: "http://example.com/ep1",
				Published: time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC), Duration: 95},
		}}},
		{"atom", atom, feeds.Feed{Title: "Channel One", Author: "Channel One Author", Items: []feeds.Item{
			{ID: "yt:video:abcdefghijk", Title: "Newest video", URL: "https://www.youtube.com/watch?v=abcdefghijk",
				Published: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), Thumbnail: "https://i.ytimg.com/abc.jpg"},
			{ID: "urn:2", Title: "Podcast entry", URL: "https://example.com/file.mp3", Link: "https://example.com/page",
				Published: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)},
		}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := feeds.Parse(strings.NewReader(tc.doc), feeds.Limits{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != tc.want.Title || f.Author != tc.want.Author || f.Truncated || f.StoppedAtKnown {
				t.Errorf("feed %q by %q (truncated %v, known %v), want %q by %q", f.Title, f.Author, f.Truncated, f.StoppedAtKnown,
					tc.want.Title, tc.want.Author)
			}
			if len(f.Items) != len(tc.want.Items) {
				t.Fatalf("%d items %+v, want %d", len(f.Items), f.Items, len(tc.want.Items))
			}
			for i := range f.Items {
				if f.Items[i] != tc.want.Items[i] {
					t.Errorf("item %d:\n got %+v\nwant %+v", i, f.Items[i], tc.want.Items[i])
				}
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"html":       "<!doctype html><html><body>hi</body></html>",
		"empty":      "",
		"binary":     "\x00\x01\x02ftypmp42",
		"other xml":  `<?xml version="1.0"?><svg></svg>`,
		"plain text": "just words",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := feeds.Parse(strings.NewReader(doc), feeds.Limits{}, nil); !errors.Is(err, feeds.ErrNotFeed) {
				t.Errorf("err %v, want ErrNotFeed", err)
			}
		})
	}
}

// endlessFeed is an RSS document of n items (n < 0: never ends), newest
// first, written as it is read.
func endlessFeed(tb testing.TB, n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, `<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>`)
		for i := 0; n < 0 || i < n; i++ {
			if _, err := fmt.Fprintf(pw, `<item><title>Item %d</title><guid>g-%d</guid><enclosure url="http://127.0.0.1/%d.mp3"/></item>`, i, i, i); err != nil {
				return
			}
		}
		_, _ = io.WriteString(pw, `</channel></rss>`)
		_ = pw.Close()
	}()
	tb.Cleanup(func() { _ = pr.Close() })
	return pr
}

func TestParseStops(t *testing.T) {
	t.Parallel()
	t.Run("at the item cap, on an endless feed", func(t *testing.T) {
		t.Parallel()
		f, err := feeds.Parse(endlessFeed(t, -1), feeds.Limits{MaxItems: 1000}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 1000 || !f.Truncated || f.Items[999].Title != "Item 999" {
			t.Errorf("%d items, truncated %v", len(f.Items), f.Truncated)
		}
	})
	t.Run("at the first known item", func(t *testing.T) {
		t.Parallel()
		f, err := feeds.Parse(endlessFeed(t, -1), feeds.Limits{}, func(it feeds.Item) bool { return it.ID == "g-3" })
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 3 || !f.StoppedAtKnown || f.Truncated {
			t.Errorf("%d items, known %v, truncated %v", len(f.Items), f.StoppedAtKnown, f.Truncated)
		}
	})
	t.Run("not truncated when the items are exactly the cap", func(t *testing.T) {
		t.Parallel()
		f, err := feeds.Parse(endlessFeed(t, 5), feeds.Limits{MaxItems: 5}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 5 || f.Truncated {
			t.Errorf("%d items, truncated %v", len(f.Items), f.Truncated)
		}
	})
	t.Run("at the byte cap", func(t *testing.T) {
		t.Parallel()
		_, err := feeds.Parse(endlessFeed(t, -1), feeds.Limits{MaxItems: 1 << 30, MaxBytes: 1 << 20}, nil)
		if !errors.Is(err, feeds.ErrTooLarge) {
			t.Errorf("err %v, want ErrTooLarge", err)
		}
	})
}

func TestFetchAndSniff(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = io.WriteString(w, podcast)
		case "/feed-as-text":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, atom)
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html></html>")
		case "/video.mp4":
			w.Header().Set("Content-Type", "video/mp4")
			_, _ = w.Write(make([]byte, 1<<20))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for path, want := range map[string]bool{"/feed": true, "/feed-as-text": true, "/page": false, "/video.mp4": false, "/missing": false} {
		got, err := feeds.Sniff(ctx, srv.Client(), srv.URL+path)
		if err != nil || got != want {
			t.Errorf("Sniff(%s) = %v, %v; want %v", path, got, err, want)
		}
	}
	f, err := feeds.Fetch(ctx, srv.Client(), srv.URL+"/feed", feeds.Limits{}, nil)
	if err != nil || len(f.Items) != 2 {
		t.Fatalf("Fetch: %v, %+v", err, f)
	}
	var he *feeds.HTTPError
	if _, err := feeds.Fetch(ctx, srv.Client(), srv.URL+"/missing", feeds.Limits{}, nil); !errors.As(err, &he) || he.Status != 404 {
		t.Errorf("Fetch of a missing feed: %v", err)
	}
}

// BenchmarkParse100k reads the first 1,000 items of a 100,000-item feed,
// the expansion cap: what a one-off submission of such a feed costs.
func BenchmarkParse100kCut(b *testing.B) {
	for b.Loop() {
		f, err := feeds.Parse(endlessFeed(b, 100_000), feeds.Limits{MaxItems: 1000}, nil)
		if err != nil || len(f.Items) != 1000 {
			b.Fatal(err)
		}
	}
}
