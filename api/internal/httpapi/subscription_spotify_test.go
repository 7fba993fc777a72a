package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/search/searchtest"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestSubscriptionSpotifyPlaylist: a subscription to a public Spotify
// playlist (read from its embed page, as a one-off submission of it is;
// no credentials) that gains tracks between checks. A playlist lists
// its oldest track first and grows at the end, so the first check's
// "newest 2" are its last two tracks; the next check queues exactly the
// two tracks added since, and they download as matched, tagged audio
// like any Spotify track. A Spotify artist, which cannot be listed, is
// refused when subscribing.
func TestSubscriptionSpotifyPlaylist(t *testing.T) {
	t.Parallel()
	media := testmedia.NewServer(t)
	api := spotifytest.Start(t, spotifytest.Options{NoFixtures: true, DevMode: true})
	st := searchtest.Start(t, searchtest.Options{NoFixtures: true})
	var tracks []spotify.Track
	for i := 1; i <= 6; i++ {
		name := fmt.Sprintf("Song %d", i)
		file := fmt.Sprintf("/song%d.m4a", i)
		media.AddFile(file, testmedia.GenerateAudio(t, testmedia.AudioSpec{Seconds: 2, Title: "YouTube upload"}))
		tracks = append(tracks, spotify.Track{Name: name, Artists: []string{"Sub Test Band"}, Album: "Growing", AlbumArtist: "Sub Test Band",
			DurationMs: 180000, ReleaseDate: "2026-01-01", TrackNumber: i})
		st.Register(searchtest.YTMusic, "Sub Test Band - "+name, []search.Candidate{{URL: media.URL(file), Title: name,
			Artists: []string{"Sub Test Band"}, Album: "Growing", DurationSeconds: 180, Kind: search.KindSong, TopResult: true}})
	}
	w := newDLWorld(t, apitest.WithConfig(func(c *config.Config) { c.SearchBaseURL = searchFront(t, st) }))
	putSpotify(t, w.env, api, false)
	pl := api.AddPlaylist(spotify.Collection{ID: "37i9dQZF1DXsubtest0001", Name: "Growing playlist", Owner: "someone", Tracks: tracks[:4]})

	expectProblem(t, w.c.Post("/api/v1/subscriptions", map[string]any{"url": "https://open.spotify.com/artist/0gxyHStUsqpMadRV0Di1Qt"}),
		http.StatusUnprocessableEntity)

	sub := createSubscription(t, w.c, map[string]any{"url": spotify.OpenURL(spotify.KindPlaylist, pl.ID) + "?si=share",
		"backfill": map[string]any{"mode": "last", "count": 2}})
	s := waitChecks(t, w.c, sub.ID, 1)
	if s.Status != "ok" || s.LastNewItems != 2 || s.Name != "Growing playlist" {
		t.Fatalf("after the first check: %+v", s)
	}
	if got := titles(subDownloads(t, w.c, sub.ID)); !slices.Equal(got, []string{"Song 3", "Song 4"}) {
		t.Errorf("backfill queued %v, want the playlist's last two, Songs 3 and 4", got)
	}

	api.AddPlaylist(spotify.Collection{ID: pl.ID, Name: "Growing playlist", Owner: "someone", Tracks: tracks})
	expectStatus(t, w.c.Post("/api/v1/subscriptions/"+sub.ID.String()+"/check", nil), http.StatusAccepted)
	s = waitChecks(t, w.c, sub.ID, 2)
	if s.Status != "ok" || s.LastNewItems != 2 || s.ItemsQueued != 4 {
		t.Errorf("after the second check: %+v", s)
	}
	all := subDownloads(t, w.c, sub.ID)
	if got := titles(all); !slices.Equal(got, []string{"Song 3", "Song 4", "Song 5", "Song 6"}) {
		t.Errorf("queued %v, want Songs 3 and 4, then exactly the new 5 and 6", got)
	}
	for _, d := range all {
		done := waitCompleted(t, w.env, w.c, d.ID)
		if done.Platform != "spotify" || done.Kind != "track" || len(done.Files) != 1 {
			t.Errorf("download %s", done)
			continue
		}
		info := testmedia.FFprobe(t, libraryPath(w.env, w.user.ID, "spotify", done.Files[0].Name))
		if tagValue(info.Tags, "title") != *done.Title || tagValue(info.Tags, "artist") != "Sub Test Band" {
			t.Errorf("%s: tags %v", *done.Title, info.Tags)
		}
	}
	if n := api.CountRequests("GET /v1/"); n != 0 {
		t.Errorf("%d Web API requests without credentials", n)
	}
}
