// Package feeds reads RSS 2.0 and Atom feeds as a stream: the body is
// decoded token by token (encoding/xml's Decoder), one item at a time,
// under caps on bytes, items and time, and reading stops at the first item
// the caller already knows (feeds list the newest first). A feed of
// 100,000 items costs what its first thousand cost, not a minute of
// yt-dlp's CPU parsing the whole document.
package feeds

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// Item is one entry of a feed.
type Item struct {
	// ID is the item's guid (RSS) or id (Atom); without one, its URL.
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	// URL is the enclosure's (the media) or else the item's link.
	URL string `json:"url"`
	// Link is the item's page, when it differs from URL.
	Link        string    `json:"link,omitempty"`
	Published   time.Time `json:"published,omitzero"`
	Duration    float64   `json:"duration,omitempty"` // seconds; 0: not given
	Description string    `json:"description,omitempty"`
	Thumbnail   string    `json:"thumbnail,omitempty"`
}

// ItemMeta is what a download of a feed's item keeps in its row's meta:
// the item as the feed described it, and the feed's own title and author
// (its title for the download, its date and channel for the library).
type ItemMeta struct {
	FeedItem   Item   `json:"feed_item"`
	FeedTitle  string `json:"feed_title,omitempty"`
	FeedAuthor string `json:"feed_author,omitempty"`
}

// Feed is what was read of a feed.
type Feed struct {
	Title  string
	Author string
	Items  []Item
	// Truncated: reading stopped at Limits.MaxItems with more to come.
	Truncated bool
	// StoppedAtKnown: reading stopped at an item the caller knew.
	StoppedAtKnown bool
}

// Limits bound one read.
type Limits struct {
	// MaxItems is the most items returned (default 1000); one more item
	// in the document sets Feed.Truncated.
	MaxItems int
	// MaxBytes is the most of the body read (default 32 MiB).
	MaxBytes int64
	// Timeout bounds the whole request (default 60s).
	Timeout time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxItems <= 0 {
		l.MaxItems = 1000
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = 32 << 20
	}
	if l.Timeout <= 0 {
		l.Timeout = 60 * time.Second
	}
	return l
}

// Errors.
var (
	// ErrNotFeed: the document is not RSS or Atom.
	ErrNotFeed = errors.New("feeds: not an RSS or Atom feed")
	// ErrTooLarge: the body went past Limits.MaxBytes before the items
	// asked for were read.
	ErrTooLarge = errors.New("feeds: feed larger than allowed")
)

// HTTPError is a status other than 200 from the feed's server.
type HTTPError struct{ Status int }

func (e *HTTPError) Error() string { return fmt.Sprintf("feeds: the server answered %d", e.Status) }

// Fetch reads the feed at url with client (the caller's: the egress
// guard's), stopping at the caps or at the first item known reports true
// for (nil: none is known).
func Fetch(ctx context.Context, client *http.Client, url string, lim Limits, known func(Item) bool) (*Feed, error) {
	lim = lim.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{Status: resp.StatusCode}
	}
	return Parse(resp.Body, lim, known)
}

// Sniff reports whether the document at url is a feed, reading no more
// than its first element: media files and HTML pages are told apart by
// their type without reading their bodies.
func Sniff(ctx context.Context, client *http.Client, url string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, nil
	}
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	for _, not := range []string{"video/", "audio/", "image/", "text/html", "application/json", "application/vnd.apple.mpegurl",
		"application/x-mpegurl", "application/dash+xml", "application/octet-stream"} {
		if strings.HasPrefix(ct, not) {
			return false, nil
		}
	}
	d := newDecoder(io.LimitReader(resp.Body, 64<<10))
	for {
		tok, err := d.Token()
		if err != nil {
			return false, nil
		}
		if se, ok := tok.(xml.StartElement); ok {
			return isFeedRoot(se.Name), nil
		}
	}
}

func isFeedRoot(n xml.Name) bool {
	switch strings.ToLower(n.Local) {
	case "rss", "feed", "rdf":
		return true
	}
	return false
}

func newDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel
	return d
}

