package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
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

// spotifyDownload is a download with its Spotify match.
type spotifyDownload struct {
	download
	Match *struct {
		Threshold  float64 `json:"threshold"`
		ChosenURL  *string `json:"chosen_url"`
		Manual     bool    `json:"manual"`
		Candidates []struct {
			URL    string  `json:"url"`
			Title  string  `json:"title"`
			Score  float64 `json:"score"`
			Source string  `json:"source"`
		} `json:"candidates"`
	} `json:"match"`
}

// spotifyWorld: the Spotify Web API stand-in with a synthetic album, the
// search stand-in behind a front that also serves YouTube-style
// /watch?v= pages (302s to local audio), and a server pointed at both.
type spotifyWorld struct {
	dlWorld
	api   *spotifytest.Server
	media *testmedia.Server
	album spotify.Collection
}

func newSpotifyWorld(t *testing.T) spotifyWorld {
	t.Helper()
	media := testmedia.NewServer(t)
	for _, name := range []string{"neon", "midnight", "loop", "slowed"} {
		media.AddFile("/"+name+".m4a", testmedia.GenerateAudio(t, testmedia.AudioSpec{Seconds: 2, Title: "YouTube upload"}))
	}
	api := spotifytest.Start(t, spotifytest.Options{NoFixtures: true})
	album := api.AddAlbum(spotify.Collection{Name: "Night Drive", Owner: "Synthwave Test", CoverURL: media.URL(testmedia.PathPoster),
		Tracks: []spotify.Track{
			{Name: "Neon Lights", Artists: []string{"Synthwave Test"}, DurationMs: 200000, ISRC: "QZTEST000001"},
			{Name: "Midnight Run", Artists: []string{"Synthwave Test", "Guest Singer"}, DurationMs: 185000, ISRC: "QZTEST000002"},
			{Name: "Lost Signal", Artists: []string{"Synthwave Test"}, DurationMs: 240000, ISRC: "QZTEST000003"},
		}}, "2024-05-01", "Test Records")
	st := searchtest.Start(t, searchtest.Options{NoFixtures: true})
	audio := func(name string) string { return media.URL("/" + name + ".m4a") }
	st.Register(searchtest.YTMusic, "QZTEST000001", []search.Candidate{{URL: audio("neon"), Title: "Neon Lights",
		Artists: []string{"Synthwave Test"}, Album: "Night Drive", DurationSeconds: 200, Kind: search.KindSong, TopResult: true}})
	st.Register(searchtest.YTMusic, "Synthwave Test, Guest Singer - Midnight Run", []search.Candidate{{URL: audio("midnight"),
		Title: "Midnight Run", Artists: []string{"Synthwave Test", "Guest Singer"}, Album: "Night Drive", DurationSeconds: 185,
		Kind: search.KindSong}})
	st.Register(searchtest.YouTube, "Synthwave Test - Lost Signal", []search.Candidate{
		{URL: audio("loop"), Title: "Lost Signal (Live) 1 Hour Loop", Channel: "Loops Forever", DurationSeconds: 3600, Kind: search.KindVideo},
		{URL: audio("slowed"), Title: "lost signal slowed + reverb", Channel: "Slowed Vibes", DurationSeconds: 290, Kind: search.KindVideo},
	})
	front := searchFront(t, st)
	w := spotifyWorld{dlWorld: newDLWorld(t, apitest.WithConfig(func(c *config.Config) { c.SearchBaseURL = front })),
		api: api, media: media, album: album}
	// The admin enters the credentials, pointing at the stand-in.
	cfg := api.Config()
	body := map[string]any{"enabled": true, "default_preset": "audio", "audio_format": "mp3", "max_concurrent": 2,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil,
		"options": map[string]any{"spotify": map[string]any{"client_id": cfg.ClientID, "client_secret": cfg.ClientSecret,
			"api_base_url": cfg.BaseURL, "token_url": cfg.TokenURL, "search_backend": "auto"}}}
	adminClient(t, w.env).Do(http.MethodPut, "/api/v1/settings/platforms/spotify", body).Expect(http.StatusOK)
	return w
}

