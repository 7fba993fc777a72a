package handlers

import (
	"context"
	"encoding/json"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/feeds"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// GenericConfig configures the generic handler.
type GenericConfig struct {
	// Egress carries the feed requests (nil: direct, unit tests only).
	Egress Egress
	// Policy gives the platform's upstream proxy (may be nil).
	Policy Policy
}

// Generic is every other site yt-dlp knows: the plain path, with yt-dlp's
// generic extractor allowed (dedicated platforms never fall back to it).
// An RSS or Atom feed is read by Downlink itself (package feeds), one
// child per item with the item's title, and never handed whole to yt-dlp,
// whose extractor parses all of a feed before any cap applies.
type Generic struct {
	downloads.HandlerDefaults
	cfg GenericConfig
}

// NewGeneric returns the generic handler.
func NewGeneric(cfg GenericConfig) Generic { return Generic{cfg: cfg} }

var _ downloads.PlatformHandler = Generic{}

// feedTimeout bounds reading a feed (the item and byte caps come first
// on any real feed).
const feedTimeout = time.Minute

// Tune lets yt-dlp read any web page with media.
func (Generic) Tune(st *ytdlp.Settings, _ downloads.PlatformPolicy) { st.AllowGeneric = true }

// Source downloads the item's own URL; a feed's item keeps the feed's
// title for it. A top-level URL that serves a feed is expanded instead
// (downloads.ErrExpand).
func (h Generic) Source(ctx context.Context, it downloads.Item) (downloads.Source, error) {
	if m, ok := feedMeta(it.Meta); ok {
		return downloads.Source{URL: it.URL, Title: m.FeedItem.Title, Uploader: firstOf(m.FeedAuthor, m.FeedTitle),
			Duration: m.FeedItem.Duration, ThumbnailURL: m.FeedItem.Thumbnail}, nil
	}
	if it.ParentID == nil && !mediaPath(it.URL) {
		conn, err := dialEgress(ctx, h.cfg.Egress, h.cfg.Policy, string(platforms.Generic), it.ID.String()+".sniff", feedTimeout)
		if err != nil {
			return downloads.Source{}, err
		}
		isFeed, err := feeds.Sniff(ctx, conn.Client, it.URL)
		conn.Close()
		if err == nil && isFeed {
			return downloads.Source{}, downloads.ErrExpand
		}
		// Unreachable or not a feed: yt-dlp says what it is.
	}
	return downloads.Source{URL: it.URL}, nil
}

// Expand reads a feed itself, up to one item past the expansion cap (the
// engine cuts there and says so); anything else is listed by yt-dlp.
func (h Generic) Expand(ctx context.Context, it downloads.Item) (downloads.Expansion, error) {
	conn, err := dialEgress(ctx, h.cfg.Egress, h.cfg.Policy, string(platforms.Generic), it.ID.String()+".feed", feedTimeout)
	if err != nil {
		return downloads.Expansion{}, err
	}
	defer conn.Close()
	if it.Options.PlaylistItems != "" {
		// A selection is yt-dlp's syntax: yt-dlp lists.
		return downloads.Expansion{ListURL: it.URL}, nil
	}
	f, err := feeds.Fetch(ctx, conn.Client, it.URL, feeds.Limits{MaxItems: downloads.MaxChildren + 1, Timeout: feedTimeout}, nil)
	if err != nil {
		// Not a feed after all (or gone since): yt-dlp lists the page.
		return downloads.Expansion{ListURL: it.URL}, nil
	}
	exp := downloads.Expansion{Title: f.Title}
	for _, item := range f.Items {
		meta, _ := json.Marshal(feeds.ItemMeta{FeedItem: item, FeedTitle: f.Title, FeedAuthor: f.Author})
		exp.Children = append(exp.Children, downloads.Child{URL: item.URL, Title: item.Title,
			Uploader: firstOf(f.Author, f.Title), Duration: item.Duration, ThumbnailURL: item.Thumbnail,
			Kind: "video", Meta: meta, Key: item.ID})
	}
	return exp, nil
}

// mediaExts are file types that are media, never a feed: a URL ending so
// is handed to yt-dlp without a look first.
var mediaExts = map[string]bool{".mp4": true, ".m4v": true, ".m4a": true, ".mp3": true, ".webm": true, ".mkv": true,
	".mov": true, ".avi": true, ".ogg": true, ".oga": true, ".ogv": true, ".opus": true, ".flac": true, ".wav": true,
	".aac": true, ".m3u8": true, ".mpd": true, ".ts": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true}

func mediaPath(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && mediaExts[strings.ToLower(path.Ext(u.Path))]
}

func feedMeta(raw json.RawMessage) (feeds.ItemMeta, bool) {
	var m feeds.ItemMeta
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || m.FeedItem.URL == "" {
		return feeds.ItemMeta{}, false
	}
	return m, true
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
