package downloads

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Item is a download as a platform handler sees it.
type Item struct {
	ID       uuid.UUID
	UserID   uuid.UUID
	URL      string
	Platform string
	Kind     string
	ParentID *uuid.UUID
	Options  ytdlp.Options
	// Meta is what the handler stored with the row (Expand's Child.Meta,
	// or an earlier Source call's).
	Meta json.RawMessage
}

// Child is one item of an expanded parent.
type Child struct {
	URL          string
	Title        string
	Uploader     string
	Duration     float64
	ThumbnailURL string
	Kind         string
	Meta         json.RawMessage
	// Key is the listing's id of the entry (yt-dlp's, a feed item's
	// guid), when there is one; otherwise the URL keys the child.
	Key string
}

// ErrExpand is returned by a handler's Source when the item turned out to
// be a list (a feed a generic URL serves): the engine expands it instead
// of running yt-dlp on it.
var ErrExpand = errors.New("downloads: the item is a list; expand it")

// Expansion is how a handler expands a parent: the items it listed
// itself, or an address for yt-dlp to list.
type Expansion struct {
	// ListURL, when set, is listed by yt-dlp (--flat-playlist) with the
	// item's platform settings and playlist_items selection, one child per
	// entry: the item's own URL for most platforms, another address where
	// the platform needs it (a YouTube channel's videos tab).
	ListURL string
	// Title and Children are the handler's own listing (ListURL "").
	Title    string
	Children []Child
	// OldestFirst: Children are in the order the source gained them,
	// oldest first (a Spotify playlist grows at its end); a source's
	// listing for a subscription turns them newest first.
	OldestFirst bool
	// Warnings say what the listing itself lacks (a Spotify playlist's
	// public page lists only its first 100 tracks); stored on the parent.
	Warnings []Warning
}

// Source is what to download for an item.
type Source struct {
	// URL is what yt-dlp downloads (the item's own URL for most
	// platforms; the matched YouTube URL for Spotify).
	URL string
	// Title, Uploader, Duration and ThumbnailURL override what yt-dlp
	// reports (Spotify's metadata is the truth for Spotify items).
	Title, Uploader, ThumbnailURL string
	Duration                      float64
	// AllEntries downloads every entry in one process (Instagram
	// carousels: one post, several files).
	AllEntries bool
	// Meta is stored with the row (e.g. the match outcome).
	Meta json.RawMessage
	// Warnings are stored on the row (they replace earlier ones).
	Warnings []Warning
	// Fetch: the handler downloads the item itself (MediaFetcher) instead
	// of one yt-dlp run on URL.
	Fetch bool
}

// NeedsMatch is returned by Source when no confident source was found:
// the item waits for a person, showing Meta (which holds the candidates).
type NeedsMatch struct {
	Meta    json.RawMessage
	Message string
	// Warnings are stored on the row, as a Source's are.
	Warnings []Warning
}

func (e *NeedsMatch) Error() string { return e.Message }

// PlatformHandler holds what is special about a platform: its rules for
// options, what it allows yt-dlp, how it expands, what it downloads, what
// it does to the files and how it words failures. Handlers embed
// HandlerDefaults (the plain yt-dlp path) and override what differs; a
// platform without a handler takes the defaults.
type PlatformHandler interface {
	// Prepare applies the platform's rules to a submission's options,
	// after the preset and audio format left unset came from its settings
	// (YouTube's default subtitles, "Spotify is always audio"), and
	// returns what the options are validated against.
	Prepare(o *ytdlp.Options, pol PlatformPolicy) ytdlp.Constraints
	// Tune sets what yt-dlp may do for the platform's runs (the generic
	// extractor, SponsorBlock).
	Tune(st *ytdlp.Settings, pol PlatformPolicy)
	// Expand lists a parent's items (albums, playlists), or says what
	// yt-dlp lists.
	Expand(ctx context.Context, it Item) (Expansion, error)
	// Source decides what yt-dlp downloads for an item.
	Source(ctx context.Context, it Item) (Source, error)
	// Finish post-processes the finished files (e.g. writes tags).
	Finish(ctx context.Context, it Item, src Source, files []string) error
	// ExplainFailure rewords a failure for its platform (say which
	// platform's cookies to set when a login is required), typically by
	// returning a Failure; nil keeps the failure as it is.
	ExplainFailure(err error) error
}

// HandlerDefaults is the plain yt-dlp path: options as submitted, yt-dlp
// lists a parent's own URL and downloads an item's own URL, nothing added
// to the files, failures as yt-dlp words them.
type HandlerDefaults struct{}

// Prepare implements PlatformHandler.
func (HandlerDefaults) Prepare(*ytdlp.Options, PlatformPolicy) ytdlp.Constraints {
	return ytdlp.Constraints{}
}

// Tune implements PlatformHandler.
func (HandlerDefaults) Tune(*ytdlp.Settings, PlatformPolicy) {}

// Expand implements PlatformHandler.
func (HandlerDefaults) Expand(_ context.Context, it Item) (Expansion, error) {
	return Expansion{ListURL: it.URL}, nil
}

// Source implements PlatformHandler.
func (HandlerDefaults) Source(_ context.Context, it Item) (Source, error) {
	return Source{URL: it.URL}, nil
}

// Finish implements PlatformHandler.
func (HandlerDefaults) Finish(context.Context, Item, Source, []string) error { return nil }

// ExplainFailure implements PlatformHandler.
func (HandlerDefaults) ExplainFailure(error) error { return nil }

// handler returns the platform's handler, or the defaults.
func (s *Service) handler(platform string) PlatformHandler {
	if h, ok := s.handlers[platform]; ok && h != nil {
		return h
	}
	return HandlerDefaults{}
}

// explain lets the platform's handler reword a failure.
func (s *Service) explain(platform string, err error) error {
	if e := s.handler(platform).ExplainFailure(err); e != nil {
		return e
	}
	return err
}

// MediaFetcher is an optional PlatformHandler extension for items that are
// not one yt-dlp run: an Instagram post is its photos, fetched directly,
// and its videos, downloaded by yt-dlp one by one. When Source returns
// Fetch, the engine calls FetchMedia instead of running yt-dlp, then
// registers what it returns: the files it wrote, with warnings naming what
// it had to skip. An error fails the item and keeps nothing.
type MediaFetcher interface {
	FetchMedia(ctx context.Context, it Item, src Source, run FetchRun) (FetchResult, error)
}

// FetchRun is what the engine lends a MediaFetcher for one item.
type FetchRun struct {
	// Dir is the item's own temporary folder; finished files go into
	// DoneDir (inside Dir), scratch files anywhere else in Dir.
	Dir, DoneDir string
	// Settings are the item's yt-dlp settings: the egress proxy lease
	// every request must use, a private copy of the platform's cookies,
	// its rate limit and pause between requests.
	Settings ytdlp.Settings
	// Runner runs yt-dlp; Events feeds the item's live progress (yt-dlp's
	// events, or ones the fetcher makes for its own downloads).
	Runner Runner
	Events ytdlp.Sink
}

// FetchResult is what a MediaFetcher produced.
type FetchResult struct {
	// Files are finished files inside FetchRun.DoneDir, in order.
	Files []string
	// Warnings say what was skipped and why (stored on the row).
	Warnings []Warning
}