// searchFront serves the search stand-in at /youtubei/v1/search and the
// watch pages of its candidates: /watch?v=ID redirects to the candidate's
// registered URL (local audio), as YouTube's page leads to its media.
func searchFront(t *testing.T, st *searchtest.Server) string {
	t.Helper()
	target, _ := url.Parse(st.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/watch" {
			http.Redirect(w, r, st.WatchURL(r.URL.Query().Get("v")), http.StatusFound)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (w spotifyWorld) get(t *testing.T, id uuid.UUID) spotifyDownload {
	t.Helper()
	var d spotifyDownload
	expectStatus(t, w.c.Get("/api/v1/downloads/"+id.String()), http.StatusOK).JSON(&d)
	return d
}

// children lists a parent's items by title.
func (w spotifyWorld) children(t *testing.T, parent uuid.UUID) map[string]download {
	t.Helper()
	var page struct {
		Items []download `json:"items"`
	}
	expectStatus(t, w.c.Get("/api/v1/downloads?parent_id="+parent.String()+"&limit=50"), http.StatusOK).JSON(&page)
	out := map[string]download{}
	for _, d := range page.Items {
		out[*d.Title] = d
	}
	return out
}

// checkTags probes a finished file and checks Spotify's tags and cover.
func (w spotifyWorld) checkTags(t *testing.T, d download, title, artist string, track, isrcKey, isrc string) {
	t.Helper()
	if len(d.Files) != 1 {
		t.Fatalf("%s: files %+v", title, d.Files)
	}
	info := testmedia.FFprobe(t, libraryPath(w.env, w.user.ID, "spotify", d.Files[0].Name))
	want := map[string]string{"title": title, "artist": artist, "album": "Night Drive", "track": track, isrcKey: isrc,
		"date": "2024-05-01"}
	for k, v := range want {
		if info.Tags[k] != v {
			t.Errorf("%s (%s): tag %s = %q, want %q (all %v)", title, filepath.Ext(d.Files[0].Name), k, info.Tags[k], v, info.Tags)
		}
	}
	pics := 0
	for _, s := range info.Streams {
		if s.AttachedPic {
			pics++
		}
	}
	if pics != 1 || len(info.Codecs("audio")) != 1 {
		t.Errorf("%s: streams %+v; want one audio stream and one cover", title, info.Streams)
	}
}

func TestSpotifyAlbumEndToEnd(t *testing.T) {
	t.Parallel()
	w := newSpotifyWorld(t)
	parent := submitURL(t, w.c, "https://open.spotify.com/album/"+w.album.ID+"?si=share")
	waitDownload(t, w.env, w.c, parent.ID, downloadTimeout, "expanded", func(d download) bool { return d.ChildrenCount == 3 })

	kids := w.children(t, parent.ID)
	for _, title := range []string{"Neon Lights", "Midnight Run"} {
		d := waitCompleted(t, w.env, w.c, kids[title].ID)
		if d.Kind != "track" || d.Options["audio_format"] != "mp3" || !strings.HasSuffix(d.Files[0].Name, ".mp3") {
			t.Errorf("%s: %s", title, d)
		}
	}
	w.checkTags(t, getDownload(t, w.c, kids["Neon Lights"].ID), "Neon Lights", "Synthwave Test", "1/3", "tsrc", "QZTEST000001")
	w.checkTags(t, getDownload(t, w.c, kids["Midnight Run"].ID), "Midnight Run", "Synthwave Test, Guest Singer", "2/3", "tsrc", "QZTEST000002")
	if m := w.get(t, kids["Neon Lights"].ID).Match; m == nil || m.ChosenURL == nil || m.Manual || m.Candidates[0].Source != "isrc" {
		t.Errorf("automatic match %+v", m)
	}

	// The low-confidence track waits with its candidates.
	lost := kids["Lost Signal"].ID
	waitStatus(t, w.env, w.c, lost, "needs_match")
	d := w.get(t, lost)
	if d.Error == nil || d.Error.Code != "no_confident_match" || d.Match == nil || len(d.Match.Candidates) != 2 || d.Match.ChosenURL != nil {
		t.Fatalf("needs_match item: %+v match %+v", d.download, d.Match)
	}
	for _, c := range d.Match.Candidates {
		if c.Score < 0 || c.Score >= d.Match.Threshold {
			t.Errorf("candidate %+v above the threshold %v", c, d.Match.Threshold)
		}
	}
	// The parent follows once the child's change is committed.
	waitStatus(t, w.env, w.c, parent.ID, "needs_match")
	expectProblem(t, w.c.Post("/api/v1/downloads/"+lost.String()+"/match", map[string]any{"candidate_index": 5}), http.StatusUnprocessableEntity)
	expectProblem(t, w.c.Post("/api/v1/downloads/"+lost.String()+"/match", map[string]any{"candidate_url": "ftp://example.com/x"}), http.StatusUnprocessableEntity)
	expectProblem(t, w.c.Post("/api/v1/downloads/"+kids["Neon Lights"].ID.String()+"/match", map[string]any{"candidate_index": 0}), http.StatusConflict)

	// Picked by hand: queued again, downloaded from the choice, tagged.
	pick := d.Match.Candidates[1]
	var matched spotifyDownload
	expectStatus(t, w.c.Post("/api/v1/downloads/"+lost.String()+"/match", map[string]any{"candidate_index": 1}), http.StatusAccepted).JSON(&matched)
	// Queued again (a worker may already hold it when the answer is written).
	if matched.Status == "needs_match" || matched.download.final() || matched.Match == nil || !matched.Match.Manual || matched.Match.ChosenURL == nil || *matched.Match.ChosenURL != pick.URL {
		t.Fatalf("after match: %+v %+v", matched.download, matched.Match)
	}
	waitCompleted(t, w.env, w.c, lost)
	w.checkTags(t, getDownload(t, w.c, lost), "Lost Signal", "Synthwave Test", "3/3", "tsrc", "QZTEST000003")
	picked := map[string]string{"Lost Signal (Live) 1 Hour Loop": "/loop.m4a", "lost signal slowed + reverb": "/slowed.m4a"}[pick.Title]
	if picked == "" || w.media.Count(picked) == 0 {
		t.Errorf("the chosen candidate %q (%s) was never fetched", pick.Title, picked)
	}
	waitCompleted(t, w.env, w.c, parent.ID)
	if audits := logLines(t, w.env, func(m map[string]any) bool { return m["action"] == "download.matched" }); len(audits) != 1 {
		t.Errorf("%d audit records of the match, want 1", len(audits))
	}
}

func TestSpotifyTrackAsM4AAndProbe(t *testing.T) {
	t.Parallel()
	w := newSpotifyWorld(t)
	track := w.album.Tracks[1]
	d := submit(t, w.c, map[string]any{"url": "spotify:track:" + track.ID, "options": map[string]any{"audio_format": "m4a"}})
	d = waitCompleted(t, w.env, w.c, d.ID)
	if !strings.HasSuffix(d.Files[0].Name, ".m4a") || *d.Title != "Midnight Run" {
		t.Fatalf("track download %s", d)
	}
	w.checkTags(t, d, "Midnight Run", "Synthwave Test, Guest Singer", "2/3", "isrc", "QZTEST000002")

	var probe struct {
		Kind    string `json:"kind"`
		Spotify struct {
			Type           string   `json:"type"`
			Name           string   `json:"name"`
			Artists        []string `json:"artists"`
			Album          string   `json:"album"`
			ISRC           string   `json:"isrc"`
			Duration       float64  `json:"duration_seconds"`
			ImageURL       string   `json:"image_url"`
			MetadataSource string   `json:"metadata_source"`
		} `json:"spotify"`
		Warnings []string `json:"warnings"`
	}
	expectStatus(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": "https://open.spotify.com/intl-fr/track/" + track.ID}), http.StatusOK).JSON(&probe)
	sp := probe.Spotify
	if probe.Kind != "track" || sp.Type != "track" || sp.Name != "Midnight Run" || len(sp.Artists) != 2 || sp.Album != "Night Drive" ||
		sp.ISRC != "QZTEST000002" || sp.Duration != 185 || sp.ImageURL == "" || sp.MetadataSource != "web_api" || len(probe.Warnings) != 0 {
		t.Errorf("probe %+v", probe)
	}
	// Artist pages fail clearly.
	artist := submitURL(t, w.c, "https://open.spotify.com/artist/"+spotifytest.ID("artist:Synthwave Test"))
	a := waitFinal(t, w.env, w.c, artist.ID)
	if a.Status != "failed" || a.Error == nil || a.Error.Code != "unsupported_url" || !strings.Contains(a.Error.Message, "2026") {
		t.Errorf("artist download %s", a)
	}
}
