package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

func TestSpotifyExpandAlbumAndPlaylist(t *testing.T) {
	w := newSpotifyWorld(t)
	pl := w.api.AddPlaylist(spotify.Collection{Name: "Road Trip", Owner: "someone", Tracks: []spotify.Track{
		{Name: "Neon Lights", Artists: []string{"Synthwave Test"}, Album: "Night Drive", DurationMs: 200000, ISRC: "QZTEST000001"},
	}})
	links := []struct {
		name, url, title string
		n                int
	}{
		{"album link", spotify.OpenURL(spotify.KindAlbum, w.album.ID), "Night Drive", 3},
		{"album URI", "spotify:album:" + w.album.ID, "Night Drive", 3},
		{"intl playlist link with tracking", "https://open.spotify.com/intl-de/playlist/" + pl.ID + "?si=abc", "Road Trip", 1},
	}
	for _, tt := range links {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := w.h.Expand(context.Background(), w.item(tt.url, "album"))
			if err != nil || exp.ListURL != "" {
				t.Fatalf("Expand: %+v err=%v", exp, err)
			}
			title, children := exp.Title, exp.Children
			if title != tt.title || len(children) != tt.n {
				t.Fatalf("title %q with %d children, want %q with %d", title, len(children), tt.title, tt.n)
			}
			c := children[0]
			if c.Kind != "track" || c.Title != "Neon Lights" || c.Uploader != "Synthwave Test" || c.Duration != 200 ||
				!strings.HasPrefix(c.URL, "https://open.spotify.com/track/") {
				t.Errorf("child %+v", c)
			}
			m := decode(t, c.Meta)
			if m.Track == nil || m.Track.ISRC != "QZTEST000001" || m.Track.Album != "Night Drive" || m.MetadataSource != "web_api" {
				t.Errorf("child meta %s", c.Meta)
			}
		})
	}
	t.Run("album children carry numbers, artists and cover", func(t *testing.T) {
		exp, _ := w.h.Expand(context.Background(), w.item(spotify.OpenURL(spotify.KindAlbum, w.album.ID), "album"))
		children := exp.Children
		m := decode(t, children[1].Meta)
		if children[1].Uploader != "Synthwave Test, Guest Singer" || children[1].ThumbnailURL != w.coverURL ||
			m.Track.TrackNumber != 2 || m.Track.TrackTotal != 3 || m.Track.ReleaseDate != "2024-05-01" {
			t.Errorf("child %+v meta %s", children[1], children[1].Meta)
		}
	})
}

func TestSpotifyExpandRefusals(t *testing.T) {
	w := newSpotifyWorld(t)
	artistID := spotifytest.ID("artist:Synthwave Test")
	w.api.AddArtist(artistID, "Synthwave Test")
	_, err := w.h.Expand(context.Background(), w.item("https://open.spotify.com/artist/"+artistID, "artist"))
	if failureCode(err) != "unsupported_url" || !strings.Contains(err.Error(), "“Synthwave Test”") ||
		!strings.Contains(err.Error(), "2026") {
		t.Errorf("artist: %v", err)
	}
	// Wrong credentials and unknown albums say so.
	w.settings.cfg.ClientID, w.settings.cfg.ClientSecret = "test-client-id", "wrong"
	_, err = w.h.Expand(context.Background(), w.item(spotify.OpenURL(spotify.KindAlbum, w.album.ID), "album"))
	if failureCode(err) != "spotify_api" || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("wrong secret: %v", err)
	}
	w.settings.cfg.ClientSecret = "test-client-secret"
	_, err = w.h.Expand(context.Background(), w.item(spotify.OpenURL(spotify.KindAlbum, spotifytest.ID("nope")), "album"))
	if failureCode(err) != "unavailable" {
		t.Errorf("unknown album: %v", err)
	}
}

