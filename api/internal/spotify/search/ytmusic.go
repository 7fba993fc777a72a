package search

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Default YouTube Music endpoint and client version (WEB_REMIX).
const (
	DefaultYTMusicBaseURL       = "https://music.youtube.com"
	DefaultYTMusicClientVersion = "1.20240824.01.00"
)

// Search filter params YouTube Music's web client sends for its "Songs"
// and "Videos" chips (as ytmusicapi does). An unfiltered search is the
// fallback if the filtered one is refused.
const (
	ytmSongsParams  = "EgWKAQIIAWoMEA4QChADEAQQCRAF"
	ytmVideosParams = "EgWKAQIQAWoMEA4QChADEAQQCRAF"
)

// YTMusicConfig configures a YTMusic client.
type YTMusicConfig struct {
	// BaseURL defaults to https://music.youtube.com (tests: searchtest).
	BaseURL string
	// ClientVersion of WEB_REMIX; Language (hl) defaults to "en".
	ClientVersion, Language string
	// HTTPClient defaults to one with a 20 s timeout; pass one that goes
	// through the egress guard in production.
	HTTPClient *http.Client
	// WatchURL builds a candidate's URL; default
	// https://music.youtube.com/watch?v=ID.
	WatchURL func(videoID string) string
}

// YTMusic searches YouTube Music through its innertube API.
type YTMusic struct {
	cfg YTMusicConfig
	hc  *http.Client
}

// NewYTMusic returns a YouTube Music searcher.
func NewYTMusic(cfg YTMusicConfig) *YTMusic {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultYTMusicBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.ClientVersion == "" {
		cfg.ClientVersion = DefaultYTMusicClientVersion
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.WatchURL == nil {
		cfg.WatchURL = func(id string) string { return "https://music.youtube.com/watch?v=" + id }
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	return &YTMusic{cfg: cfg, hc: hc}
}

// Search implements Searcher. ModeISRC runs an unfiltered search (the top
// card is the recording when YouTube Music knows the code) and returns
// every playable hit, card first.
func (y *YTMusic) Search(ctx context.Context, query string, mode Mode, limit int) ([]Candidate, error) {
	params := ""
	switch mode {
	case ModeSongs:
		params = ytmSongsParams
	case ModeVideos:
		params = ytmVideosParams
	case ModeISRC:
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedMode, mode)
	}
	body, err := y.post(ctx, query, params)
	var se *StatusError
	if params != "" && errors.As(err, &se) && se.Status == http.StatusBadRequest {
		body, err = y.post(ctx, query, "")
	}
	if err != nil {
		return nil, err
	}
	cands, err := ParseYTMusic(body, y.cfg.WatchURL)
	if err != nil {
		return nil, err
	}
	return filter(cands, mode, limit), nil
}

func (y *YTMusic) post(ctx context.Context, query, params string) ([]byte, error) {
	payload := map[string]any{
		"query": query,
		"context": map[string]any{
			"client": map[string]any{"clientName": "WEB_REMIX", "clientVersion": y.cfg.ClientVersion, "hl": y.cfg.Language},
			"user":   map[string]any{},
		},
	}
	if params != "" {
		payload["params"] = params
	}
	headers := map[string]string{"Origin": DefaultYTMusicBaseURL, "Cookie": "SOCS=CAI", "Accept": "application/json"}
	return postJSON(ctx, y.hc, y.cfg.BaseURL+"/youtubei/v1/search?alt=json", headers, payload)
}
