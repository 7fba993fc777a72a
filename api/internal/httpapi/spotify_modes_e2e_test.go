package httpapi_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/search/searchtest"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// putSpotify stores the Spotify platform settings: only the public pages'
// address (the stand-in's) unless credentials are given.
func putSpotify(t *testing.T, env *apitest.Env, api *spotifytest.Server, withCredentials bool) {
	t.Helper()
	sp := map[string]any{"embed_base_url": api.URL, "search_backend": "auto"}
	if withCredentials {
		cfg := api.Config()
		sp["client_id"], sp["client_secret"], sp["api_base_url"], sp["token_url"] = cfg.ClientID, cfg.ClientSecret, cfg.BaseURL, cfg.TokenURL
	}
	body := map[string]any{"enabled": true, "default_preset": "audio", "audio_format": "mp3", "max_concurrent": 2,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil,
		"options": map[string]any{"spotify": sp}}
	adminClient(t, env).Do(http.MethodPut, "/api/v1/settings/platforms/spotify", body).Expect(http.StatusOK)
}

// childrenInOrder lists a parent's children by playlist index.
func childrenInOrder(t *testing.T, c *apitest.Client, parent uuid.UUID) []download {
	t.Helper()
	var all []download
	cursor := ""
	for {
		var page struct {
			Items      []download `json:"items"`
			NextCursor *string    `json:"next_cursor"`
		}
		q := "/api/v1/downloads?parent_id=" + parent.String() + "&limit=100"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		expectStatus(t, c.Get(q), http.StatusOK).JSON(&page)
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	sort.Slice(all, func(i, j int) bool { return all[i].PlaylistIndex < all[j].PlaylistIndex })
	return all
}

// TestSpotifyPlaylistWithNoCredentials: no client id, no secret, no
// account. The recorded 50-track playlist page becomes 50 children in the
// page's order.
func TestSpotifyPlaylistWithNoCredentials(t *testing.T) {
	t.Parallel()
	api := spotifytest.Start(t, spotifytest.Options{NoFixtures: true, DevMode: true})
	st := searchtest.Start(t, searchtest.Options{NoFixtures: true})
	w := newDLWorld(t, apitest.WithConfig(func(c *config.Config) { c.SearchBaseURL = searchFront(t, st) }))
	putSpotify(t, w.env, api, false)

	parent := submitURL(t, w.c, "https://open.spotify.com/playlist/"+spotifytest.RecordedPlaylistID+"?si=share")
	waitDownload(t, w.env, w.c, parent.ID, downloadTimeout, "expanded", func(d download) bool { return d.ChildrenCount == 50 })
	recorded, err := spotify.ParseEmbedData(spotifytest.EmbedRecordings()["playlist/"+spotifytest.RecordedPlaylistID], spotify.KindPlaylist)
	if err != nil {
		t.Fatal(err)
	}
	kids := childrenInOrder(t, w.c, parent.ID)
	if len(kids) != 50 {
		t.Fatalf("%d children", len(kids))
	}
	for i, k := range kids {
		want := recorded.Tracks[i]
		if k.PlaylistIndex != i+1 || k.Kind != "track" || k.Title == nil || *k.Title != want.Name ||
			k.URL != spotify.OpenURL(spotify.KindTrack, want.ID) {
			t.Errorf("child %d: %s, want %q", i+1, k, want.Name)
		}
	}
	if d := getDownload(t, w.c, parent.ID); *d.Title != "Today’s Top Hits" || len(d.Warnings) != 0 {
		t.Errorf("parent %s", d)
	}
	if n := api.CountRequests("GET /v1/") + api.Grants("client_credentials"); n != 0 {
		t.Errorf("%d Web API requests with no credentials", n)
	}
	// Nothing more to see: stop the children's searches.
	expectStatus(t, w.c.Post("/api/v1/downloads/"+parent.ID.String()+"/cancel", nil), http.StatusOK)
}

// TestSpotifyPlaylistDownloadsAndTags: a public playlist, downloaded with
// no credentials (artists, title, duration, the track page's cover and
// date) and with app credentials in Development Mode (the page lists it;
// GET /v1/tracks/{id} adds ISRC and album, and the ISRC decides the match).
func TestSpotifyPlaylistDownloadsAndTags(t *testing.T) {
	t.Parallel()
	for _, withCredentials := range []bool{false, true} {
		name := map[bool]string{false: "no credentials", true: "app credentials"}[withCredentials]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			media := testmedia.NewServer(t)
			for _, n := range []string{"neon", "midnight"} {
				media.AddFile("/"+n+".m4a", testmedia.GenerateAudio(t, testmedia.AudioSpec{Seconds: 2, Title: "YouTube upload"}))
			}
			api := spotifytest.Start(t, spotifytest.Options{NoFixtures: true, DevMode: true})
			cover := media.URL(testmedia.PathPoster)
			pl := api.AddPlaylist(spotify.Collection{Name: "Road Trip", Owner: "someone", Tracks: []spotify.Track{
				{Name: "Neon Lights", Artists: []string{"Synthwave Test"}, Album: "Night Drive", AlbumArtist: "Synthwave Test",
					DurationMs: 200000, ISRC: "QZTEST000001", CoverURL: cover, ReleaseDate: "2024-05-01", TrackNumber: 1, TrackTotal: 3},
				{Name: "Midnight Run", Artists: []string{"Synthwave Test", "Guest Singer"}, Album: "Night Drive", AlbumArtist: "Synthwave Test",
					DurationMs: 185000, ISRC: "QZTEST000002", CoverURL: cover, ReleaseDate: "2024-05-01", TrackNumber: 2, TrackTotal: 3},
			}})
			st := searchtest.Start(t, searchtest.Options{NoFixtures: true})
			audio := func(n string) string { return media.URL("/" + n + ".m4a") }
			neon := search.Candidate{URL: audio("neon"), Title: "Neon Lights", Artists: []string{"Synthwave Test"}, Album: "Night Drive",
				DurationSeconds: 200, Kind: search.KindSong, TopResult: true}
			midnight := search.Candidate{URL: audio("midnight"), Title: "Midnight Run", Artists: []string{"Synthwave Test", "Guest Singer"},
				Album: "Night Drive", DurationSeconds: 185, Kind: search.KindSong, TopResult: true}
			st.Register(searchtest.YTMusic, "QZTEST000001", []search.Candidate{neon})
			st.Register(searchtest.YTMusic, "QZTEST000002", []search.Candidate{midnight})
			st.Register(searchtest.YTMusic, "Synthwave Test - Neon Lights", []search.Candidate{neon})
			st.Register(searchtest.YTMusic, "Synthwave Test, Guest Singer - Midnight Run", []search.Candidate{midnight})
			w := newDLWorld(t, apitest.WithConfig(func(c *config.Config) { c.SearchBaseURL = searchFront(t, st) }))
			putSpotify(t, w.env, api, withCredentials)

			parent := submitURL(t, w.c, spotify.OpenURL(spotify.KindPlaylist, pl.ID))
			waitCompleted(t, w.env, w.c, parent.ID)
			kids := childrenInOrder(t, w.c, parent.ID)
			if len(kids) != 2 || *kids[0].Title != "Neon Lights" || *kids[1].Title != "Midnight Run" {
				t.Fatalf("children %v", kids)
			}
			for i, k := range kids {
				d := spotifyWorld{dlWorld: w}.get(t, k.ID)
				if d.Status != "completed" || len(d.Files) != 1 || len(d.Warnings) != 0 || !strings.HasSuffix(d.Files[0].Name, ".mp3") {
					t.Fatalf("child %d: %s", i+1, d.download)
				}
				tr := pl.Tracks[i]
				info := testmedia.FFprobe(t, libraryPath(w.env, w.user.ID, "spotify", d.Files[0].Name))
				want := map[string]string{"title": tr.Name, "artist": strings.Join(tr.Artists, ", "), "date": "2024-05-01"}
				source := "youtube_music"
				if withCredentials {
					want["album"], want["TSRC"], want["track"] = "Night Drive", tr.ISRC, []string{"1/3", "2/3"}[i]
					source = "isrc"
				}
				for key, v := range want {
					if got := tagValue(info.Tags, key); got != v {
						t.Errorf("%s: tag %s = %q, want %q (all %v)", tr.Name, key, got, v, info.Tags)
					}
				}
				if !withCredentials && (tagValue(info.Tags, "album") != "" || tagValue(info.Tags, "TSRC") != "") {
					t.Errorf("%s: album or ISRC tags without credentials: %v", tr.Name, info.Tags)
				}
				pics := 0
				for _, s := range info.Streams {
					if s.AttachedPic {
						pics++
					}
				}
				if pics != 1 {
					t.Errorf("%s (%s): %d covers", tr.Name, filepath.Base(d.Files[0].Name), pics)
				}
				if d.Match == nil || len(d.Match.Candidates) == 0 || d.Match.Candidates[0].Source != source {
					t.Errorf("%s: match %+v, want the first candidate from %s", tr.Name, d.Match, source)
				}
			}
			if withCredentials {
				if n := api.CountRequests("GET /v1/tracks/"); n != 2 {
					t.Errorf("%d track enrichments, want 2", n)
				}
			} else if n := api.CountRequests("GET /v1/"); n != 0 {
				t.Errorf("%d Web API requests without credentials", n)
			}
		})
	}
}

// tagValue reads a tag whatever case ffprobe reports it in.
func tagValue(tags map[string]string, key string) string {
	for k, v := range tags {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}
