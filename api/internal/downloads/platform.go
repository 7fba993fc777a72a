package downloads

import (
	"context"
	"encoding/json"

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
}

// NeedsMatch is returned by Source when no confident source was found:
// the item waits for a person, showing Meta (which holds the candidates).
type NeedsMatch struct {
	Meta    json.RawMessage
	Message string
}

func (e *NeedsMatch) Error() string { return e.Message }

// PlatformHandler holds what is special about a platform. The plain
// yt-dlp behaviour applies where a handler is absent.
type PlatformHandler interface {
	// Expand lists a parent's items (albums, playlists). ok=false defers
	// to the plain yt-dlp listing.
	Expand(ctx context.Context, it Item) (title string, children []Child, ok bool, err error)
	// Source decides what yt-dlp downloads for an item.
	Source(ctx context.Context, it Item) (Source, error)
	// Finish post-processes the finished files (e.g. writes tags).
	Finish(ctx context.Context, it Item, src Source, files []string) error
}
