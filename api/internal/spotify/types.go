package spotify

// Kind says what a Spotify link points at.
type Kind string

// The kinds of Spotify links Downlink understands.
const (
	KindTrack    Kind = "track"
	KindAlbum    Kind = "album"
	KindPlaylist Kind = "playlist"
	KindArtist   Kind = "artist"
)

// Track is one song's metadata, normalised from whichever Spotify object
// (full track, simplified album track, playlist entry, oEmbed) carried it.
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
	// OEmbedOnly is set when no API credentials were configured and the
	// metadata came from the public oEmbed endpoint: only the title (and a
	// thumbnail) is known, no artists, album, ISRC or duration.
	OEmbedOnly bool `json:"oembed_only,omitempty"`
}

// Artist is the little Downlink reads about an artist: enough to name it.
type Artist struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}
