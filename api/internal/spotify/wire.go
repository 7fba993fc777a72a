package spotify

import "encoding/json"

// Wire types: only the members Downlink reads. Spotify sends many more.

type wireImage struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type wireArtist struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireAlbum struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Artists     []wireArtist `json:"artists"`
	Images      []wireImage  `json:"images"`
	ReleaseDate string       `json:"release_date"`
	TotalTracks int          `json:"total_tracks"`
	Label       string       `json:"label"`
	// Tracks is embedded in GET /v1/albums/{id}.
	Tracks *wirePage[wireTrack] `json:"tracks"`
}

type wireTrack struct {
	ID          string       `json:"id"`
	Type        string       `json:"type"`
	Name        string       `json:"name"`
	Artists     []wireArtist `json:"artists"`
	Album       *wireAlbum   `json:"album"`
	TrackNumber int          `json:"track_number"`
	DiscNumber  int          `json:"disc_number"`
	DurationMs  int          `json:"duration_ms"`
	Explicit    bool         `json:"explicit"`
	IsLocal     bool         `json:"is_local"`
	ExternalIDs struct {
		ISRC string `json:"isrc"`
	} `json:"external_ids"`
	ExternalURLs struct {
		Spotify string `json:"spotify"`
	} `json:"external_urls"`
}

type wirePage[T any] struct {
	Items    []T     `json:"items"`
	Limit    int     `json:"limit"`
	Offset   int     `json:"offset"`
	Total    int     `json:"total"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
}

// wirePlaylistEntry is one playlist row. Since Feb 2026 the object is under
// "item"; "track" is still sent (deprecated) and is all older responses have.
// Both are raw so an episode or null decodes without error.
type wirePlaylistEntry struct {
	IsLocal bool            `json:"is_local"`
	Item    json.RawMessage `json:"item"`
	Track   json.RawMessage `json:"track"`
}

type wirePlaylist struct {
	ID     string      `json:"id"`
	Name   string      `json:"name"`
	Images []wireImage `json:"images"`
	Owner  struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
	} `json:"owner"`
	Items  *wirePage[wirePlaylistEntry] `json:"items"`
	Tracks *wirePage[wirePlaylistEntry] `json:"tracks"`
}

type wireToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

type wireError struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
		Reason  string `json:"reason"`
	} `json:"error"`
}

type wireUser struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Product     string `json:"product"`
}
