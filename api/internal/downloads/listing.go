package downloads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/feeds"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Listing is a source listed cheaply, newest first as the source orders
// it: a feed read by Downlink's reader, or yt-dlp's flat listing.
type Listing struct {
	Title   string
	Entries []ListEntry
	// Feed: the source is an RSS/Atom feed (read up to the first known
	// item); otherwise yt-dlp listed it.
	Feed bool
	// Truncated: the listing stopped at its limit with more to come.
	Truncated bool
	// StoppedAtKnown: the listing (a feed's, or a handler's own) stopped
	// at a known item.
	StoppedAtKnown bool
}

// ListEntry is one item of a listing.
type ListEntry struct {
	// Key identifies the item in its source (a feed's guid, yt-dlp's id;
	// else the URL).
	Key       string
	URL       string
	Title     string
	Uploader  string
	Thumbnail string
	Published time.Time // zero: unknown
	Duration  float64   // 0: unknown
	// LiveStatus is yt-dlp's ("is_live", "is_upcoming", "was_live", …).
	LiveStatus string
	// Meta is what a download of the item starts with (a feed item's).
	Meta json.RawMessage
}

// CheckSource validates a subscription's source and options the way a
// submission is validated (URL, platform switched on, addresses, options
// against the platform's rules) and returns its platform. A URL that
// names a single item of a known platform is not a source.
func (s *Service) CheckSource(ctx context.Context, rawURL string, opts ytdlp.Options) (url, platform string, err error) {
	c, err := s.check(ctx, rawURL, opts)
	if err != nil {
		return "", "", err
	}
	det := platforms.DetectString(c.url)
	if det.Platform != platforms.Generic && !det.Kind.IsParent() {
		return "", "", problem.Invalid("url", "is a single item, not a channel, playlist or feed")
	}
	if det.Platform == platforms.Spotify && det.Kind == platforms.KindArtist {
		// Spotify's Web API no longer lists an artist's tracks to apps
		// (February 2026), and the public pages list none.
		return "", "", problem.Invalid("url", "is a Spotify artist, whose releases Spotify no longer lets apps list; "+
			"subscribe to one of the artist's playlists instead")
	}
	return c.url, c.platform, nil
}

// ListSource lists the source at rawURL for its owner: a generic URL that
// serves a feed is read by the feed reader (through the egress guard),
// stopping at limit items or at the first item known reports true for;
// anything else is listed flat by yt-dlp (the platform handler's listing
// address, its settings, limit entries), or by the handler itself.
//
// yt-dlp cannot stop at a known entry, so a yt-dlp listing reads pages
// of limit entries: while a whole page holds no entry known reports true
// for (a source that published more than a page since the last check),
// the next page is read, at most pages pages in all (pages < 1 reads one).
func (s *Service) ListSource(ctx context.Context, userID uuid.UUID, rawURL string, limit, pages int, known func(key string) bool) (*Listing, error) {
	c, err := s.check(ctx, rawURL, ytdlp.Options{})
	if err != nil {
		return nil, err
	}
	r := &row{ID: store.NewID(), UserID: userID, URL: c.url, Platform: c.platform, Kind: c.kind}
	if c.platform == string(platforms.Generic) {
		l, err := s.listFeed(ctx, r, limit, known)
		if !errors.Is(err, feeds.ErrNotFeed) {
			return l, err
		}
	}
	h := s.handler(r.Platform)
	exp, err := h.Expand(ctx, Item{ID: r.ID, UserID: userID, URL: r.URL, Platform: r.Platform, Kind: r.Kind})
	if err != nil {
		return nil, s.explain(r.Platform, err)
	}
	l := &Listing{Title: exp.Title}
	if exp.ListURL == "" {
		// The handler listed the whole source already: newest first, up
		// to the first entry known reports (as a feed is read), at most
		// the pages a yt-dlp listing would read.
		children := exp.Children
		if exp.OldestFirst {
			children = slices.Clone(children)
			slices.Reverse(children)
		}
		for _, ch := range children {
			if len(l.Entries) == limit*max(pages, 1) {
				l.Truncated = true
				break
			}
			key := firstNonEmpty(ch.Key, ch.URL)
			l.Entries = append(l.Entries, ListEntry{Key: key, URL: ch.URL, Title: ch.Title,
				Uploader: ch.Uploader, Thumbnail: ch.ThumbnailURL, Duration: ch.Duration, Meta: ch.Meta})
			if known != nil && known(key) {
				l.StoppedAtKnown = true
				break
			}
		}
		return l, nil
	}
	dir := s.jobDir(r.ID)
	settings, cleanup, err := s.settingsFor(ctx, r, dir)
	if err != nil {
		return nil, err
	}
	settings.ListLimit = limit + 1
	pl, err := s.runner.ListPlaylist(ctx, exp.ListURL, "", settings)
	entries, through := []ytdlp.PlaylistEntry(nil), limit+1
	if err == nil {
		entries = pl.Entries
	}
	// Further pages while the last one was whole and nothing is known yet.
	key := entryKey(r.Platform)
	for page := 1; err == nil && known != nil && page < pages && len(pl.Entries)+pl.Skipped >= limit && !anyKnown(entries, key, known); page++ {
		pl, err = s.runner.ListPlaylist(ctx, exp.ListURL, fmt.Sprintf("%d:%d", through+1, through+limit), settings)
		if err == nil {
			entries = append(entries, pl.Entries...)
			through += limit
		}
	}
	cleanup()
	s.removeJobDir(r.ID)
	if err != nil {
		return nil, s.explain(r.Platform, err)
	}
	l.Title = pl.Title
	for i, e := range entries {
		if i == limit*max(pages, 1) {
			l.Truncated = true
			break
		}
		l.Entries = append(l.Entries, ListEntry{Key: key(e), URL: e.URL, Title: e.Title,
			Duration: e.DurationSeconds, LiveStatus: e.LiveStatus, Published: e.Timestamp})
	}
	return l, nil
}

