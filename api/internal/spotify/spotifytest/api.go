package spotifytest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// serveAPI routes GET /v1/… like the real service.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.writeRaw(w, http.StatusMethodNotAllowed, []byte(`{"error":{"status":405,"message":"Method not allowed"}}`))
		return
	}
	// spotipy asks for /tracks/ with a trailing slash; Spotify accepts both.
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1/"), "/"), "/")
	user := s.userOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	if len(parts) >= 2 && parts[0] == "playlists" {
		if status := s.playlistRefusal(parts[1], user, len(parts) == 3); status != 0 {
			s.refuse(w, status)
			return
		}
	}
	switch {
	case len(parts) == 1 && parts[0] == "me":
		u, ok := s.users[user]
		if !ok {
			s.writeRaw(w, http.StatusUnauthorized, s.errs["401"])
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "display_name": u.DisplayName, "product": u.Product,
			"type": "user", "uri": "spotify:user:" + u.ID})
	case len(parts) == 2 && parts[0] == "tracks":
		s.reply(w, s.trackLocked(parts[1]))
	case len(parts) == 2 && parts[0] == "artists":
		s.reply(w, s.artists[parts[1]])
	case len(parts) == 2 && parts[0] == "albums":
		a := s.albums[parts[1]]
		if a == nil {
			s.reply(w, nil)
			return
		}
		out := copyMap(a)
		rows := s.albumRows[parts[1]]
		out["tracks"] = s.page(rows, 0, 50, "/v1/albums/"+parts[1]+"/tracks", nil)
		s.reply(w, out)
	case len(parts) == 3 && parts[0] == "albums" && parts[2] == "tracks":
		rows, ok := s.albumRows[parts[1]]
		if !ok {
			s.reply(w, nil)
			return
		}
		off, lim := offsetLimit(q, 50)
		s.reply(w, s.page(rows, off, lim, r.URL.Path, nil))
	case len(parts) == 2 && parts[0] == "playlists":
		s.servePlaylist(w, parts[1], user)
	case len(parts) == 3 && parts[0] == "playlists" && (parts[2] == "items" || parts[2] == "tracks"):
		if (parts[2] == "items" && s.opts.Shape == ShapeLegacy) || (parts[2] == "tracks" && s.opts.Shape == ShapeItemsOnly) {
			s.reply(w, nil) // endpoint unknown in this shape
			return
		}
		if _, ok := s.playlists[parts[1]]; !ok {
			s.reply(w, nil)
			return
		}
		off, lim := offsetLimit(q, 100)
		if parts[2] == "items" {
			lim = min(lim, 50)
		}
		extra := url.Values{}
		if at := q.Get("additional_types"); at != "" {
			extra.Set("additional_types", at)
		}
		s.reply(w, s.page(s.entryRows(parts[1]), off, lim, r.URL.Path, extra))
	default:
		s.reply(w, nil)
	}
}

// playlistRefusal is the status Spotify answers for a playlist request
// (0: served): a private playlist is 404 to anyone but its owner; in
// DevMode its entries are 403 to anyone but its owner.
func (s *Server) playlistRefusal(id, user string, entries bool) int {
	a, known := s.access[id]
	owner := known && a.owner == user && user != ""
	switch {
	case known && a.private && !owner:
		return http.StatusNotFound
	case s.opts.DevMode && entries && !owner:
		return http.StatusForbidden
	}
	return 0
}

func (s *Server) refuse(w http.ResponseWriter, status int) {
	if status == http.StatusForbidden {
		s.writeRaw(w, status, []byte(`{"error":{"status":403,"message":"Forbidden"}}`))
		return
	}
	s.writeRaw(w, http.StatusNotFound, s.errs["404"])
}

func (s *Server) servePlaylist(w http.ResponseWriter, id, user string) {
	p := s.playlists[id]
	if p == nil {
		s.reply(w, nil)
		return
	}
	out := copyMap(p)
	if s.playlistRefusal(id, user, true) != 0 {
		// Development mode: details only, no entries (python-spotify PR #775).
		s.reply(w, out)
		return
	}
	rows := s.entryRows(id)
	extra := url.Values{"additional_types": {"track"}}
	if s.opts.Shape != ShapeItemsOnly {
		out["tracks"] = s.page(rows, 0, 100, "/v1/playlists/"+id+"/tracks", extra)
	}
	if s.opts.Shape != ShapeLegacy {
		out["items"] = s.page(rows, 0, 100, "/v1/playlists/"+id+"/items", extra)
	}
	s.reply(w, out)
}

// entryRows renders a playlist's entries in the configured shape.
func (s *Server) entryRows(id string) []map[string]any {
	var rows []map[string]any
	for _, e := range s.entries[id] {
		row := copyMap(e)
		obj := row["track"]
		delete(row, "track")
		switch s.opts.Shape {
		case ShapeTransitional:
			row["track"], row["item"] = obj, obj
		case ShapeItemsOnly:
			row["item"] = obj
		case ShapeLegacy:
			row["track"] = obj
		}
		rows = append(rows, row)
	}
	return rows
}

// page slices rows into a Spotify paging object whose href/next/previous
// point back at this server, as get_album_tracks_limit1.json shows.
func (s *Server) page(rows []map[string]any, offset, limit int, path string, extra url.Values) map[string]any {
	if s.opts.MaxLimit > 0 {
		limit = min(limit, s.opts.MaxLimit)
	}
	link := func(off int) string {
		q := url.Values{}
		for k, v := range extra {
			q[k] = v
		}
		q.Set("offset", strconv.Itoa(off))
		q.Set("limit", strconv.Itoa(limit))
		return s.URL + path + "?" + q.Encode()
	}
	end := min(offset+limit, len(rows))
	items := []map[string]any{}
	if offset < len(rows) {
		items = rows[offset:end]
	}
	p := map[string]any{"href": link(offset), "items": items, "limit": limit, "offset": offset,
		"total": len(rows), "next": nil, "previous": nil}
	if end < len(rows) {
		p["next"] = link(end)
	}
	if offset > 0 {
		p["previous"] = link(max(0, offset-limit))
	}
	return p
}

func offsetLimit(q url.Values, def int) (int, int) {
	off, err := strconv.Atoi(q.Get("offset"))
	if err != nil || off < 0 {
		off = 0
	}
	lim, err := strconv.Atoi(q.Get("limit"))
	if err != nil || lim <= 0 {
		lim = def
	}
	return off, min(lim, def)
}

func (s *Server) reply(w http.ResponseWriter, obj map[string]any) {
	if obj == nil {
		s.writeRaw(w, http.StatusNotFound, s.errs["404"])
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// trackLocked returns a full track object: a recorded or registered one,
// or one composed from an album's simplified row and the album (the real
// service has full objects for every album track).
func (s *Server) trackLocked(id string) map[string]any {
	if t := s.tracks[id]; t != nil {
		return t
	}
	for albumID, rows := range s.albumRows {
		for _, row := range rows {
			if row["id"] == id {
				t := copyMap(row)
				if a := s.albums[albumID]; a != nil {
					t["album"] = simplifiedAlbum(a)
				}
				return t
			}
		}
	}
	return nil
}

func simplifiedAlbum(a map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"album_type", "artists", "external_urls", "href", "id", "images", "name",
		"release_date", "release_date_precision", "total_tracks", "type", "uri"} {
		if v, ok := a[k]; ok {
			out[k] = v
		}
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
