package spotify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

// TestParseEmbedRecordings parses every recorded embed page (June 2026)
// as the real site serves it: the JSON inside the page's __NEXT_DATA__
// script.
func TestParseEmbedRecordings(t *testing.T) {
	recs := spotifytest.EmbedRecordings()
	type trackWant struct {
		index    int
		id, name string
		artists  []string
		ms       int
		explicit bool
	}
	cases := []struct {
		key, name, owner string
		kind             spotify.Kind
		n                int
		cover            string
		tracks           []trackWant
		check            func(t *testing.T, col *spotify.Collection)
	}{
		{key: "playlist/" + spotifytest.RecordedPlaylistID, kind: spotify.KindPlaylist, n: 50, name: "Today’s Top Hits", owner: "Spotify",
			cover: "https://image-cdn-ak.spotifycdn.com/image/ab67706f000000038c9dc68bd893f9232ac4ec29", // visualIdentity 640, over coverArt
			tracks: []trackWant{
				{0, "20jbSiX29FDX4oQxBXyUEi", "hate that i made you love me", []string{"Ariana Grande"}, 197949, false},
				{2, "5yvVYFDUpbnjcnRBgjwTzM", "Dracula - JENNIE Remix", []string{"Tame Impala", "JENNIE"}, 0, true},
				{35, "1CPZ5BxNNd0n0nF4Orb9JS", "Golden", []string{"HUNTR/X", "EJAE", "AUDREY NUNA", "REI AMI", "KPop Demon Hunters Cast"}, 0, false},
				{49, "36OpC3NK7kQzcOo8qiCHaA", "The Visitor", []string{"SIENNA SPIRO"}, 228908, false},
			}},
		{key: "album/4aawyAB9vmqN3uQ7FjRGTy", kind: spotify.KindAlbum, n: 18, name: "Global Warming", owner: "Pitbull",
			cover: "https://image-cdn-fa.spotifycdn.com/image/ab67616d0000b2732c5b24ecfa39523a75c993c4",
			tracks: []trackWant{
				{0, "6OmhkSOpvYBokMKQxpIGx2", "Global Warming (feat. Sensato)", []string{"Pitbull", "Sensato"}, 85400, true},
				{17, "", "International Love (feat. Chris Brown) - Jump Smokers Extended Mix", []string{"Pitbull", "Chris Brown", "Jump Smokers"}, 309626, false},
			},
			check: func(t *testing.T, col *spotify.Collection) {
				for i, tr := range col.Tracks {
					if tr.Album != "Global Warming" || tr.AlbumArtist != "Pitbull" || tr.TrackNumber != i+1 || tr.TrackTotal != 18 ||
						tr.CoverURL != col.CoverURL {
						t.Errorf("album track %d: %+v", i, tr)
					}
				}
			}},
		{key: "album/6N9PS4QXF1D0OWPk0Sxtb4", kind: spotify.KindAlbum, n: 10, name: "Whenever You Need Somebody", owner: "Rick Astley",
			cover: "https://image-cdn-fa.spotifycdn.com/image/ab67616d0000b273255e131abc1410833be95673",
			tracks: []trackWant{
				{0, "4uLU6hMCjMI75M1A2tKUQC", "Never Gonna Give You Up", []string{"Rick Astley"}, 213573, false},
				{9, "", "When I Fall in Love", []string{"Rick Astley"}, 183026, false},
			}},
		{key: "track/4uLU6hMCjMI75M1A2tKUQC", kind: spotify.KindTrack, n: 1, name: "Never Gonna Give You Up", owner: "Rick Astley",
			cover:  "https://image-cdn-ak.spotifycdn.com/image/ab67616d0000b27315ebbedaacef61af244262a8",
			tracks: []trackWant{{0, "4uLU6hMCjMI75M1A2tKUQC", "Never Gonna Give You Up", []string{"Rick Astley"}, 213573, false}},
			check: func(t *testing.T, col *spotify.Collection) {
				if tr := col.Tracks[0]; tr.ReleaseDate != "1987-11-12" || tr.CoverURL != col.CoverURL {
					t.Errorf("track page: %+v", tr)
				}
			}},
	}
	if len(recs) != len(cases) {
		t.Fatalf("%d recordings, %d cases: every recording is parsed", len(recs), len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			data, ok := recs[tc.key]
			if !ok {
				t.Fatalf("no recording %s", tc.key)
			}
			col, err := spotify.ParseEmbedPage(spotifytest.EmbedPage(data), tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			if col.Kind != tc.kind || col.ID != strings.Split(tc.key, "/")[1] || col.Name != tc.name || col.Owner != tc.owner ||
				col.CoverURL != tc.cover || col.Source != spotify.SourceEmbed || col.Truncated || col.Skipped != 0 {
				t.Errorf("collection %s %s %q by %q, cover %s, source %s, truncated %v, skipped %d", col.Kind, col.ID, col.Name,
					col.Owner, col.CoverURL, col.Source, col.Truncated, col.Skipped)
			}
			if len(col.Tracks) != tc.n {
				t.Fatalf("%d tracks, want %d", len(col.Tracks), tc.n)
			}
			for _, w := range tc.tracks {
				got := col.Tracks[w.index]
				if (w.id != "" && got.ID != w.id) || got.Name != w.name || strings.Join(got.Artists, "|") != strings.Join(w.artists, "|") ||
					(w.ms != 0 && got.DurationMs != w.ms) || got.Explicit != w.explicit || got.ISRC != "" ||
					got.URL != spotify.OpenURL(spotify.KindTrack, got.ID) {
					t.Errorf("track %d = %+v, want %+v", w.index, got, w)
				}
			}
			for i, tr := range col.Tracks {
				if tr.DurationMs <= 0 || len(tr.Artists) == 0 {
					t.Errorf("track %d has no duration or artists: %+v", i, tr)
				}
				for _, a := range tr.Artists {
					if strings.ContainsAny(a, "\u00a0,") || strings.TrimSpace(a) != a {
						t.Errorf("track %d: artist %q keeps the joiner", i, a)
					}
				}
			}
			if tc.check != nil {
				tc.check(t, col)
			}
		})
	}
}