func TestSpotifySourceMatches(t *testing.T) {
	w := newSpotifyWorld(t)
	ctx := context.Background()
	for i, want := range []struct{ stage, firstSource string }{{"isrc", "isrc"}, {"songs", "youtube_music"}} {
		t.Run(want.stage, func(t *testing.T) {
			src, err := w.h.Source(ctx, w.child(t, i))
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, src.Meta)
			if m.Match == nil || m.Match.ChosenURL == nil || *m.Match.ChosenURL != src.URL || m.Match.Manual {
				t.Fatalf("match %+v for source %q", m.Match, src.URL)
			}
			if !strings.HasPrefix(src.URL, w.search.URL+"/watch?v=") {
				t.Errorf("source URL %q is not the stand-in's watch page", src.URL)
			}
			if m.Match.Threshold != 0.65 || *m.Match.Score < 0.65 || *m.Match.Score > 1 || m.Match.Candidates[0].Source != want.firstSource {
				t.Errorf("match %+v, first candidate %+v", m.Match, m.Match.Candidates[0])
			}
			if src.Title != m.Track.Name || src.ThumbnailURL != w.coverURL || src.Duration != float64(m.Track.DurationMs)/1000 {
				t.Errorf("source metadata %+v", src)
			}
		})
	}
	t.Run("no confident match", func(t *testing.T) {
		_, err := w.h.Source(ctx, w.child(t, 2))
		var nm *downloads.NeedsMatch
		if !errors.As(err, &nm) {
			t.Fatalf("want NeedsMatch, got %v", err)
		}
		m := decode(t, nm.Meta)
		if m.Track == nil || m.Track.Name != "Lost Signal" || m.Match == nil || m.Match.ChosenURL != nil || len(m.Match.Candidates) != 2 {
			t.Fatalf("needs-match meta %s", nm.Meta)
		}
		for _, c := range m.Match.Candidates {
			if c.Score < 0 || c.Score >= m.Match.Threshold || c.Source != "youtube" || c.Uploader == nil || c.DurationSeconds == nil {
				t.Errorf("candidate %+v (threshold %v)", c, m.Match.Threshold)
			}
		}
		if !strings.Contains(nm.Message, "“Lost Signal” by Synthwave Test") {
			t.Errorf("message %q", nm.Message)
		}
	})
	t.Run("a person's choice is downloaded without searching", func(t *testing.T) {
		it := w.child(t, 2)
		chosen := "https://music.youtube.com/watch?v=abcdefghijk"
		it.Meta = []byte(`{"track":` + string(mustJSON(t, decode(t, it.Meta).Track)) +
			`,"match":{"threshold":0.65,"candidates":[],"chosen_url":"` + chosen + `","manual":true,"score":null}}`)
		before := len(w.search.Queries())
		src, err := w.h.Source(ctx, it)
		if err != nil || src.URL != chosen || src.Title != "Lost Signal" {
			t.Fatalf("source %+v, %v", src, err)
		}
		if n := len(w.search.Queries()); n != before {
			t.Errorf("%d searches ran for a chosen source", n-before)
		}
	})
	t.Run("search down", func(t *testing.T) {
		w.search.FailNext(10) // every search of this (last) subtest
		_, err := w.h.Source(ctx, w.child(t, 1))
		if failureCode(err) != "network" {
			t.Errorf("want a network failure, got %v", err)
		}
	})
}

func TestSpotifySingleTrack(t *testing.T) {
	w := newSpotifyWorld(t)
	ctx := context.Background()
	link := "spotify:track:" + w.album.Tracks[0].ID
	t.Run("web api", func(t *testing.T) {
		src, err := w.h.Source(ctx, w.item(link, "track"))
		if err != nil {
			t.Fatal(err)
		}
		m := decode(t, src.Meta)
		if m.MetadataSource != "web_api" || m.Track.ISRC != "QZTEST000001" || m.Track.Album != "Night Drive" || len(m.Warnings) != 0 {
			t.Errorf("meta %s", src.Meta)
		}
	})
	t.Run("without credentials: the public track page", func(t *testing.T) {
		w.noCredentials(t)
		src, err := w.h.Source(ctx, w.item(link, "track"))
		raw := src.Meta // matched, or waiting for a person: the meta says the same
		var nm *downloads.NeedsMatch
		if errors.As(err, &nm) {
			raw = nm.Meta
		} else if err != nil {
			t.Fatal(err)
		}
		m := decode(t, raw)
		if m.MetadataSource != "embed" || m.Track.Name != "Neon Lights" || strings.Join(m.Track.Artists, "|") != "Synthwave Test" ||
			m.Track.DurationMs != 200000 || m.Track.ISRC != "" || m.Track.CoverURL != w.coverURL || m.Track.ReleaseDate != "2024-05-01" ||
			len(m.Warnings) != 0 {
			t.Errorf("meta %s", raw)
		}
		if !slices.Contains(w.search.Queries(), "WEB_REMIX: Synthwave Test - Neon Lights") {
			t.Errorf("artists and title were not searched: %v", w.search.Queries())
		}
	})
}

func TestSpotifyExplainsYouTubeWalls(t *testing.T) {
	h := newSpotifyWorld(t).h
	cases := []struct {
		err        error
		code, says string
	}{
		{&ytdlp.ExitError{Reason: ytdlp.ReasonBotCheck}, "bot_check", "Settings → Platforms → Spotify → Cookies"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonLoginRequired}, "login_required", "Settings → Platforms → Spotify → Cookies"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonUnavailable}, "", ""},
		{errors.New("other"), "", ""},
	}
	for _, tc := range cases {
		got := h.ExplainFailure(tc.err)
		if failureCode(got) != tc.code || (got != nil && !strings.Contains(got.Error(), tc.says)) {
			t.Errorf("%v: reworded to %v", tc.err, got)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
