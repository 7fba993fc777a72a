package search

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Default YouTube web endpoint and client version (WEB).
const (
	DefaultYouTubeBaseURL       = "https://www.youtube.com"
	DefaultYouTubeClientVersion = "2.20240814.00.00"
)

// YouTubeConfig configures a YouTube client.
type YouTubeConfig struct {
	// BaseURL defaults to https://www.youtube.com (tests: searchtest).
	BaseURL string
	// ClientVersion of WEB; Language (hl) defaults to "en".
	ClientVersion, Language string
	// HTTPClient defaults to one with a 20 s timeout.
	HTTPClient *http.Client
	// WatchURL builds a candidate's URL; default
	// https://www.youtube.com/watch?v=ID.
	WatchURL func(videoID string) string
}

// YouTube searches YouTube's web innertube API (videos only).
type YouTube struct {
	cfg YouTubeConfig
	hc  *http.Client
}

// NewYouTube returns a YouTube searcher.
func NewYouTube(cfg YouTubeConfig) *YouTube {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultYouTubeBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.ClientVersion == "" {
		cfg.ClientVersion = DefaultYouTubeClientVersion
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.WatchURL == nil {
		cfg.WatchURL = func(id string) string { return "https://www.youtube.com/watch?v=" + id }
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	return &YouTube{cfg: cfg, hc: hc}
}

// Search implements Searcher for ModeVideos (and ModeSongs, answered with
// videos: plain YouTube has no songs).
func (y *YouTube) Search(ctx context.Context, query string, mode Mode, limit int) ([]Candidate, error) {
	if mode == ModeISRC {
		return nil, fmt.Errorf("%w: YouTube cannot search by ISRC", ErrUnsupportedMode)
	}
	payload := map[string]any{
		"query":   query,
		"context": map[string]any{"client": map[string]any{"clientName": "WEB", "clientVersion": y.cfg.ClientVersion, "hl": y.cfg.Language}},
	}
	body, err := postJSON(ctx, y.hc, y.cfg.BaseURL+"/youtubei/v1/search?prettyPrint=false", map[string]string{"Accept": "application/json"}, payload)
	if err != nil {
		return nil, err
	}
	cands, err := ParseYouTube(body, y.cfg.WatchURL)
	if err != nil {
		return nil, err
	}
	return filter(cands, ModeVideos, limit), nil
}

// ParseYouTube reads a YouTube web search response: every videoRenderer
// (videoId, title.runs, lengthText, ownerText, badges) in page order.
// Shelves, reels, radios and channels are left out, as are live streams
// (no length).
func ParseYouTube(body []byte, watchURL func(videoID string) string) ([]Candidate, error) {
	var root map[string]any
	if err := json.Unmarshal(body, &root); err != nil {
		return nil, fmt.Errorf("search: YouTube response: %w: %w", ErrUnavailable, err)
	}
	primary := obj(obj(root, "contents"), "twoColumnSearchResultsRenderer")
	if primary == nil {
		primary = root // a continuation or another layout: still look for videos
	}
	var out []Candidate
	seen := map[string]bool{}
	for _, sec := range list(obj(obj(primary, "primaryContents"), "sectionListRenderer"), "contents") {
		for _, it := range list(obj(sec, "itemSectionRenderer"), "contents") {
			v := obj(it, "videoRenderer")
			if v == nil {
				continue
			}
			c, ok := parseVideoRenderer(v)
			if !ok || seen[c.VideoID] {
				continue
			}
			seen[c.VideoID] = true
			c.Rank, c.Source, c.URL = len(out), SourceYouTube, watchURL(c.VideoID)
			out = append(out, c)
		}
	}
	return out, nil
}

func parseVideoRenderer(v map[string]any) (Candidate, bool) {
	id := str(v, "videoId")
	dur, ok := ParseDuration(runsText(obj(v, "lengthText")))
	if id == "" || !ok {
		return Candidate{}, false
	}
	c := Candidate{VideoID: id, Title: runsText(obj(v, "title")), DurationSeconds: dur, Kind: KindVideo,
		Channel: runsText(obj(v, "ownerText"))}
	if c.Channel == "" {
		c.Channel = runsText(obj(v, "longBylineText"))
	}
	for _, b := range list(v, "ownerBadges") {
		switch str(obj(b, "metadataBadgeRenderer"), "style") {
		case "BADGE_STYLE_TYPE_VERIFIED", "BADGE_STYLE_TYPE_VERIFIED_ARTIST":
			c.Verified = true
		}
	}
	for _, b := range list(v, "badges") {
		for _, g := range list(obj(b, "metadataBadgeRenderer"), "groups") {
			if g == "METADATA_BADGE_GROUP_TRANSLATION" {
				c.TitleTranslated = true
			}
		}
	}
	return c, true
}
