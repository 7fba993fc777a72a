package handlers

import (
	"context"
	"strconv"
	"strings"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/spotify"
)

// SpotifyProbe is the Spotify part of a probe (openapi.yaml SpotifyProbe).
type SpotifyProbe struct {
	Type            string   `json:"type"`
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Artists         []string `json:"artists"`
	Album           *string  `json:"album"`
	ReleaseDate     *string  `json:"release_date"`
	ISRC            *string  `json:"isrc"`
	DurationSeconds *float64 `json:"duration_seconds"`
	TrackCount      *int     `json:"track_count"`
	ImageURL        *string  `json:"image_url"`
	// MetadataSource is web_api, or embed (the public embed page).
	MetadataSource string `json:"metadata_source"`
}

// Probe describes a Spotify link from the Web API, or from its public
// embed page without credentials, without downloading.
func (h *Spotify) Probe(ctx context.Context, rawURL, _ string) (downloads.ProbeResult, error) {
	kind, id, err := spotify.ParseURL(rawURL)
	if err != nil {
		return downloads.ProbeResult{}, err
	}
	c := h.clientFor(ctx)
	sp := SpotifyProbe{Type: string(kind), ID: id, Artists: []string{}, MetadataSource: spotify.SourceWebAPI}
	res := downloads.ProbeResult{Kind: string(kind), Warnings: []string{}}
	if kind == spotify.KindArtist {
		if c.CanUseAPI() {
			a, err := c.Artist(ctx, id)
			if err != nil {
				return downloads.ProbeResult{}, err
			}
			sp.Name = a.Name
			res.Title = opt(a.Name)
		}
		res.Warnings = append(res.Warnings, "Artist pages can't be downloaded: since Spotify's Web API change of February 2026 "+
			"apps can no longer list an artist's top tracks. Paste an album or playlist instead.")
		res.Spotify = sp
		return res, nil
	}
	col, warnings, err := h.read(ctx, "probe-"+id, kind, id, true)
	if err != nil {
		return downloads.ProbeResult{}, err
	}
	sp.Name, sp.ImageURL, sp.MetadataSource = col.Name, opt(col.CoverURL), col.Source
	res.Title, res.ThumbnailURL = opt(col.Name), opt(col.CoverURL)
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, w.Message)
	}
	var total float64
	for _, t := range col.Tracks {
		total += float64(t.DurationMs) / 1000
	}
	if total > 0 {
		sp.DurationSeconds, res.DurationSeconds = &total, &total
	}
	switch kind {
	case spotify.KindTrack:
		if len(col.Tracks) > 0 {
			t := col.Tracks[0]
			sp.Artists = nonNil(t.Artists)
			sp.Album, sp.ReleaseDate, sp.ISRC = opt(t.Album), opt(t.ReleaseDate), opt(t.ISRC)
			res.Uploader = opt(strings.Join(t.Artists, ", "))
		}
	default:
		n := len(col.Tracks)
		sp.TrackCount = &n
		res.Playlist = &downloads.ProbePlaylist{Count: &n, Title: opt(col.Name)}
		res.Uploader = opt(col.Owner)
		if kind == spotify.KindAlbum {
			sp.Album = opt(col.Name)
			if col.Owner != "" {
				sp.Artists = []string{col.Owner}
			}
			if len(col.Tracks) > 0 {
				sp.ReleaseDate = opt(col.Tracks[0].ReleaseDate)
			}
		}
		if col.Skipped > 0 {
			res.Warnings = append(res.Warnings, strconv.Itoa(col.Skipped)+" entries are left out: podcast episodes, local files or tracks no longer available.")
		}
	}
	res.Spotify = sp
	return res, nil
}

// opt is nil for "".
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
