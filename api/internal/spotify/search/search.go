// Package search finds candidate recordings for a Spotify track on YouTube
// Music and YouTube: innertube clients for both (with parsers for their
// search responses) and a yt-dlp "ytsearchN:" fallback. It only lists
// candidates; package spotify/match scores them.
package search

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/downlink/downlink/api/internal/problem"
)

// Mode says what a search looks for.
type Mode string

// Search modes.
const (
	// ModeSongs: YouTube Music songs (audio tracks from the label).
	ModeSongs Mode = "songs"
	// ModeVideos: videos (YouTube, or YouTube Music's video results).
	ModeVideos Mode = "videos"
	// ModeISRC: the query is an ISRC; YouTube Music answers with the
	// recording as its top result when it knows the code.
	ModeISRC Mode = "isrc"
)

// Kind is what a candidate is.
type Kind string

// Candidate kinds.
const (
	KindSong  Kind = "song"
	KindVideo Kind = "video"
)

// Sources name the backend a candidate came from.
const (
	SourceYTMusic = "ytmusic"
	SourceYouTube = "youtube"
	SourceYTDLP   = "ytdlp"
)

// Candidate is one search hit.
type Candidate struct {
	// URL is what to download (a watch URL, or any URL a stand-in gives).
	URL     string `json:"url"`
	VideoID string `json:"video_id"`
	Title   string `json:"title"`
	// Artists credited by YouTube Music (songs, official videos).
	Artists []string `json:"artists,omitempty"`
	// Channel is the uploading channel (videos).
	Channel string `json:"channel,omitempty"`
	Album   string `json:"album,omitempty"`
	// DurationSeconds is 0 when unknown (live streams are left out).
	DurationSeconds float64 `json:"duration_seconds"`
	Kind            Kind    `json:"kind"`
	Source          string  `json:"source"`
	// Rank is the 0-based position in the backend's answer.
	Rank int `json:"rank"`
	// TopResult marks YouTube Music's top-result card.
	TopResult bool `json:"top_result,omitempty"`
	// Verified marks a verified (or official artist) channel.
	Verified bool `json:"verified,omitempty"`
	// TitleTranslated: YouTube showed a machine-translated title (it
	// flags the video with a translation badge), so title words mean
	// little.
	TitleTranslated bool `json:"title_translated,omitempty"`
}

// Searcher is one search backend.
type Searcher interface {
	Search(ctx context.Context, query string, mode Mode, limit int) ([]Candidate, error)
}

// Errors the backends return (wrapped with %w).
var (
	// ErrUnavailable: the backend failed (network, HTTP status, unreadable answer).
	ErrUnavailable = problem.New(http.StatusBadGateway, "Music search is not answering properly")
	// ErrUnsupportedMode: the backend cannot search this way (e.g. ISRC on YouTube).
	ErrUnsupportedMode = errors.New("search: mode not supported by this backend")
)

var durationPattern = regexp.MustCompile(`^\d{1,3}(:\d{2}){1,2}$`)

// ParseDuration reads "m:ss" or "h:mm:ss" into seconds; ok is false for
// anything else.
func ParseDuration(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !durationPattern.MatchString(s) {
		return 0, false
	}
	total := 0
	for _, p := range strings.Split(s, ":") {
		n, _ := strconv.Atoi(p)
		total = total*60 + n
	}
	return float64(total), true
}

// filter keeps candidates of the mode's kind (ISRC keeps everything) and
// caps the count.
func filter(cands []Candidate, mode Mode, limit int) []Candidate {
	out := cands[:0:0]
	for _, c := range cands {
		switch {
		case mode == ModeSongs && c.Kind != KindSong:
			continue
		case mode == ModeVideos && c.Kind != KindVideo:
			continue
		}
		out = append(out, c)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}
