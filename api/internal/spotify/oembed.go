package spotify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// OEmbedTrack reads a track's title from the public oEmbed endpoint, which
// needs no credentials. Only the title and a thumbnail are known; the
// result has OEmbedOnly set so callers can say so (and match on the title
// alone).
func (c *Client) OEmbedTrack(ctx context.Context, id string) (*Collection, error) {
	if !idPattern.MatchString(id) {
		return nil, ErrInvalidURL.WithDetail("malformed Spotify id")
	}
	link := OpenURL(KindTrack, id)
	u := c.cfg.OEmbedURL + "?" + url.Values{"url": {link}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("spotify: oembed: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("spotify: oembed: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("spotify: oembed: %w: %w", ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &RateLimitError{RetryAfter: retryAfter(resp.Header), Message: errorMessage(body)}
	case resp.StatusCode != http.StatusOK:
		return nil, statusError(resp.StatusCode, truncate(body), u)
	}
	var o wireOEmbed
	if err := json.Unmarshal(body, &o); err != nil || o.Title == "" {
		return nil, fmt.Errorf("spotify: oembed response unreadable: %w", ErrUnavailable)
	}
	t := Track{ID: id, Name: o.Title, CoverURL: o.ThumbnailURL, URL: link}
	return &Collection{Kind: KindTrack, ID: id, Name: o.Title, CoverURL: o.ThumbnailURL,
		Tracks: []Track{t}, OEmbedOnly: true}, nil
}
