package spotify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// pageSize is what Downlink asks for per page; /items allows at most 50.
const pageSize = 50

// maxPages stops a server that keeps sending "next" forever.
const maxPages = 1000

// Resolve reads whatever a Spotify link points at from the Web API.
// Tracks, albums and playlists come back as a Collection; artist links
// fail with ErrArtistUnsupported. Without app credentials or a connected
// account it fails with ErrCredentialsRequired: the public embed pages
// (Embed) are the way then.
func (c *Client) Resolve(ctx context.Context, link string) (*Collection, error) {
	kind, id, err := ParseURL(link)
	if err != nil {
		return nil, err
	}
	if !c.CanUseAPI() {
		return nil, ErrCredentialsRequired
	}
	switch kind {
	case KindTrack:
		t, err := c.Track(ctx, id)
		if err != nil {
			return nil, err
		}
		return &Collection{Kind: KindTrack, ID: t.ID, Name: t.Name, Owner: strings.Join(t.Artists, ", "),
			CoverURL: t.CoverURL, Tracks: []Track{*t}, Source: SourceWebAPI}, nil
	case KindAlbum:
		return c.Album(ctx, id)
	case KindPlaylist:
		return c.Playlist(ctx, id)
	default:
		a, err := c.Artist(ctx, id)
		if err != nil {
			return nil, err
		}
		return nil, ErrArtistUnsupported.WithDetail(
			"%q is an artist page; Spotify no longer lets apps list an artist's top tracks. Paste an album or playlist link instead.", a.Name)
	}
}

// Track reads one track in full (ISRC included).
func (c *Client) Track(ctx context.Context, id string) (*Track, error) {
	if !idPattern.MatchString(id) {
		return nil, ErrInvalidURL.WithDetail("malformed Spotify id")
	}
	var w wireTrack
	if err := c.getJSON(ctx, c.apiURL("/v1/tracks/"+id, nil), &w); err != nil {
		return nil, err
	}
	t := normaliseTrack(w, w.Album)
	return &t, nil
}

// Artist reads an artist's name.
func (c *Client) Artist(ctx context.Context, id string) (*Artist, error) {
	if !idPattern.MatchString(id) {
		return nil, ErrInvalidURL.WithDetail("malformed Spotify id")
	}
	var w wireArtist
	if err := c.getJSON(ctx, c.apiURL("/v1/artists/"+id, nil), &w); err != nil {
		return nil, err
	}
	return &Artist{ID: w.ID, Name: w.Name}, nil
}

// Album reads an album and all its tracks (following the tracks paging).
// Unless SkipAlbumTrackDetails is set, each track is then read in full for
// its ISRC; a track that fails to load keeps its simplified data.
func (c *Client) Album(ctx context.Context, id string) (*Collection, error) {
	if !idPattern.MatchString(id) {
		return nil, ErrInvalidURL.WithDetail("malformed Spotify id")
	}
	var a wireAlbum
	if err := c.getJSON(ctx, c.apiURL("/v1/albums/"+id, nil), &a); err != nil {
		return nil, err
	}
	col := &Collection{Kind: KindAlbum, ID: a.ID, Name: a.Name, Owner: joinArtists(a.Artists), CoverURL: largestImage(a.Images),
		Source: SourceWebAPI}
	var raw []wireTrack
	collect := func(items []wireTrack) error {
		raw = append(raw, items...)
		if len(raw) >= c.cfg.MaxTracks {
			return errStopPaging
		}
		return nil
	}
	tracksPath := "/v1/albums/" + id + "/tracks"
	var err error
	if a.Tracks != nil {
		err = collect(a.Tracks.Items)
		if err == nil {
			err = walkPages(ctx, c, nextURL(c, a.Tracks, tracksPath), tracksPath, false, collect)
		}
	} else {
		err = walkPages(ctx, c, c.apiURL(tracksPath, url.Values{"limit": {strconv.Itoa(pageSize)}}), tracksPath, false, collect)
	}
	if err != nil && !errors.Is(err, errStopPaging) {
		return nil, err
	}
	discs := 0
	for _, w := range raw {
		discs = max(discs, w.DiscNumber)
	}
	for _, w := range raw {
		if skipTrack(w) {
			col.Skipped++
			continue
		}
		t := normaliseTrack(w, &a)
		if !c.cfg.SkipAlbumTrackDetails && t.ISRC == "" {
			if full, err := c.Track(ctx, w.ID); err == nil {
				t.ISRC, t.Explicit = full.ISRC, full.Explicit
			} else if ctx.Err() != nil {
				return nil, ctx.Err()
			} else if errors.Is(err, ErrRateLimited) || errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrPremiumRequired) {
				return nil, err
			} else {
				c.log.WarnContext(ctx, "spotify album track details unavailable", "track", w.ID, "err", err)
			}
		}
		t.DiscTotal = discs
		col.Tracks = append(col.Tracks, t)
	}
	return col, nil
}

