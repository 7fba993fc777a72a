package spotifytest

import (
	"github.com/downlink/downlink/api/internal/spotify"
)

// AddTrack registers a synthetic track (served by /v1/tracks/{id} and its
// embed page). Empty ids are derived from the name with ID.
func (s *Server) AddTrack(t spotify.Track) spotify.Track {
	if t.ID == "" {
		t.ID = ID("track:" + t.Name + ":" + t.ISRC)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tracks[t.ID] = trackObject(t, albumObject(spotify.Collection{ID: ID("album:" + t.Album), Name: t.Album,
		Owner: t.AlbumArtist, CoverURL: t.CoverURL}, t.ReleaseDate, t.Label, t.TrackTotal), true)
	return t
}

// AddAlbum registers a synthetic album (GET /v1/albums/{id}, its paged
// /tracks, and each track in full). Owner is the album artist; each track's
// album fields are filled from the collection. It returns the album with ids
// assigned.
func (s *Server) AddAlbum(c spotify.Collection, releaseDate, label string) spotify.Collection {
	if c.ID == "" {
		c.ID = ID("album:" + c.Name)
	}
	c.Kind = spotify.KindAlbum
	album := albumObject(c, releaseDate, label, len(c.Tracks))
	rows := make([]map[string]any, 0, len(c.Tracks))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range c.Tracks {
		t := &c.Tracks[i]
		if t.ID == "" {
			t.ID = ID("track:" + c.ID + ":" + t.Name)
		}
		t.Album, t.AlbumArtist, t.CoverURL, t.ReleaseDate, t.Label = c.Name, c.Owner, c.CoverURL, releaseDate, label
		t.TrackTotal = len(c.Tracks)
		if t.TrackNumber == 0 {
			t.TrackNumber = i + 1
		}
		if t.DiscNumber == 0 {
			t.DiscNumber = 1
		}
		rows = append(rows, trackObject(*t, nil, false))
		s.tracks[t.ID] = trackObject(*t, album, true)
	}
	s.albums[c.ID] = album
	s.albumRows[c.ID] = rows
	return c
}

// AddPlaylist registers a synthetic playlist whose entries are the given
// tracks (each also registered in full). Owner is the display name.
func (s *Server) AddPlaylist(c spotify.Collection) spotify.Collection {
	if c.ID == "" {
		c.ID = ID("playlist:" + c.Name)
	}
	c.Kind = spotify.KindPlaylist
	s.mu.Lock()
	defer s.mu.Unlock()
	var images []any
	if c.CoverURL != "" {
		images = []any{map[string]any{"url": c.CoverURL, "width": 640, "height": 640}}
	}
	s.playlists[c.ID] = map[string]any{"id": c.ID, "type": "playlist", "name": c.Name, "images": images,
		"owner": map[string]any{"id": ID("user:" + c.Owner), "display_name": c.Owner, "type": "user"}}
	var rows []map[string]any
	for i := range c.Tracks {
		t := &c.Tracks[i]
		if t.ID == "" {
			t.ID = ID("track:" + c.ID + ":" + t.Name)
		}
		obj := trackObject(*t, albumObject(spotify.Collection{ID: ID("album:" + t.Album), Name: t.Album,
			Owner: t.AlbumArtist, CoverURL: t.CoverURL}, t.ReleaseDate, t.Label, t.TrackTotal), true)
		s.tracks[t.ID] = obj
		rows = append(rows, map[string]any{"added_at": "2026-01-01T00:00:00Z", "is_local": false, "track": obj})
	}
	s.entries[c.ID] = rows
	return c
}

// AddArtist registers an artist (only its name is served).
func (s *Server) AddArtist(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.artists[id] = map[string]any{"id": id, "name": name, "type": "artist"}
}

func albumObject(c spotify.Collection, releaseDate, label string, total int) map[string]any {
	var images []any
	if c.CoverURL != "" {
		images = []any{map[string]any{"url": c.CoverURL, "width": 640, "height": 640}}
	}
	precision := "day"
	switch len(releaseDate) {
	case 4:
		precision = "year"
	case 7:
		precision = "month"
	}
	return map[string]any{
		"id": c.ID, "type": "album", "album_type": "album", "name": c.Name, "images": images,
		"artists":      []any{map[string]any{"id": ID("artist:" + c.Owner), "name": c.Owner, "type": "artist"}},
		"release_date": releaseDate, "release_date_precision": precision, "total_tracks": total, "label": label,
		"uri": "spotify:album:" + c.ID,
	}
}

// trackObject renders a Track as Spotify would: full (album and
// external_ids) or simplified (an album's track row).
func trackObject(t spotify.Track, album map[string]any, full bool) map[string]any {
	artists := make([]any, 0, len(t.Artists))
	for _, a := range t.Artists {
		artists = append(artists, map[string]any{"id": ID("artist:" + a), "name": a, "type": "artist"})
	}
	obj := map[string]any{
		"id": t.ID, "type": "track", "name": t.Name, "artists": artists,
		"track_number": t.TrackNumber, "disc_number": t.DiscNumber, "duration_ms": t.DurationMs,
		"explicit": t.Explicit, "is_local": false, "uri": "spotify:track:" + t.ID,
		"external_urls": map[string]any{"spotify": spotify.OpenURL(spotify.KindTrack, t.ID)},
	}
	if full {
		obj["external_ids"] = map[string]any{"isrc": t.ISRC}
		if album != nil {
			a := simplifiedAlbum(album)
			obj["album"] = a
		}
	}
	return obj
}
