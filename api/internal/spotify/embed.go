package spotify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/clip"
)

// DefaultEmbedBaseURL is where Spotify's public embed pages live.
const DefaultEmbedBaseURL = "https://open.spotify.com"

// maxEmbedPage bounds an embed page (a 100-track playlist page is ~250 KB).
const maxEmbedPage = 4 << 20

// EmbedConfig configures an Embed reader. Zero values take the defaults.
type EmbedConfig struct {
	// BaseURL replaces https://open.spotify.com (tests point it at
	// spotifytest).
	BaseURL string
	// HTTPClient carries the requests; the caller hands one whose requests
	// leave through the egress proxy. Default: a client with a 30 s timeout.
	HTTPClient *http.Client
}

// Embed reads Spotify's public embed pages
// (open.spotify.com/embed/{track,album,playlist}/<id>): they need no
// credentials and carry a track, album or playlist's track list (the
// first EmbedListLimit entries of a playlist) in their __NEXT_DATA__ JSON.
type Embed struct {
	base string
	http *http.Client
}

// NewEmbed returns an embed page reader.
func NewEmbed(cfg EmbedConfig) *Embed {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultEmbedBaseURL
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Embed{base: base, http: hc}
}

// Resolve reads a track, album or playlist link from its embed page.
// Artist links fail with ErrArtistUnsupported.
func (e *Embed) Resolve(ctx context.Context, link string) (*Collection, error) {
	kind, id, err := ParseURL(link)
	if err != nil {
		return nil, err
	}
	if kind == KindArtist {
		return nil, ErrArtistUnsupported
	}
	return e.Collection(ctx, kind, id)
}

// Collection reads the embed page of one item. A page that does not exist
// (a private or removed playlist) is ErrNotFound; one whose shape changed
// wraps ErrEmbedChanged.
func (e *Embed) Collection(ctx context.Context, kind Kind, id string) (*Collection, error) {
	if !idPattern.MatchString(id) {
		return nil, ErrInvalidURL.WithDetail("malformed Spotify id")
	}
	u := e.base + "/embed/" + string(kind) + "/" + id
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("spotify: embed page: %w", err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	req.Header.Set("Accept-Language", "en")
	resp, err := e.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("spotify: GET %s: %w: %w", u, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEmbedPage))
	if err != nil {
		return nil, fmt.Errorf("spotify: GET %s: %w: %w", u, ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &RateLimitError{RetryAfter: retryAfter(resp.Header), Message: clip.Body(body)}
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest:
		return nil, &APIError{Status: resp.StatusCode, Message: "embed page not found", URL: u, kind: ErrNotFound}
	case resp.StatusCode != http.StatusOK:
		return nil, &APIError{Status: resp.StatusCode, Message: clip.Body(body), URL: u, kind: ErrUnavailable}
	}
	col, err := ParseEmbedPage(body, kind)
	if err != nil {
		return nil, fmt.Errorf("spotify: %s: %w", u, err)
	}
	if col.ID == "" {
		col.ID = id
	}
	return col, nil
}