// entryKey is how a yt-dlp listing's entries of platform are told apart:
// by yt-dlp's id on the known platforms, by URL on generic sites, where
// the generic extractor names entries by their position on the page
// ("page-1" is whatever is on top today) or gives every entry the
// playlist's id (XSPF), so a page that gains items would pass its new
// items off as known ones.
func entryKey(platform string) func(ytdlp.PlaylistEntry) string {
	if platform == string(platforms.Generic) {
		return func(e ytdlp.PlaylistEntry) string { return e.URL }
	}
	return func(e ytdlp.PlaylistEntry) string { return firstNonEmpty(e.ID, e.URL) }
}

// anyKnown tells whether known reports one of entries (by key).
func anyKnown(entries []ytdlp.PlaylistEntry, key func(ytdlp.PlaylistEntry) string, known func(string) bool) bool {
	for _, e := range entries {
		if known(key(e)) {
			return true
		}
	}
	return false
}

// listFeed reads r's URL as a feed through an egress lease of its own.
func (s *Service) listFeed(ctx context.Context, r *row, limit int, known func(string) bool) (*Listing, error) {
	client, release, err := s.leasedHTTP(ctx, r)
	if err != nil {
		return nil, err
	}
	defer release()
	f, err := feeds.Fetch(ctx, client, r.URL, feeds.Limits{MaxItems: limit}, func(it feeds.Item) bool {
		return known != nil && known(it.ID)
	})
	if err != nil {
		var he *feeds.HTTPError
		if errors.As(err, &he) {
			return nil, Failure("unavailable", "The feed's server answered "+http.StatusText(he.Status)+".")
		}
		return nil, err
	}
	l := &Listing{Title: f.Title, Feed: true, Truncated: f.Truncated, StoppedAtKnown: f.StoppedAtKnown}
	for _, it := range f.Items {
		meta, _ := json.Marshal(feeds.ItemMeta{FeedItem: it, FeedTitle: f.Title, FeedAuthor: f.Author})
		l.Entries = append(l.Entries, ListEntry{Key: it.ID, URL: it.URL, Title: it.Title, Uploader: firstNonEmpty(f.Author, f.Title),
			Thumbnail: it.Thumbnail, Published: it.Published, Duration: it.Duration, Meta: meta})
	}
	return l, nil
}

// leasedHTTP is an HTTP client whose requests leave through an egress
// lease of r's (chained through its platform's proxy); direct without an
// egress proxy (unit tests).
func (s *Service) leasedHTTP(ctx context.Context, r *row) (*http.Client, func(), error) {
	if s.egress == nil {
		return &http.Client{Timeout: time.Minute}, func() {}, nil
	}
	lease, err := s.egress.LeaseVia(r.ID.String()+".list", s.policy.Platform(ctx, r.Platform).Proxy)
	if err != nil {
		return nil, nil, err
	}
	proxy, err := url.Parse(lease.URL())
	if err != nil {
		lease.Close()
		return nil, nil, err
	}
	tr := &http.Transport{Proxy: http.ProxyURL(proxy), TLSHandshakeTimeout: 15 * time.Second,
		ResponseHeaderTimeout: time.Minute, MaxIdleConnsPerHost: 2}
	return &http.Client{Transport: tr}, func() {
		tr.CloseIdleConnections()
		lease.Close()
	}, nil
}

// SystemPrincipal acts for userID in work the server does on the user's
// behalf (a subscription's check queues downloads as its owner would).
func SystemPrincipal(userID uuid.UUID, role authz.Role) *authz.Principal {
	return &authz.Principal{UserID: userID, Role: role, Method: authz.MethodSession}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
