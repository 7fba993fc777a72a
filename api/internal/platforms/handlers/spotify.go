package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// SpotifySettings gives the admin's Spotify settings (credentials, API,
// token and embed URLs, search backend), read at every use so a change
// applies without a restart.
type SpotifySettings interface {
	Spotify(ctx context.Context) settings.SpotifyConfig
}

// SpotifyAccount is the connected Spotify account (package
// spotify/account), through which playlists it owns or collaborates on
// are read.
type SpotifyAccount interface {
	spotify.TokenSource
	Connected(ctx context.Context) bool
}

// SpotifyConfig configures the Spotify handler.
type SpotifyConfig struct {
	Settings SpotifySettings
	// Account is the connected account (nil: none can be connected).
	Account SpotifyAccount
	// Policy gives the Spotify platform's upstream proxy (may be nil).
	Policy Policy
	// Egress carries the public embed pages, search and cover-art
	// requests (nil: direct, tests).
	Egress Egress
	// WebAPI carries the Web API and accounts service requests (their
	// addresses are settings): a client through the egress guard
	// (netguard.NewClient); nil: direct (unit tests).
	WebAPI *http.Client
	// SearchBaseURL replaces https://music.youtube.com and
	// https://www.youtube.com for the innertube searches, and candidates'
	// watch URLs become SearchBaseURL/watch?v=ID (a local stand-in in
	// tests). Empty: the real services, with the yt-dlp ytsearch fallback.
	SearchBaseURL string
	// YtdlpPath and FFmpegPath: the fallback search and the tag writer,
	// started through Proc (nil: proc's defaults).
	YtdlpPath, FFmpegPath string
	Proc                  *proc.Runner
	// Threshold is the least score (0-100) of an automatic match
	// (default match.DefaultThreshold).
	Threshold float64
	Logger    *slog.Logger
}

// Spotify downloads Spotify tracks as spotDL does: Spotify's metadata,
// the matching recording from YouTube Music / YouTube, Spotify's tags.
// The metadata comes from the public embed pages with no setup, is
// completed through the Web API when app credentials are set, and private
// playlists read through a connected account.
type Spotify struct {
	downloads.HandlerDefaults
	cfg SpotifyConfig
	log *slog.Logger

	mu        sync.Mutex
	client    *spotify.Client
	clientKey clientKey
}

// clientKey is what a cached Web API client was built for.
type clientKey struct {
	settings  settings.SpotifyConfig
	connected bool
}

var (
	_ downloads.PlatformHandler = (*Spotify)(nil)
	_ downloads.Prober          = (*Spotify)(nil)
)

// NewSpotify returns the Spotify handler.
func NewSpotify(cfg SpotifyConfig) *Spotify {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Spotify{cfg: cfg, log: log.With("source", "downloads", "platform", "spotify")}
}

// Prepare makes every Spotify item audio: matched on YouTube, downloaded
// as audio and tagged.
func (h *Spotify) Prepare(o *ytdlp.Options, _ downloads.PlatformPolicy) ytdlp.Constraints {
	o.Preset = ytdlp.PresetAudio
	if o.AudioFormat == "" {
		o.AudioFormat = ytdlp.AudioMP3
	}
	return ytdlp.Constraints{}
}

// Tune lets yt-dlp use its generic extractor when the installation allows
// other sites: a person may pick a source that is not on YouTube.
func (h *Spotify) Tune(st *ytdlp.Settings, pol downloads.PlatformPolicy) {
	st.AllowGeneric = pol.GenericEnabled
}

// spotifyMeta is what a Spotify row keeps in its meta column; the API
// shows its match.
type spotifyMeta struct {
	Track *spotify.Track   `json:"track,omitempty"`
	Match *downloads.Match `json:"match,omitempty"`
	// MetadataSource is web_api, or embed (the public embed page) until
	// the Web API completed the track.
	MetadataSource string `json:"metadata_source,omitempty"`
	// Warnings go onto the row with every Source.
	Warnings []downloads.Warning `json:"warnings,omitempty"`
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

// clientFor returns a Web API client for the current settings (and
// account); one is kept while they stay the same, so its token is reused.
func (h *Spotify) clientFor(ctx context.Context) *spotify.Client {
	key := clientKey{settings: h.cfg.Settings.Spotify(ctx), connected: h.cfg.Account != nil && h.cfg.Account.Connected(ctx)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.client == nil || h.clientKey != key {
		h.client, h.clientKey = h.newClient(key, false), key
	}
	return h.client
}

func (h *Spotify) newClient(key clientKey, skipTrackDetails bool) *spotify.Client {
	cfg := spotify.Config{ClientID: key.settings.ClientID, ClientSecret: key.settings.ClientSecret,
		BaseURL: key.settings.APIBaseURL, TokenURL: key.settings.TokenURL,
		SkipAlbumTrackDetails: skipTrackDetails, Logger: h.log, HTTPClient: h.cfg.WebAPI}
	if key.connected {
		cfg.Account = h.cfg.Account
	}
	return spotify.New(cfg)
}

// Expand lists an album's or playlist's tracks: one child per track, in
// order, with Spotify's metadata in the child's meta (so a child needs at
// most one more request, the Web API's full track). The parent's warnings
// say what the listing lacks (a playlist cut at the embed page's 100
// tracks, the app owner's lapsed Premium).
func (h *Spotify) Expand(ctx context.Context, it downloads.Item) (downloads.Expansion, error) {
	kind, id, err := spotify.ParseURL(it.URL)
	if err != nil {
		return downloads.Expansion{}, downloads.Failure("unsupported_url", "This is not a Spotify track, album or playlist link Downlink understands.")
	}
	if kind == spotify.KindArtist {
		return downloads.Expansion{}, h.artistFailure(ctx, h.clientFor(ctx), id)
	}
	col, warnings, err := h.read(ctx, it.ID.String(), kind, id, false)
	if err != nil {
		return downloads.Expansion{}, err
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
		meta := spotifyMeta{Track: &t, MetadataSource: col.Source}
		children = append(children, downloads.Child{URL: link, Title: t.Name, Uploader: strings.Join(t.Artists, ", "),
			Duration: float64(t.DurationMs) / 1000, ThumbnailURL: t.CoverURL, Kind: "track", Meta: meta.encode()})
	}
	return downloads.Expansion{Title: col.Name, Children: children, Warnings: warnings, OldestFirst: kind == spotify.KindPlaylist}, nil
}

// artistFailure explains why an artist link cannot be downloaded, naming
// the artist when the Web API can.
func (h *Spotify) artistFailure(ctx context.Context, c *spotify.Client, id string) error {
	who := "This is a Spotify artist page"
	if c.CanUseAPI() {
		if a, err := c.Artist(ctx, id); err == nil && a.Name != "" {
			who = "“" + a.Name + "” is a Spotify artist page"
		}
	}
	return downloads.Failure("unsupported_url", who+": artists can't be downloaded, because since Spotify's Web API change "+
		"of February 2026 apps can no longer list an artist's top tracks. Paste one of the artist's albums or a playlist instead.")
}
