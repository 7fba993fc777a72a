package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/search/searchtest"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// staticSettings are fixed Spotify settings.
type staticSettings struct{ cfg settings.SpotifyConfig }

func (s *staticSettings) Spotify(context.Context) settings.SpotifyConfig { return s.cfg }

// spotifyWorld is a Spotify Web API stand-in holding a synthetic album, a
// search stand-in that knows its tracks, and a handler pointed at both.
type spotifyWorld struct {
	api      *spotifytest.Server
	search   *searchtest.Server
	settings *staticSettings
	album    spotify.Collection
	coverURL string
	h        *handlers.Spotify
}

// The synthetic album: "Neon Lights" is found by its ISRC, "Midnight
// Run" among YouTube Music songs, "Lost Signal" only as poor YouTube
// videos (a one-hour loop, a slowed edit): no confident match.
func newSpotifyWorld(t *testing.T) *spotifyWorld {
	t.Helper()
	return newSpotifyWorldWith(t, spotifytest.Options{NoFixtures: true}, nil)
}

// newSpotifyWorldWith is newSpotifyWorld on a stand-in with opts and,
// when acct is set, a connected account.
func newSpotifyWorldWith(t *testing.T, opts spotifytest.Options, acct handlers.SpotifyAccount) *spotifyWorld {
	t.Helper()
	w := &spotifyWorld{api: spotifytest.Start(t, opts),
		search: searchtest.Start(t, searchtest.Options{NoFixtures: true})}
	covers := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.ServeFile(rw, r, testmedia.Poster(t))
	}))
	t.Cleanup(covers.Close)
	w.coverURL = covers.URL + "/cover.jpg"
	w.album = w.api.AddAlbum(spotify.Collection{Name: "Night Drive", Owner: "Synthwave Test", CoverURL: w.coverURL,
		Tracks: []spotify.Track{
			{Name: "Neon Lights", Artists: []string{"Synthwave Test"}, DurationMs: 200000, ISRC: "QZTEST000001"},
			{Name: "Midnight Run", Artists: []string{"Synthwave Test", "Guest Singer"}, DurationMs: 185000, ISRC: "QZTEST000002"},
			{Name: "Lost Signal", Artists: []string{"Synthwave Test"}, DurationMs: 240000, ISRC: "QZTEST000003"},
		}}, "2024-05-01", "Test Records")
	registerSearches(w.search, func(name string) string { return "https://media.invalid/" + name })
	cfg := w.api.Config()
	w.settings = &staticSettings{cfg: settings.SpotifyConfig{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		APIBaseURL: cfg.BaseURL, TokenURL: cfg.TokenURL, EmbedBaseURL: w.api.URL, SearchBackend: "auto"}}
	w.h = handlers.NewSpotify(handlers.SpotifyConfig{Settings: w.settings, SearchBaseURL: w.search.URL, Account: acct})
	return w
}

// registerSearches answers the album's searches with candidates whose
// URLs mediaURL gives.
func registerSearches(s *searchtest.Server, mediaURL func(name string) string) {
	s.Register(searchtest.YTMusic, "QZTEST000001", []search.Candidate{{URL: mediaURL("neon"), Title: "Neon Lights",
		Artists: []string{"Synthwave Test"}, Album: "Night Drive", DurationSeconds: 200, Kind: search.KindSong, TopResult: true}})
	s.Register(searchtest.YTMusic, "Synthwave Test, Guest Singer - Midnight Run", []search.Candidate{{URL: mediaURL("midnight"),
		Title: "Midnight Run", Artists: []string{"Synthwave Test", "Guest Singer"}, Album: "Night Drive", DurationSeconds: 185,
		Kind: search.KindSong}})
	s.Register(searchtest.YouTube, "Synthwave Test - Lost Signal", []search.Candidate{
		{URL: mediaURL("loop"), Title: "Lost Signal (Live) 1 Hour Loop", Channel: "Loops Forever", DurationSeconds: 3600, Kind: search.KindVideo},
		{URL: mediaURL("slowed"), Title: "lost signal slowed + reverb", Channel: "Slowed Vibes", DurationSeconds: 290, Kind: search.KindVideo},
	})
}

// child returns the album's i-th track as Expand's child item.
func (w *spotifyWorld) child(t *testing.T, i int) downloads.Item {
	t.Helper()
	exp, err := w.h.Expand(context.Background(), w.item(spotify.OpenURL(spotify.KindAlbum, w.album.ID), "album"))
	if err != nil || exp.ListURL != "" {
		t.Fatalf("expand: %+v, %v", exp, err)
	}
	c := exp.Children[i]
	return downloads.Item{ID: uuid.New(), URL: c.URL, Platform: "spotify", Kind: c.Kind, Meta: c.Meta}
}

// noCredentials clears the app credentials until the test ends.
func (w *spotifyWorld) noCredentials(t *testing.T) {
	t.Helper()
	id, secret := w.settings.cfg.ClientID, w.settings.cfg.ClientSecret
	w.settings.cfg.ClientID, w.settings.cfg.ClientSecret = "", ""
	t.Cleanup(func() { w.settings.cfg.ClientID, w.settings.cfg.ClientSecret = id, secret })
}

func (w *spotifyWorld) item(url, kind string) downloads.Item {
	return downloads.Item{ID: uuid.New(), URL: url, Platform: "spotify", Kind: kind}
}

// metaOf decodes a row's meta.
type metaOf struct {
	Track          *spotify.Track      `json:"track"`
	Match          *downloads.Match    `json:"match"`
	MetadataSource string              `json:"metadata_source"`
	Warnings       []downloads.Warning `json:"warnings"`
}

func decode(t *testing.T, raw json.RawMessage) metaOf {
	t.Helper()
	var m metaOf
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("meta %s: %v", raw, err)
	}
	return m
}

// failureCode reads the code of a downloads.Failure ("code: message").
func failureCode(err error) string {
	if err == nil {
		return ""
	}
	code, _, _ := strings.Cut(err.Error(), ": ")
	return code
}
