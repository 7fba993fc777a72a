package spotifytest

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strings"
)

// recordings are the embed pages' __NEXT_DATA__ recorded in June 2026
// (see testdata/embed-2026/SOURCE.md).
//
//go:embed testdata/embed-2026/*.json
var recordings embed.FS

var recordingName = regexp.MustCompile(`_embed_(track|album|playlist)_([0-9A-Za-z]{22})`)

// EmbedRecordings returns the recorded __NEXT_DATA__ JSON of each embed
// page, keyed "kind/id" (e.g. "playlist/37i9dQZF1DXcBWIGoYBM5M").
func EmbedRecordings() map[string][]byte {
	out := map[string][]byte{}
	entries, _ := recordings.ReadDir("testdata/embed-2026")
	for _, e := range entries {
		m := recordingName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		b, err := recordings.ReadFile(path.Join("testdata/embed-2026", e.Name()))
		if err == nil {
			out[m[1]+"/"+m[2]] = b
		}
	}
	return out
}

// RecordedPlaylistID is the 50-track playlist ("Today's Top Hits") among
// the recordings.
const RecordedPlaylistID = "37i9dQZF1DXcBWIGoYBM5M"

// EmbedPage wraps __NEXT_DATA__ JSON the way open.spotify.com serves it.
func EmbedPage(nextData []byte) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><title>Spotify Embed</title></head>`)
	b.WriteString(`<body><div id="__next"></div><script id="__NEXT_DATA__" type="application/json">`)
	// Next.js escapes "<" so the JSON cannot close the script early.
	b.WriteString(strings.ReplaceAll(string(nextData), "<", `\u003c`))
	b.WriteString(`</script></body></html>`)
	return []byte(b.String())
}

// ChangeEmbedShape makes the embed pages drop the trackList (as a
// redesign of Spotify's page might), or restores them.
func (s *Server) ChangeEmbedShape(changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embedChanged = changed
}

// serveEmbed answers GET /embed/{kind}/{id}: a recorded page, else one
// rendered from the registered items; private playlists and unknown ids
// are 404, as on the real site.
func (s *Server) serveEmbed(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/embed/"), "/"), "/")
	if len(parts) != 2 {
		http.NotFound(w, r)
		return
	}
	kind, id := parts[0], parts[1]
	s.mu.Lock()
	data, ok := s.embedLocked(kind, id)
	changed := s.embedChanged
	s.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>`))
		return
	}
	if changed {
		data = []byte(`{"props":{"pageProps":{"state":{"data":{"entity":{"type":"` + kind +
			`","id":"` + id + `","name":"Redesigned","tracks":{"items":[]}}}}}}}`)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(EmbedPage(data))
}

func (s *Server) embedLocked(kind, id string) ([]byte, bool) {
	if b, ok := s.recorded[kind+"/"+id]; ok {
		return b, true
	}
	var entity map[string]any
	switch kind {
	case "track":
		t := s.trackLocked(id)
		if t == nil {
			return nil, false
		}
		entity = embedTrackEntity(t)
	case "album":
		a := s.albums[id]
		if a == nil {
			return nil, false
		}
		entity = map[string]any{"type": "album", "id": id, "uri": "spotify:album:" + id, "name": a["name"],
			"title": a["name"], "subtitle": joinNames(a["artists"]), "releaseDate": nil,
			"visualIdentity": map[string]any{"image": embedImages(a["images"])},
			"trackList":      embedTrackList(s.albumRows[id], nil)}
	case "playlist":
		p := s.playlists[id]
		if p == nil || s.access[id].private {
			return nil, false
		}
		owner, _ := p["owner"].(map[string]any)
		entity = map[string]any{"type": "playlist", "id": id, "uri": "spotify:playlist:" + id, "name": p["name"],
			"title": p["name"], "subtitle": owner["display_name"],
			"coverArt":  map[string]any{"sources": embedImages(p["images"])},
			"trackList": embedTrackList(s.entries[id], func(row map[string]any) map[string]any { t, _ := row["track"].(map[string]any); return t })}
	default:
		return nil, false
	}
	b, _ := json.Marshal(map[string]any{"page": "/embed/" + kind + "/[id]", "query": map[string]any{"id": id},
		"props": map[string]any{"pageProps": map[string]any{"state": map[string]any{
			"data": map[string]any{"embeded_entity_uri": "spotify:" + kind + ":" + id, "entity": entity}}}}})
	return b, true
}

func embedTrackEntity(t map[string]any) map[string]any {
	var artists []any
	for _, a := range asList(t["artists"]) {
		m, _ := a.(map[string]any)
		artists = append(artists, map[string]any{"name": m["name"], "uri": "spotify:artist:" + str(m["id"])})
	}
	e := map[string]any{"type": "track", "id": t["id"], "uri": "spotify:track:" + str(t["id"]), "name": t["name"],
		"title": t["name"], "artists": artists, "duration": t["duration_ms"], "isExplicit": t["explicit"],
		"isPlayable": true}
	if al, ok := t["album"].(map[string]any); ok {
		e["visualIdentity"] = map[string]any{"image": embedImages(al["images"])}
		if d := str(al["release_date"]); len(d) == 10 {
			e["releaseDate"] = map[string]any{"isoString": d + "T00:00:00Z"}
		}
	}
	return e
}

// embedTrackList renders Web API track rows as trackList entries, artists
// joined by "," + U+00A0 as the real page does.
func embedTrackList(rows []map[string]any, pick func(map[string]any) map[string]any) []any {
	out := []any{}
	for i, row := range rows {
		t := row
		if pick != nil {
			t = pick(row)
		}
		if t == nil {
			continue
		}
		out = append(out, map[string]any{"uri": "spotify:track:" + str(t["id"]), "uid": ID(fmt.Sprintf("uid:%s:%d", str(t["id"]), i))[:20],
			"title": t["name"], "subtitle": joinNames(t["artists"]), "duration": t["duration_ms"],
			"isExplicit": t["explicit"], "isPlayable": true, "entityType": "track"})
	}
	return out
}

func embedImages(images any) []any {
	out := []any{}
	for _, im := range asList(images) {
		m, _ := im.(map[string]any)
		out = append(out, map[string]any{"url": m["url"], "maxWidth": m["width"], "maxHeight": m["height"],
			"width": m["width"], "height": m["height"]})
	}
	return out
}

func joinNames(list any) string {
	var names []string
	for _, a := range asList(list) {
		if m, ok := a.(map[string]any); ok && str(m["name"]) != "" {
			names = append(names, str(m["name"]))
		}
	}
	return strings.Join(names, ",\u00a0")
}

func asList(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []map[string]any:
		out := make([]any, len(l))
		for i := range l {
			out[i] = l[i]
		}
		return out
	}
	return nil
}

func str(v any) string { s, _ := v.(string); return s }
