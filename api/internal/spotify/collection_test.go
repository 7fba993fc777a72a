package spotify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

func names(ts []spotify.Track) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func TestPlaylistShapes(t *testing.T) {
	shapes := []struct {
		name      string
		shape     spotifytest.PlaylistShape
		wantPaths []string
	}{
		{"2026 transitional", spotifytest.ShapeTransitional, []string{"/items"}},
		{"items only", spotifytest.ShapeItemsOnly, []string{"/items"}},
		{"legacy falls back to /tracks", spotifytest.ShapeLegacy, []string{"/items", "/tracks"}},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			c, srv, _ := newClient(t, spotifytest.Options{Shape: sh.shape})
			col, err := c.Playlist(context.Background(), "5LkNhFidYyyjRWwnkcMbQs")
			if err != nil {
				t.Fatal(err)
			}
			// spotDL keeps 9 of 10: entry 0 is unavailable (empty name, duration 0).
			if len(col.Tracks) != 9 || col.Skipped != 1 {
				t.Fatalf("tracks = %d, skipped = %d; want 9, 1", len(col.Tracks), col.Skipped)
			}
			if col.Name != "Top 10 NCS Songs Episode 2" || col.Owner != "Teejay.limm" || col.Kind != spotify.KindPlaylist {
				t.Errorf("collection = %q by %q (%s)", col.Name, col.Owner, col.Kind)
			}
			for _, tr := range col.Tracks {
				if tr.ISRC == "" || tr.DurationMs == 0 || len(tr.Artists) == 0 || tr.Album == "" {
					t.Errorf("incomplete track %+v", tr)
				}
			}
			for _, p := range sh.wantPaths {
				if srv.CountRequests("GET /v1/playlists/5LkNhFidYyyjRWwnkcMbQs"+p) != 1 {
					t.Errorf("no request to %s: %v", p, srv.Requests())
				}
			}
		})
	}
}

