package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

func TestSpotifyProbe(t *testing.T) {
	w := newSpotifyWorld(t)
	ctx := context.Background()
	artistID := spotifytest.ID("artist:Synthwave Test")
	w.api.AddArtist(artistID, "Synthwave Test")
	track := w.album.Tracks[0]
	cases := []struct {
		name, url, kind string
		check           func(t *testing.T, sp handlers.SpotifyProbe)
	}{
		{"track", "https://open.spotify.com/track/" + track.ID + "?si=x", "track", func(t *testing.T, sp handlers.SpotifyProbe) {
			if sp.Name != "Neon Lights" || sp.ISRC == nil || *sp.ISRC != "QZTEST000001" || *sp.Album != "Night Drive" ||
				*sp.ReleaseDate != "2024-05-01" || *sp.DurationSeconds != 200 || sp.TrackCount != nil || *sp.ImageURL != w.coverURL ||
				len(sp.Artists) != 1 || sp.MetadataSource != "web_api" {
				t.Errorf("%+v", sp)
			}
		}},
		{"album", "spotify:album:" + w.album.ID, "album", func(t *testing.T, sp handlers.SpotifyProbe) {
			if sp.Name != "Night Drive" || *sp.TrackCount != 3 || *sp.DurationSeconds != 625 || sp.ISRC != nil ||
				len(sp.Artists) != 1 || sp.Artists[0] != "Synthwave Test" {
				t.Errorf("%+v", sp)
			}
		}},
		{"artist", "https://open.spotify.com/artist/" + artistID, "artist", func(t *testing.T, sp handlers.SpotifyProbe) {
			if sp.Name != "Synthwave Test" || sp.Type != "artist" {
				t.Errorf("%+v", sp)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := w.h.Probe(ctx, tc.url, tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			sp, ok := res.Spotify.(handlers.SpotifyProbe)
			if !ok || res.Kind != tc.kind || sp.Type != tc.kind || res.Title == nil {
				t.Fatalf("probe %+v", res)
			}
			if (tc.kind == "artist") != (len(res.Warnings) == 1) {
				t.Errorf("warnings %v", res.Warnings)
			}
			tc.check(t, sp)
		})
	}
	t.Run("without credentials: the public pages", func(t *testing.T) {
		w.noCredentials(t)
		res, err := w.h.Probe(ctx, "spotify:track:"+track.ID, "track")
		if err != nil {
			t.Fatal(err)
		}
		sp := res.Spotify.(handlers.SpotifyProbe)
		if sp.MetadataSource != "embed" || sp.Name != "Neon Lights" || sp.ISRC != nil || len(sp.Artists) != 1 ||
			*sp.DurationSeconds != 200 || *sp.ImageURL != w.coverURL || len(res.Warnings) != 0 {
			t.Errorf("probe %+v, spotify %+v", res, sp)
		}
		res, err = w.h.Probe(ctx, "spotify:album:"+w.album.ID, "album")
		if err != nil {
			t.Fatal(err)
		}
		if sp := res.Spotify.(handlers.SpotifyProbe); sp.MetadataSource != "embed" || *sp.TrackCount != 3 || sp.Name != "Night Drive" {
			t.Errorf("album probe %+v", sp)
		}
		if _, err := w.h.Probe(ctx, "spotify:playlist:"+spotifytest.ID("private"), "playlist"); failureCode(err) != "unavailable" ||
			!strings.Contains(err.Error(), "connect your Spotify account") {
			t.Errorf("missing playlist: %v", err)
		}
	})
}