// Playlist reads a playlist and its entries, from /items (2026) or, where
// that endpoint is unknown, /tracks; as the connected account when there
// is one (a Development-Mode app reads the entries only of playlists that
// user owns or collaborates on). Episodes, local files and unavailable
// tracks are skipped and counted.
func (c *Client) Playlist(ctx context.Context, id string) (*Collection, error) {
	if !idPattern.MatchString(id) {
		return nil, ErrInvalidURL.WithDetail("malformed Spotify id")
	}
	asUser := c.HasAccount()
	var p wirePlaylist
	q := url.Values{"additional_types": {"track"}}
	if err := c.get(ctx, c.apiURL("/v1/playlists/"+id, q), &p, asUser); err != nil {
		return nil, err
	}
	col := &Collection{Kind: KindPlaylist, ID: p.ID, Name: p.Name, Owner: p.Owner.DisplayName, CoverURL: largestImage(p.Images),
		Source: SourceWebAPI}
	if col.Owner == "" {
		col.Owner = p.Owner.ID
	}
	n := 0
	collect := func(items []wirePlaylistEntry) error {
		for _, e := range items {
			t, ok := entryTrack(e)
			if !ok {
				col.Skipped++
				continue
			}
			col.Tracks = append(col.Tracks, t)
		}
		n += len(items)
		if n >= c.cfg.MaxTracks {
			return errStopPaging
		}
		return nil
	}
	pq := url.Values{"limit": {strconv.Itoa(pageSize)}, "offset": {"0"}, "additional_types": {"track"}}
	itemsPath := "/v1/playlists/" + id + "/items"
	err := walkPages(ctx, c, c.apiURL(itemsPath, pq), itemsPath, asUser, collect)
	if errors.Is(err, ErrNotFound) && n == 0 {
		// Before Feb 2026 (and on servers that never got /items) entries
		// live under /tracks.
		c.log.DebugContext(ctx, "spotify /items unknown, falling back to /tracks", "playlist", id)
		tracksPath := "/v1/playlists/" + id + "/tracks"
		err = walkPages(ctx, c, c.apiURL(tracksPath, pq), tracksPath, asUser, collect)
	}
	if err != nil && !errors.Is(err, errStopPaging) {
		if errors.Is(err, ErrForbidden) && !errors.Is(err, ErrPremiumRequired) {
			return nil, fmt.Errorf("%w: %w", ErrForbidden.WithDetail(
				"Spotify shares only this playlist's details with this app, not its entries."), err)
		}
		return nil, err
	}
	return col, nil
}

// walkPages GETs start and follows "next" until the end, calling fn with
// each page's items.
func walkPages[T any](ctx context.Context, c *Client, start, path string, asUser bool, fn func([]T) error) error {
	link := start
	for i := 0; link != "" && i < maxPages; i++ {
		var p wirePage[T]
		if err := c.get(ctx, link, &p, asUser); err != nil {
			return err
		}
		if err := fn(p.Items); err != nil {
			return err
		}
		if len(p.Items) == 0 {
			return nil
		}
		link = nextURL(c, &p, path)
	}
	return nil
}

// nextURL returns the next page's URL: Spotify's "next" when it points at
// our base, the same path and query re-rooted on our base when it does not
// (a proxy or stand-in), or one built from offset/limit when "next" is
// missing but the total says there is more.
func nextURL[T any](c *Client, p *wirePage[T], path string) string {
	if p.Next != nil && *p.Next != "" {
		if c.sameOrigin(*p.Next) {
			return *p.Next
		}
		if u, err := url.Parse(*p.Next); err == nil && strings.HasPrefix(u.Path, "/v1/") {
			return c.cfg.BaseURL + u.Path + "?" + u.RawQuery
		}
		return ""
	}
	if len(p.Items) > 0 && p.Offset+len(p.Items) < p.Total {
		return c.apiURL(path, url.Values{"offset": {strconv.Itoa(p.Offset + len(p.Items))}, "limit": {strconv.Itoa(pageSize)}})
	}
	return ""
}
