package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify"
)

// SpotifySettings gives the admin's Spotify settings (credentials, API
// and token URLs, search backend), read at every use so a change applies
// without a restart.
type SpotifySettings interface {
	Spotify(ctx context.Context) settings.SpotifyConfig
}

// SpotifyConfig configures the Spotify handler.
type SpotifyConfig struct {
	Settings SpotifySettings
	// Policy gives the Spotify platform's upstream proxy (may be nil).
	Policy Policy
	// Egress carries search and cover-art requests (nil: direct, tests).
	// The Spotify Web API goes direct: its address is the admin's, not a
	// user's.
	Egress Egress
	// SearchBaseURL replaces https://music.youtube.com and
	// https://www.youtube.com for the innertube searches, and candidates'
	// watch URLs become SearchBaseURL/watch?v=ID (a local stand-in in
	// tests). Empty: the real services, with the yt-dlp ytsearch fallback.
	SearchBaseURL string
	// OEmbedURL replaces Spotify's public oEmbed endpoint (tests).
	OEmbedURL string
	// YtdlpPath and FFmpegPath: the fallback search and the tag writer.
	YtdlpPath, FFmpegPath string
	// Threshold is the least score (0-100) of an automatic match
	// (default match.DefaultThreshold).
	Threshold float64
	Logger    *slog.Logger
}

// Spotify downloads Spotify tracks as spotDL does: Spotify's metadata,
// the matching recording from YouTube Music / YouTube, Spotify's tags.
type Spotify struct {
	cfg SpotifyConfig
	log *slog.Logger

	mu        sync.Mutex
	client    *spotify.Client
	clientCfg settings.SpotifyConfig
}

var (
	_ downloads.PlatformHandler  = (*Spotify)(nil)
	_ downloads.Prober           = (*Spotify)(nil)
	_ downloads.FailureExplainer = (*Spotify)(nil)
)

// NewSpotify returns the Spotify handler.
func NewSpotify(cfg SpotifyConfig) *Spotify {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Spotify{cfg: cfg, log: log.With("source", "downloads", "platform", "spotify")}
}

// spotifyMeta is what a Spotify row keeps in its meta column; the API
// shows its match.
type spotifyMeta struct {
	Track *spotify.Track   `json:"track,omitempty"`
	Match *downloads.Match `json:"match,omitempty"`
	// MetadataSource is web_api, or oembed without credentials.
	MetadataSource string   `json:"metadata_source,omitempty"`
	Warnings       []string `json:"warnings,omitempty"`
}

func decodeMeta(raw json.RawMessage) spotifyMeta {
	var m spotifyMeta
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

func (m spotifyMeta) encode() json.RawMessage {
	b, _ := json.Marshal(m)
	return b
}

// clientFor returns a Web API client for the current settings; one is
// kept while the settings stay the same, so its token is reused.
func (h *Spotify) clientFor(ctx context.Context) *spotify.Client {
	cfg := h.cfg.Settings.Spotify(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.client == nil || h.clientCfg != cfg {
		h.client, h.clientCfg = h.newClient(cfg, false), cfg
	}
	return h.client
}

func (h *Spotify) newClient(cfg settings.SpotifyConfig, skipTrackDetails bool) *spotify.Client {
	return spotify.New(spotify.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		BaseURL: cfg.APIBaseURL, TokenURL: cfg.TokenURL, OEmbedURL: h.cfg.OEmbedURL,
		SkipAlbumTrackDetails: skipTrackDetails, Logger: h.log})
}

// Expand lists an album's or playlist's tracks: one child per track, with
// Spotify's metadata (the normalised track in the child's meta, so the
// child needs no further Web API call).
func (h *Spotify) Expand(ctx context.Context, it downloads.Item) (string, []downloads.Child, bool, error) {
	kind, id, err := spotify.ParseURL(it.URL)
	if err != nil {
		return "", nil, false, downloads.Failure("unsupported_url", "This is not a Spotify track, album or playlist link Downlink understands.")
	}
	c := h.clientFor(ctx)
	if kind == spotify.KindArtist {
		return "", nil, false, h.artistFailure(ctx, c, id)
	}
	if !c.HasCredentials() {
		return "", nil, false, downloads.Failure("spotify_api", msgNeedCredentials)
	}
	col, err := c.Resolve(ctx, it.URL)
	if err != nil {
		return "", nil, false, spotifyFailure(ctx, err)
	}
	if col.Skipped > 0 {
		h.log.InfoContext(ctx, "spotify entries left out", "download_id", it.ID, "skipped", col.Skipped)
	}
	children := make([]downloads.Child, 0, len(col.Tracks))
	for _, t := range col.Tracks {
		link := t.URL
		if link == "" {
			link = spotify.OpenURL(spotify.KindTrack, t.ID)
		}
		meta := spotifyMeta{Track: &t, MetadataSource: "web_api"}
		children = append(children, downloads.Child{URL: link, Title: t.Name, Uploader: strings.Join(t.Artists, ", "),
			Duration: float64(t.DurationMs) / 1000, ThumbnailURL: t.CoverURL, Kind: "track", Meta: meta.encode()})
	}
	return col.Name, children, true, nil
}

// artistFailure explains why an artist link cannot be downloaded, naming
// the artist when the Web API can.
func (h *Spotify) artistFailure(ctx context.Context, c *spotify.Client, id string) error {
	who := "This is a Spotify artist page"
	if c.HasCredentials() {
		if a, err := c.Artist(ctx, id); err == nil && a.Name != "" {
			who = "“" + a.Name + "” is a Spotify artist page"
		}
	}
	return downloads.Failure("unsupported_url", who+": artists can't be downloaded, because since Spotify's Web API change "+
		"of February 2026 apps can no longer list an artist's top tracks. Paste one of the artist's albums or a playlist instead.")
}
