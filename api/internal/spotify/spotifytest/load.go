package spotifytest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"strings"
)

var (
	albumTracksHref    = regexp.MustCompile(`^/v1/albums/([0-9A-Za-z]+)/tracks/?$`)
	playlistTracksHref = regexp.MustCompile(`^/v1/playlists/([0-9A-Za-z]+)/(?:tracks|items)/?$`)
)

// load reads every recorded body under spotify/ in fixtures and files it by shape:
// track, album (and its embedded tracks), playlist (and its entries),
// artist, track lists, and paging objects whose href says what they page.
func (s *Server) load(fixtures fs.FS) error {
	const root = "spotify"
	for name, key := range map[string]string{
		"401_token_expired.json": "401", "404_resource_not_found.json": "404",
		"429_rate_limit.json": "429", "429_plaintext.txt": "429txt",
	} {
		if b, err := fs.ReadFile(fixtures, path.Join(root, "errors", name)); err == nil {
			s.errs[key] = b
		}
	}
	err := fs.WalkDir(fixtures, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") || path.Base(path.Dir(p)) == "errors" {
			return nil
		}
		b, err := fs.ReadFile(fixtures, p)
		if err != nil {
			return err
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			return fmt.Errorf("spotifytest: %s: %w", p, err)
		}
		s.file(obj)
		return nil
	})
	if err != nil {
		return err
	}
	// Harvest the full track objects inside playlist entries, and give
	// paged-only playlists a minimal playlist object.
	for id, rows := range s.entries {
		for _, e := range rows {
			if t, ok := e["track"].(map[string]any); ok && t["type"] == "track" && t["name"] != "" {
				s.addTrackObject(t)
			}
		}
		if s.playlists[id] == nil {
			s.playlists[id] = map[string]any{"id": id, "type": "playlist", "name": "Playlist " + id,
				"images": []any{}, "owner": map[string]any{"id": "spotifytest", "display_name": "spotifytest", "type": "user"}}
		}
	}
	// An album known only by its tracks page gets the album object a
	// recorded track carries, when one does.
	for id := range s.albumRows {
		if s.albums[id] != nil {
			continue
		}
		for _, t := range s.tracks {
			if a, ok := t["album"].(map[string]any); ok && a["id"] == id {
				s.albums[id] = copyMap(a)
				break
			}
		}
	}
	return nil
}

func (s *Server) file(obj map[string]any) {
	if _, isErr := obj["error"]; isErr {
		return
	}
	switch obj["type"] {
	case "track":
		s.addTrackObject(obj)
		return
	case "album":
		id, _ := obj["id"].(string)
		a := copyMap(obj)
		delete(a, "tracks")
		s.albums[id] = a
		if p, ok := obj["tracks"].(map[string]any); ok {
			s.setAlbumRows(id, items(p))
		}
		return
	case "playlist":
		id, _ := obj["id"].(string)
		p := copyMap(obj)
		delete(p, "tracks")
		delete(p, "items")
		s.playlists[id] = p
		for _, k := range []string{"items", "tracks"} {
			if pg, ok := obj[k].(map[string]any); ok {
				s.setEntries(id, items(pg))
			}
		}
		return
	case "artist":
		id, _ := obj["id"].(string)
		s.artists[id] = obj
		return
	}
	switch v := obj["tracks"].(type) {
	case []any: // several tracks, artist top tracks
		for _, t := range v {
			if m, ok := t.(map[string]any); ok {
				s.addTrackObject(m)
			}
		}
		return
	case map[string]any: // search result
		for _, t := range items(v) {
			s.addTrackObject(t)
		}
		return
	}
	href, _ := obj["href"].(string)
	u, err := url.Parse(href)
	if err != nil {
		return
	}
	if m := albumTracksHref.FindStringSubmatch(u.Path); m != nil {
		s.setAlbumRows(m[1], items(obj))
	} else if m := playlistTracksHref.FindStringSubmatch(u.Path); m != nil {
		s.setEntries(m[1], items(obj))
	}
}

func (s *Server) addTrackObject(t map[string]any) {
	id, _ := t["id"].(string)
	if id == "" {
		return
	}
	// Prefer the richest copy (one with an album and external ids).
	if old := s.tracks[id]; old != nil && len(old) >= len(t) {
		return
	}
	s.tracks[id] = t
}

func (s *Server) setAlbumRows(id string, rows []map[string]any) {
	if len(rows) > len(s.albumRows[id]) {
		s.albumRows[id] = rows
	}
}

// setEntries stores a playlist's rows with the entry's object under
// "track" whatever key it came in ("item" wins: it is the 2026 one).
func (s *Server) setEntries(id string, rows []map[string]any) {
	if len(rows) <= len(s.entries[id]) {
		return
	}
	norm := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		e := copyMap(r)
		obj, ok := e["item"]
		if !ok {
			obj = e["track"]
		}
		delete(e, "item")
		e["track"] = obj
		norm = append(norm, e)
	}
	s.entries[id] = norm
}

func items(page map[string]any) []map[string]any {
	list, _ := page["items"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