// capReader fails once more than n bytes were read, so an endless body
// ends the parse with ErrTooLarge rather than a silent, cut document.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// Parse reads a feed document from r (see Fetch).
func Parse(r io.Reader, lim Limits, known func(Item) bool) (*Feed, error) {
	lim = lim.withDefaults()
	d := newDecoder(&capReader{r: r, n: lim.MaxBytes})
	f := &Feed{}
	depth := 0
	rootSeen := false
	atom := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !rootSeen {
				return nil, ErrNotFeed
			}
			return f, nil
		}
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return nil, ErrTooLarge
			}
			if !rootSeen {
				return nil, ErrNotFeed
			}
			return nil, fmt.Errorf("feeds: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			name := strings.ToLower(t.Name.Local)
			if !rootSeen {
				if !isFeedRoot(t.Name) {
					return nil, ErrNotFeed
				}
				rootSeen, atom = true, name == "feed"
				continue
			}
			switch {
			case name == "item" || (atom && name == "entry"):
				var raw rawItem
				if err := d.DecodeElement(&raw, &t); err != nil {
					if errors.Is(err, ErrTooLarge) {
						return nil, ErrTooLarge
					}
					return nil, fmt.Errorf("feeds: item: %w", err)
				}
				depth--
				it, ok := raw.item()
				if !ok {
					continue
				}
				if known != nil && known(it) {
					f.StoppedAtKnown = true
					return f, nil
				}
				if len(f.Items) == lim.MaxItems {
					f.Truncated = true
					return f, nil
				}
				f.Items = append(f.Items, it)
			case name == "title" && f.Title == "" && len(f.Items) == 0 && depth <= 3:
				var s string
				if err := d.DecodeElement(&s, &t); err != nil {
					return nil, fmt.Errorf("feeds: title: %w", err)
				}
				depth--
				f.Title = strings.TrimSpace(s)
			case (name == "author" || name == "name") && f.Author == "" && len(f.Items) == 0 && depth <= 3:
				var a struct {
					Text string `xml:",chardata"`
					Name string `xml:"name"`
				}
				if err := d.DecodeElement(&a, &t); err != nil {
					return nil, fmt.Errorf("feeds: author: %w", err)
				}
				depth--
				f.Author = strings.TrimSpace(firstNonEmpty(a.Name, a.Text))
			}
		case xml.EndElement:
			depth--
		}
	}
}

// rawItem is an RSS item or Atom entry as decoded (namespaces are matched
// by local name: itunes:duration, media:thumbnail, …).
type rawItem struct {
	GUID      string    `xml:"guid"`
	ID        string    `xml:"id"`
	Title     string    `xml:"title"`
	Links     []rawLink `xml:"link"`
	Enclosure []struct {
		URL  string `xml:"url,attr"`
		Type string `xml:"type,attr"`
	} `xml:"enclosure"`
	PubDate     string `xml:"pubDate"`
	Published   string `xml:"published"`
	Updated     string `xml:"updated"`
	Date        string `xml:"date"` // dc:date
	Duration    string `xml:"duration"`
	Description string `xml:"description"`
	Summary     string `xml:"summary"`
	Content     []struct {
		URL      string `xml:"url,attr"`
		Duration string `xml:"duration,attr"`
		Medium   string `xml:"medium,attr"`
		Type     string `xml:"type,attr"`
	} `xml:"content"`
	Thumbnail []struct {
		URL string `xml:"url,attr"`
	} `xml:"thumbnail"`
	Image []struct {
		Href string `xml:"href,attr"`
	} `xml:"image"`
}

// rawLink is <link>url</link> (RSS) or <link href rel type/> (Atom).
type rawLink struct {
	Text string `xml:",chardata"`
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

// item is the Item of a decoded entry; ok is false without any URL.
func (r rawItem) item() (Item, bool) {
	it := Item{Title: strings.TrimSpace(r.Title)}
	var link, enclosure string
	for _, l := range r.Links {
		href := strings.TrimSpace(firstNonEmpty(l.Href, l.Text))
		switch {
		case href == "":
		case l.Rel == "enclosure" && enclosure == "":
			enclosure = href
		case (l.Rel == "" || l.Rel == "alternate") && link == "":
			link = href
		}
	}
	for _, e := range r.Enclosure {
		if u := strings.TrimSpace(e.URL); u != "" && enclosure == "" {
			enclosure = u
		}
	}
	for _, c := range r.Content {
		if d := parseDuration(c.Duration); d > 0 && it.Duration == 0 {
			it.Duration = d
		}
	}
	it.URL = firstNonEmpty(enclosure, link)
	if it.URL == "" {
		return Item{}, false
	}
	if link != it.URL {
		it.Link = link
	}
	it.ID = strings.TrimSpace(firstNonEmpty(r.GUID, r.ID, it.URL))
	it.Published = parseTime(firstNonEmpty(r.PubDate, r.Published, r.Date, r.Updated))
	if d := parseDuration(r.Duration); d > 0 {
		it.Duration = d
	}
	it.Description = clip(strings.TrimSpace(firstNonEmpty(r.Description, r.Summary)), 4000)
	for _, t := range r.Thumbnail {
		if it.Thumbnail == "" {
			it.Thumbnail = strings.TrimSpace(t.URL)
		}
	}
	for _, im := range r.Image {
		if it.Thumbnail == "" {
			it.Thumbnail = strings.TrimSpace(im.Href)
		}
	}
	return it, true
}

var timeLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339, time.RFC3339Nano,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700",
	"Mon, 02 Jan 2006 15:04 -0700", "2006-01-02T15:04:05", "2006-01-02",
}

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// parseDuration reads itunes:duration ("1:02:03", "62:03", "3723") and
// media:content's duration (seconds).
func parseDuration(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	var total float64
	for _, p := range strings.Split(s, ":") {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 {
			return 0
		}
		total = total*60 + v
	}
	return total
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
