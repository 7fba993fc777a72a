package spotify

import "github.com/downlink/downlink/api/internal/platforms"

// Kind says what a Spotify link points at: the platform registry's kinds.
type Kind = platforms.Kind

// The kinds of Spotify links Downlink understands.
const (
	KindTrack    = platforms.KindTrack
	KindAlbum    = platforms.KindAlbum
	KindPlaylist = platforms.KindPlaylist
	KindArtist   = platforms.KindArtist
)

// Track is one song's metadata, normalised from whichever Spotify object
// (full track, simplified album track, playlist entry, embed page) carried it.
type Track struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Artists []string `json:"artists"`
	Album   string   `json:"album"`
	// AlbumArtist is the album's first artist ("Various Artists" on compilations).
	AlbumArtist string `json:"album_artist"`
	TrackNumber int    `json:"track_number"`
	// TrackTotal is the album's track count when Spotify says it (0 = unknown).
	TrackTotal int `json:"track_total"`
	DiscNumber int `json:"disc_number"`
	// DiscTotal is the album's disc count when known (0 = unknown).
	DiscTotal int `json:"disc_total"`
	// ReleaseDate is Spotify's release_date as given: "2022", "2022-03" or "2022-03-17".
	ReleaseDate string `json:"release_date"`
	ISRC        string `json:"isrc,omitempty"`
	DurationMs  int    `json:"duration_ms"`
	// CoverURL is the largest album image.
	CoverURL string `json:"cover_url,omitempty"`
	Explicit bool   `json:"explicit"`
	// Label is the album's record label, known only when the album object was read.
	Label string `json:"label,omitempty"`
	// URL is the track's open.spotify.com page.
	URL string `json:"url,omitempty"`
}

// Collection is what one Spotify link resolves to: a single track, an album
// or a playlist, always as a list of tracks.
type Collection struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
	// Owner is the playlist owner's display name or the album's artists.
	Owner    string  `json:"owner"`
	CoverURL string  `json:"cover_url,omitempty"`
	Tracks   []Track `json:"tracks"`
	// Skipped counts entries left out: episodes, local files, removed or
	// unavailable tracks (empty name or zero duration).
	Skipped int `json:"skipped"`
	// Source says where the metadata came from: SourceWebAPI (full: ISRC,
	// album, cover) or SourceEmbed (the public embed page: titles, artists,
	// durations and order; no ISRC).
	Source string `json:"source"`
	// Truncated is set when the list may be cut short: a playlist's embed
	// page lists its first EmbedListLimit tracks only.
	Truncated bool `json:"truncated,omitempty"`
}

// Where a Collection's metadata came from.
const (
	SourceWebAPI = "web_api"
	SourceEmbed  = "embed"
)

// Artist is the little Downlink reads about an artist: enough to name it.
type Artist struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is a Spotify account as GET /v1/me shows it.
type User struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	// Product is "premium", "free" or "open" (empty without the
	// user-read-private scope).
	Product string `json:"product"`
}
