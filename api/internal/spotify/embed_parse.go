package spotify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// artistJoiner is how an embed page's subtitle joins several artists: a
// comma and a no-break space ("Pitbull,\u00a0Sensato"). A name that holds
// a comma itself ("Tyler, The Creator") keeps its ordinary space, so
// splitting on the pair keeps it whole.
const artistJoiner = ",\u00a0"

// nextDataScript finds the JSON of a Next.js page: the real embed page
// carries it in <script id="__NEXT_DATA__" type="application/json">.
var nextDataScript = regexp.MustCompile(`(?s)<script[^>]*\bid="__NEXT_DATA__"[^>]*>(.*?)</script>`)

// wireEmbed is the part of an embed page's __NEXT_DATA__ Downlink reads:
// props.pageProps.state.data.entity.
type wireEmbed struct {
	Props struct {
		PageProps struct {
			State *struct {
				Data struct {
					Entity *wireEmbedEntity `json:"entity"`
				} `json:"data"`
			} `json:"state"`
		} `json:"pageProps"`
	} `json:"props"`
}

type wireEmbedEntity struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	URI        string `json:"uri"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Subtitle   string `json:"subtitle"`
	Duration   int    `json:"duration"`
	IsExplicit bool   `json:"isExplicit"`
	IsPlayable *bool  `json:"isPlayable"`
	// Artists is on track pages only.
	Artists []struct {
		Name string `json:"name"`
		URI  string `json:"uri"`
	} `json:"artists"`
	ReleaseDate *struct {
		ISOString string `json:"isoString"`
	} `json:"releaseDate"`
	VisualIdentity *struct {
		Image []struct {
			URL       string `json:"url"`
			MaxWidth  int    `json:"maxWidth"`
			MaxHeight int    `json:"maxHeight"`
		} `json:"image"`
	} `json:"visualIdentity"`
	CoverArt *struct {
		Sources []struct {
			URL    string `json:"url"`
			Width  *int   `json:"width"`
			Height *int   `json:"height"`
		} `json:"sources"`
	} `json:"coverArt"`
	// TrackList is on album and playlist pages; nil on a track page.
	TrackList []wireEmbedTrack `json:"trackList"`
}

type wireEmbedTrack struct {
	URI        string `json:"uri"`
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Subtitle   string `json:"subtitle"`
	Duration   int    `json:"duration"`
	IsExplicit bool   `json:"isExplicit"`
	IsPlayable *bool  `json:"isPlayable"`
	EntityType string `json:"entityType"`
}

// ParseEmbedPage reads an embed page (the HTML of
// open.spotify.com/embed/{track,album,playlist}/<id>) into a Collection of
// kind. Its tracks know their title, artists, duration and explicitness;
// a track page also gives the cover and release date, an album page the
// album's name, artists and cover. When the page no longer carries what
// Downlink reads, the error wraps ErrEmbedChanged.
func ParseEmbedPage(page []byte, kind Kind) (*Collection, error) {
	m := nextDataScript.FindSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("%w: no __NEXT_DATA__ script in the page", ErrEmbedChanged)
	}
	return ParseEmbedData(bytes.TrimSpace(m[1]), kind)
}

// ParseEmbedData reads the __NEXT_DATA__ JSON of an embed page; see
// ParseEmbedPage.
func ParseEmbedData(data []byte, kind Kind) (*Collection, error) {
	var w wireEmbed
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: __NEXT_DATA__ is not JSON: %w", ErrEmbedChanged, err)
	}
	st := w.Props.PageProps.State
	if st == nil || st.Data.Entity == nil {
		return nil, fmt.Errorf("%w: no props.pageProps.state.data.entity", ErrEmbedChanged)
	}
	e := st.Data.Entity
	if Kind(e.Type) != kind {
		return nil, fmt.Errorf("%w: the page describes a %q, not a %s", ErrEmbedChanged, e.Type, kind)
	}
	id := e.ID
	if id == "" {
		id = uriID(e.URI, kind)
	}
	col := &Collection{Kind: kind, ID: id, Name: firstNonEmpty(e.Name, e.Title), Owner: splitArtistsJoined(e.Subtitle),
		CoverURL: e.cover(), Source: SourceEmbed}
	if kind == KindTrack {
		t, ok := e.track()
		if !ok {
			return nil, fmt.Errorf("%w: the track page has no title or duration", ErrEmbedChanged)
		}
		col.Owner = strings.Join(t.Artists, ", ")
		col.Tracks = []Track{t}
		return col, nil
	}
	if e.TrackList == nil {
		return nil, fmt.Errorf("%w: the %s page has no trackList", ErrEmbedChanged, kind)
	}
	unreadable := 0
	for i, wt := range e.TrackList {
		t, ok, readable := wt.track()
		if !readable {
			unreadable++
		}
		if !ok {
			col.Skipped++
			continue
		}
		if kind == KindAlbum {
			t.Album, t.AlbumArtist, t.CoverURL = col.Name, firstArtist(e.Subtitle), col.CoverURL
			t.TrackNumber, t.TrackTotal = i+1, len(e.TrackList)
		}
		col.Tracks = append(col.Tracks, t)
	}
	if len(e.TrackList) > 0 && unreadable == len(e.TrackList) {
		return nil, fmt.Errorf("%w: no entry of the trackList has a track uri, title and duration", ErrEmbedChanged)
	}
	col.Truncated = kind == KindPlaylist && len(e.TrackList) >= EmbedListLimit
	return col, nil
}

// EmbedListLimit is how many entries a playlist's embed page lists at
// most: longer playlists show their first 100 tracks only.
const EmbedListLimit = 100

// track reads a track page's entity.
func (e *wireEmbedEntity) track() (Track, bool) {
	name := firstNonEmpty(e.Name, e.Title)
	if name == "" || e.Duration <= 0 {
		return Track{}, false
	}
	id := e.ID
	if id == "" {
		id = uriID(e.URI, KindTrack)
	}
	if !idPattern.MatchString(id) {
		return Track{}, false
	}
	t := Track{ID: id, Name: name, DurationMs: e.Duration, Explicit: e.IsExplicit, CoverURL: e.cover(),
		URL: OpenURL(KindTrack, id)}
	for _, a := range e.Artists {
		if a.Name != "" {
			t.Artists = append(t.Artists, a.Name)
		}
	}
	if len(t.Artists) == 0 {
		t.Artists = splitArtists(e.Subtitle)
	}
	if e.ReleaseDate != nil {
		if d, err := time.Parse(time.RFC3339, e.ReleaseDate.ISOString); err == nil {
			t.ReleaseDate = d.UTC().Format(time.DateOnly)
		}
	}
	if len(t.Artists) > 0 {
		t.AlbumArtist = t.Artists[0]
	}
	return t, true
}

// track reads one trackList entry. ok is false for entries that cannot be
// downloaded (episodes, unplayable tracks); readable is false when the
// entry lacks what every track entry has (a shape change).
func (w wireEmbedTrack) track() (t Track, ok, readable bool) {
	id := uriID(w.URI, KindTrack)
	if w.Title == "" || w.Duration <= 0 || (id == "" && w.EntityType == "") {
		return Track{}, false, false
	}
	if id == "" || (w.EntityType != "" && w.EntityType != "track") || (w.IsPlayable != nil && !*w.IsPlayable) {
		return Track{}, false, true
	}
	t = Track{ID: id, Name: w.Title, Artists: splitArtists(w.Subtitle), DurationMs: w.Duration,
		Explicit: w.IsExplicit, URL: OpenURL(KindTrack, id)}
	if len(t.Artists) > 0 {
		t.AlbumArtist = t.Artists[0]
	}
	return t, true, true
}

// cover is the largest image of the entity: visualIdentity.image (albums,
// tracks) or coverArt.sources (playlists).
func (e *wireEmbedEntity) cover() string {
	best, area := "", -1
	if e.VisualIdentity != nil {
		for _, im := range e.VisualIdentity.Image {
			if a := im.MaxWidth * im.MaxHeight; im.URL != "" && a > area {
				best, area = im.URL, a
			}
		}
	}
	if best == "" && e.CoverArt != nil {
		for _, s := range e.CoverArt.Sources {
			a := 0
			if s.Width != nil && s.Height != nil {
				a = *s.Width * *s.Height
			}
			if s.URL != "" && a > area {
				best, area = s.URL, a
			}
		}
	}
	return best
}

// uriID returns the id of a "spotify:<kind>:<id>" URI, or "".
func uriID(uri string, kind Kind) string {
	id, ok := strings.CutPrefix(uri, "spotify:"+string(kind)+":")
	if !ok || !idPattern.MatchString(id) {
		return ""
	}
	return id
}

// splitArtists splits an embed subtitle into artist names.
func splitArtists(subtitle string) []string {
	var out []string
	for _, a := range strings.Split(subtitle, artistJoiner) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// splitArtistsJoined is a subtitle with its artists joined as the rest of
// Downlink writes them (", ").
func splitArtistsJoined(subtitle string) string { return strings.Join(splitArtists(subtitle), ", ") }

func firstArtist(subtitle string) string {
	if as := splitArtists(subtitle); len(as) > 0 {
		return as[0]
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
