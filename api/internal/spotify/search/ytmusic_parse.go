package search

import (
	"encoding/json"
	"fmt"
	"strings"
)

// YouTube Music (WEB_REMIX) answers carry the UI language's labels ("Titel",
// "Video", "Aufrufe" with hl=de), so nothing here keys on label text:
// the kind comes from watchEndpoint's musicVideoType, artists and albums
// from the browse endpoints' pageType, durations from m:ss runs.

const (
	videoTypeSong    = "MUSIC_VIDEO_TYPE_ATV"             // audio track
	videoTypeEpisode = "MUSIC_VIDEO_TYPE_PODCAST_EPISODE" // podcast episode
	pageArtist       = "MUSIC_PAGE_TYPE_ARTIST"
	pageUserChannel  = "MUSIC_PAGE_TYPE_USER_CHANNEL"
	pageAlbum        = "MUSIC_PAGE_TYPE_ALBUM"
)

// ParseYTMusic reads a YouTube Music search response: the top-result card
// (musicCardShelfRenderer, and the rows inside it) and every shelf's rows
// (musicResponsiveListItemRenderer) that play a song or video. Albums,
// artists, playlists, podcasts and episodes are left out. watchURL builds
// a candidate's URL from its video id.
func ParseYTMusic(body []byte, watchURL func(videoID string) string) ([]Candidate, error) {
	var root map[string]any
	if err := json.Unmarshal(body, &root); err != nil {
		return nil, fmt.Errorf("search: YouTube Music response: %w: %w", ErrUnavailable, err)
	}
	var out []Candidate
	seen := map[string]bool{}
	add := func(c Candidate, ok bool) {
		if !ok || seen[c.VideoID] {
			return
		}
		seen[c.VideoID] = true
		c.Rank, c.Source, c.URL = len(out), SourceYTMusic, watchURL(c.VideoID)
		out = append(out, c)
	}
	walk(root, func(m map[string]any) bool {
		if card, ok := m["musicCardShelfRenderer"].(map[string]any); ok {
			add(parseYTMCard(card))
			for _, row := range list(card, "contents") {
				if r := obj(row, "musicResponsiveListItemRenderer"); r != nil {
					add(parseYTMRow(r, true))
				}
			}
			return false
		}
		if r, ok := m["musicResponsiveListItemRenderer"].(map[string]any); ok {
			add(parseYTMRow(r, false))
			return false
		}
		return true
	})
	return out, nil
}

// parseYTMCard reads the top-result card itself.
func parseYTMCard(card map[string]any) (Candidate, bool) {
	title := obj(card, "title")
	we := watchEndpoint(title)
	if we == nil {
		we = obj(obj(card, "onTap"), "watchEndpoint")
	}
	if we == nil {
		return Candidate{}, false // top result is an artist or album
	}
	c := Candidate{VideoID: str(we, "videoId"), Title: runsText(title), TopResult: true}
	if !setKind(&c, we) {
		return Candidate{}, false
	}
	fillSubtitle(&c, list(obj(card, "subtitle"), "runs"), true)
	return c, c.VideoID != ""
}

// parseYTMRow reads one shelf row; inCard rows lead with a type label.
func parseYTMRow(r map[string]any, inCard bool) (Candidate, bool) {
	cols := list(r, "flexColumns")
	if len(cols) == 0 {
		return Candidate{}, false
	}
	text := func(i int) map[string]any {
		if i >= len(cols) {
			return nil
		}
		return obj(obj(cols[i], "musicResponsiveListItemFlexColumnRenderer"), "text")
	}
	first := text(0)
	we := watchEndpoint(first)
	videoID := str(obj(r, "playlistItemData"), "videoId")
	if we == nil || videoID == "" {
		if videoID == "" && we != nil {
			videoID = str(we, "videoId")
		}
		if we == nil || videoID == "" {
			return Candidate{}, false // album, artist, playlist, podcast show
		}
	}
	c := Candidate{VideoID: videoID, Title: runsText(first)}
	if !setKind(&c, we) {
		return Candidate{}, false
	}
	fillSubtitle(&c, list(text(1), "runs"), inCard)
	return c, true
}

// watchEndpoint finds the watchEndpoint of a title's runs.
func watchEndpoint(title map[string]any) map[string]any {
	for _, run := range list(title, "runs") {
		if we := obj(obj(run, "navigationEndpoint"), "watchEndpoint"); we != nil {
			return we
		}
	}
	return nil
}

// setKind sets the kind from musicVideoType; episodes are refused.
func setKind(c *Candidate, we map[string]any) bool {
	vt, _ := find(we, "musicVideoType").(string)
	switch vt {
	case videoTypeEpisode:
		return false
	case videoTypeSong:
		c.Kind = KindSong
	default: // OMV (official video), UGC (uploads), unknown
		c.Kind = KindVideo
	}
	return true
}

// fillSubtitle reads artists, album and duration from a subtitle line
// "[label •] artist[ und artist] • album|views • m:ss".
func fillSubtitle(c *Candidate, runs []any, hasLabel bool) {
	var segs [][]any
	cur := []any{}
	for _, run := range runs {
		if strings.TrimSpace(str(run, "text")) == "•" {
			segs = append(segs, cur)
			cur = []any{}
			continue
		}
		cur = append(cur, run)
	}
	segs = append(segs, cur)
	for _, run := range runs {
		text := strings.TrimSpace(str(run, "text"))
		page, _ := find(run, "pageType").(string)
		switch page {
		case pageArtist:
			c.Artists = append(c.Artists, text)
		case pageUserChannel:
			c.Channel = text
		case pageAlbum:
			c.Album = text
		}
		if d, ok := ParseDuration(text); ok {
			c.DurationSeconds = d
		}
	}
	if len(c.Artists) == 0 && c.Channel == "" {
		// No browse links (artists without a channel): take the artist
		// segment by position — after the type label when there is one.
		i := 0
		if hasLabel && len(segs) > 2 {
			i = 1
		}
		if i < len(segs) {
			var b strings.Builder
			for _, run := range segs[i] {
				b.WriteString(str(run, "text"))
			}
			if s := strings.TrimSpace(b.String()); s != "" {
				if _, isDur := ParseDuration(s); !isDur {
					c.Artists = []string{s}
				}
			}
		}
	}
	if c.Kind == KindVideo && c.Channel == "" && len(c.Artists) > 0 {
		c.Channel = c.Artists[0]
	}
}