func TestParseEmbedShapeChanged(t *testing.T) {
	album := string(spotifytest.EmbedRecordings()["album/6N9PS4QXF1D0OWPk0Sxtb4"])
	cases := []struct {
		name, page string
		kind       spotify.Kind
	}{
		{"no __NEXT_DATA__", "<html><body>Spotify</body></html>", spotify.KindAlbum},
		{"not JSON", `<script id="__NEXT_DATA__" type="application/json">{"props":</script>`, spotify.KindAlbum},
		{"no entity", string(spotifytest.EmbedPage([]byte(`{"props":{"pageProps":{"state":{"data":{}}}}}`))), spotify.KindAlbum},
		{"another kind", string(spotifytest.EmbedPage([]byte(album))), spotify.KindPlaylist},
		{"no trackList", string(spotifytest.EmbedPage([]byte(strings.Replace(album, `"trackList"`, `"tracks"`, 1)))), spotify.KindAlbum},
		{"entries renamed", string(spotifytest.EmbedPage([]byte(strings.NewReplacer(`"title"`, `"name"`, `"entityType"`, `"kind"`).Replace(album)))), spotify.KindAlbum},
		{"track page without duration", string(spotifytest.EmbedPage([]byte(`{"props":{"pageProps":{"state":{"data":{"entity":{"type":"track","id":"4uLU6hMCjMI75M1A2tKUQC","name":"x"}}}}}}`))), spotify.KindTrack},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			col, err := spotify.ParseEmbedPage([]byte(tc.page), tc.kind)
			if !errors.Is(err, spotify.ErrEmbedChanged) {
				t.Fatalf("got %+v, %v; want ErrEmbedChanged", col, err)
			}
		})
	}
}

func TestEmbedReader(t *testing.T) {
	srv := spotifytest.Start(t, spotifytest.Options{NoFixtures: true})
	e := spotify.NewEmbed(spotify.EmbedConfig{BaseURL: srv.URL})
	ctx := context.Background()

	col, err := e.Resolve(ctx, "https://open.spotify.com/playlist/"+spotifytest.RecordedPlaylistID+"?si=abc")
	if err != nil || len(col.Tracks) != 50 || col.Tracks[0].Name != "hate that i made you love me" {
		t.Fatalf("recorded playlist: %v", err)
	}
	if srv.CountRequests("GET /embed/playlist/"+spotifytest.RecordedPlaylistID) != 1 || srv.CountRequests("POST /api/token") != 0 {
		t.Errorf("requests %v", srv.Requests())
	}

	// A synthetic album reads the same through its page as through the API.
	al := srv.AddAlbum(spotify.Collection{Name: "Night Drive", Owner: "Synthwave Test", CoverURL: "http://127.0.0.1/c.jpg",
		Tracks: []spotify.Track{
			{Name: "Neon Lights", Artists: []string{"Synthwave Test"}, DurationMs: 200000, ISRC: "QZTEST000001", Explicit: true},
			{Name: "Midnight Run", Artists: []string{"Synthwave Test", "Tyler, The Creator"}, DurationMs: 185000},
		}}, "2024-05-01", "Test Records")
	col, err = e.Collection(ctx, spotify.KindAlbum, al.ID)
	if err != nil || len(col.Tracks) != 2 {
		t.Fatalf("synthetic album: %+v %v", col, err)
	}
	if mr := col.Tracks[1]; strings.Join(mr.Artists, "|") != "Synthwave Test|Tyler, The Creator" || mr.DurationMs != 185000 ||
		mr.TrackNumber != 2 || mr.Album != "Night Drive" || !col.Tracks[0].Explicit || col.CoverURL != "http://127.0.0.1/c.jpg" {
		t.Errorf("album tracks %+v", col.Tracks)
	}

	missing := spotifytest.ID("no such playlist")
	if _, err := e.Collection(ctx, spotify.KindPlaylist, missing); !errors.Is(err, spotify.ErrNotFound) {
		t.Errorf("missing playlist: %v", err)
	}
	if _, err := e.Resolve(ctx, "https://open.spotify.com/artist/0TnOYISbd1XYRBk9myaseg"); !errors.Is(err, spotify.ErrArtistUnsupported) {
		t.Errorf("artist: %v", err)
	}
	srv.ChangeEmbedShape(true)
	_, err = e.Collection(ctx, spotify.KindAlbum, al.ID)
	if !errors.Is(err, spotify.ErrEmbedChanged) || !strings.Contains(err.Error(), "trackList") {
		t.Errorf("changed page: %v", err)
	}
}
