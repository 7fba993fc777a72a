package spotify

import (
	"encoding/json"
	"strings"
)

// entryTrack picks a playlist entry's track ("item" first, "track" else)
// and says whether to keep it.
func entryTrack(e wirePlaylistEntry) (Track, bool) {
	raw := e.Item
	if isNull(raw) {
		raw = e.Track
	}
	if isNull(raw) || e.IsLocal {
		return Track{}, false
	}
	var w wireTrack
	if err := json.Unmarshal(raw, &w); err != nil {
		return Track{}, false
	}
	if (w.Type != "" && w.Type != "track") || skipTrack(w) {
		return Track{}, false
	}
	return normaliseTrack(w, w.Album), true
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// skipTrack: removed/unavailable tracks come back with an empty name and a
// zero duration (spotDL drops them the same way).
func skipTrack(w wireTrack) bool {
	return w.IsLocal || w.ID == "" || strings.TrimSpace(w.Name) == "" || w.DurationMs <= 0
}

func normaliseTrack(w wireTrack, album *wireAlbum) Track {
	t := Track{
		ID: w.ID, Name: w.Name, TrackNumber: w.TrackNumber, DiscNumber: w.DiscNumber,
		ISRC: strings.ToUpper(strings.TrimSpace(w.ExternalIDs.ISRC)), DurationMs: w.DurationMs,
		Explicit: w.Explicit, URL: w.ExternalURLs.Spotify,
	}
	for _, a := range w.Artists {
		if a.Name != "" {
			t.Artists = append(t.Artists, a.Name)
		}
	}
	if t.URL == "" && t.ID != "" {
		t.URL = OpenURL(KindTrack, t.ID)
	}
	if album != nil {
		t.Album = album.Name
		if len(album.Artists) > 0 {
			t.AlbumArtist = album.Artists[0].Name
		}
		t.ReleaseDate = album.ReleaseDate
		if strings.Trim(t.ReleaseDate, "0-") == "" {
			t.ReleaseDate = "" // "0000" on unavailable items
		}
		t.TrackTotal = album.TotalTracks
		if t.TrackTotal == 0 && album.Tracks != nil {
			t.TrackTotal = album.Tracks.Total
		}
		t.CoverURL = largestImage(album.Images)
		t.Label = album.Label
	}
	if t.AlbumArtist == "" && len(t.Artists) > 0 {
		t.AlbumArtist = t.Artists[0]
	}
	return t
}

func largestImage(imgs []wireImage) string {
	best, area := "", -1
	for _, im := range imgs {
		if im.URL == "" {
			continue
		}
		if a := im.Width * im.Height; a > area {
			best, area = im.URL, a
		}
	}
	return best
}

func joinArtists(as []wireArtist) string {
	names := make([]string, 0, len(as))
	for _, a := range as {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}