func TestPlaylistFixtures(t *testing.T) {
	c, _, _ := newClient(t, spotifytest.Options{})
	tests := []struct {
		id          string
		wantNames   string
		wantSkipped int
		wantISRC    string
	}{
		// 2026 shape with both "track" and "item" on each entry.
		{"1Cp6VQCKf2VL4sP09jN9oX", "All I Need", 0, "GBCFB2300770"},
		// Two podcast episodes among the entries are skipped.
		{"23Ay9WfURne0LvtlCvYTkj", "Typhoons|Beauty", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			col, err := c.Playlist(context.Background(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(names(col.Tracks), "|"); got != tt.wantNames || col.Skipped != tt.wantSkipped {
				t.Fatalf("tracks = %q skipped %d; want %q skipped %d", got, col.Skipped, tt.wantNames, tt.wantSkipped)
			}
			if tt.wantISRC != "" && col.Tracks[0].ISRC != tt.wantISRC {
				t.Errorf("ISRC = %q", col.Tracks[0].ISRC)
			}
		})
	}
}

func TestPlaylistPaging(t *testing.T) {
	c, srv, _ := newClient(t, spotifytest.Options{})
	var tracks []spotify.Track
	for i := range 120 {
		tracks = append(tracks, spotify.Track{Name: fmt.Sprintf("Song %03d", i), Artists: []string{"Band"},
			Album: "LP", AlbumArtist: "Band", DurationMs: 180000 + i, ISRC: fmt.Sprintf("QZ0002600%03d", i)})
	}
	pl := srv.AddPlaylist(spotify.Collection{Name: "Long", Owner: "me", Tracks: tracks})
	col, err := c.Playlist(context.Background(), pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(col.Tracks) != 120 || col.Tracks[119].Name != "Song 119" || col.Tracks[50].Name != "Song 050" {
		t.Fatalf("got %d tracks: %v…", len(col.Tracks), names(col.Tracks)[:3])
	}
	if n := srv.CountRequests("GET /v1/playlists/" + pl.ID + "/items"); n != 3 {
		t.Errorf("/items pages = %d, want 3 (50+50+20)", n)
	}
}

func TestAlbum(t *testing.T) {
	t.Run("fixture, paged by 5", func(t *testing.T) {
		c, srv, _ := newClient(t, spotifytest.Options{MaxLimit: 5})
		col, err := c.Album(context.Background(), "0sNOF9WDwhWunNAHPD3Baj")
		if err != nil {
			t.Fatal(err)
		}
		if len(col.Tracks) != 13 || col.Name != "She's So Unusual" || col.Owner != "Cyndi Lauper" {
			t.Fatalf("album %q by %q with %d tracks", col.Name, col.Owner, len(col.Tracks))
		}
		first := col.Tracks[0]
		if first.Name != "Money Changes Everything" || first.TrackNumber != 1 || first.TrackTotal != 13 ||
			first.ReleaseDate != "1983" || first.AlbumArtist != "Cyndi Lauper" || first.DiscTotal != 1 || first.CoverURL == "" {
			t.Errorf("first track = %+v", first)
		}
		if n := srv.CountRequests("GET /v1/albums/0sNOF9WDwhWunNAHPD3Baj/tracks"); n != 2 {
			t.Errorf("album track pages fetched = %d, want 2 (5 embedded + 5 + 3)", n)
		}
	})
	t.Run("2026 fixture", func(t *testing.T) {
		c, _, _ := newClient(t, spotifytest.Options{})
		col, err := c.Album(context.Background(), "3IqzqH6ShrRtie9Yd2ODyG")
		if err != nil {
			t.Fatal(err)
		}
		if len(col.Tracks) != 11 || col.Name != "SINGLARITY" || col.Tracks[0].Album != "SINGLARITY" {
			t.Fatalf("got %q with %d tracks", col.Name, len(col.Tracks))
		}
	})
	t.Run("synthetic, full track details", func(t *testing.T) {
		c, srv, _ := newClient(t, spotifytest.Options{NoFixtures: true})
		al := srv.AddAlbum(spotify.Collection{Name: "Synthetic LP", Owner: "Test Band", CoverURL: "http://127.0.0.1/cover.png",
			Tracks: []spotify.Track{
				{Name: "One", Artists: []string{"Test Band"}, DurationMs: 61000, ISRC: "QZ0002600001"},
				{Name: "Two", Artists: []string{"Test Band", "Guest"}, DurationMs: 62000, ISRC: "QZ0002600002", DiscNumber: 2},
			}}, "2026-01-02", "Test Label")
		col, err := c.Album(context.Background(), al.ID)
		if err != nil {
			t.Fatal(err)
		}
		two := col.Tracks[1]
		if two.ISRC != "QZ0002600002" || two.DiscNumber != 2 || two.DiscTotal != 2 || two.TrackNumber != 2 ||
			two.Label != "Test Label" || two.ReleaseDate != "2026-01-02" || two.CoverURL != "http://127.0.0.1/cover.png" {
			t.Errorf("track two = %+v", two)
		}
		if n := srv.CountRequests("GET /v1/tracks/"); n != 2 {
			t.Errorf("track detail requests = %d, want 2", n)
		}
	})
}

func TestResolve(t *testing.T) {
	c, srv, _ := newClient(t, spotifytest.Options{})
	ctx := context.Background()
	t.Run("track", func(t *testing.T) {
		col, err := c.Resolve(ctx, "https://open.spotify.com/intl-de/track/1t2qKa8K72IBC8yQlhD9bU?si=x")
		if err != nil || col.Kind != spotify.KindTrack || len(col.Tracks) != 1 || col.Source != spotify.SourceWebAPI {
			t.Fatalf("Resolve = %+v, %v", col, err)
		}
	})
	t.Run("album", func(t *testing.T) {
		col, err := c.Resolve(ctx, "spotify:album:0cgpcZCPvGGXOCpXVqPrvJ")
		if err != nil || col.Kind != spotify.KindAlbum || col.Tracks[0].Label != "NCS" || col.Tracks[0].Name != "Ropes" {
			t.Fatalf("Resolve = %+v, %v", col, err)
		}
	})
	t.Run("artist refused", func(t *testing.T) {
		_, err := c.Resolve(ctx, "https://open.spotify.com/artist/0TnOYISbd1XYRBk9myaseg")
		if !errors.Is(err, spotify.ErrArtistUnsupported) || !strings.Contains(err.Error(), "Pitbull") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("without credentials the Web API is not called", func(t *testing.T) {
		cfg := srv.Config()
		cfg.ClientID, cfg.ClientSecret = "", ""
		anon := spotify.New(cfg)
		before := len(srv.Requests())
		for _, link := range []string{"https://open.spotify.com/track/1t2qKa8K72IBC8yQlhD9bU", "spotify:album:0cgpcZCPvGGXOCpXVqPrvJ"} {
			if _, err := anon.Resolve(ctx, link); !errors.Is(err, spotify.ErrCredentialsRequired) {
				t.Errorf("%s: %v, want ErrCredentialsRequired (the embed pages are the way)", link, err)
			}
		}
		if n := len(srv.Requests()) - before; n != 0 {
			t.Errorf("%d requests without credentials", n)
		}
	})
}
