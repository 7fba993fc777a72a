package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

// fakeAccount is a connected account whose token the test obtains from
// the stand-in's accounts service.
type fakeAccount struct {
	mu  sync.Mutex
	tok string
}

func (a *fakeAccount) AccessToken(context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tok, nil
}
func (a *fakeAccount) Expire(context.Context, string) {}
func (a *fakeAccount) Connected(context.Context) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tok != ""
}

// connect signs userID in at the stand-in and runs the PKCE flow.
func (a *fakeAccount) connect(t *testing.T, w *spotifyWorld, userID string) {
	t.Helper()
	w.api.AddUser(spotifytest.User{ID: userID, DisplayName: userID})
	w.api.SignIn(userID)
	o := spotify.NewOAuth(spotify.OAuthConfig{ClientID: w.settings.cfg.ClientID, TokenURL: w.settings.cfg.TokenURL,
		RedirectURI: "http://127.0.0.1:9/cb"})
	v := spotify.NewVerifier()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(o.AuthCodeURL("s", v))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	tok, err := o.Exchange(context.Background(), loc.Query().Get("code"), v)
	if err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	a.tok = tok.AccessToken
	a.mu.Unlock()
}

// TestSpotifyWithoutSetup: no Spotify settings at all. The recorded
// 50-track playlist page gives 50 children in order, and each child is
// completed from its own public track page when it downloads.
func TestSpotifyWithoutSetup(t *testing.T) {
	w := newSpotifyWorld(t)
	w.noCredentials(t)
	ctx := context.Background()
	x, err := w.h.Expand(ctx, w.item("https://open.spotify.com/playlist/"+spotifytest.RecordedPlaylistID+"?si=x", "playlist"))
	if err != nil || x.ListURL != "" {
		t.Fatal(err)
	}
	recorded, _ := spotify.ParseEmbedData(spotifytest.EmbedRecordings()["playlist/"+spotifytest.RecordedPlaylistID], spotify.KindPlaylist)
	if x.Title != "Today’s Top Hits" || len(x.Children) != 50 || len(x.Warnings) != 0 {
		t.Fatalf("%q with %d children, warnings %v", x.Title, len(x.Children), x.Warnings)
	}
	for i, c := range x.Children {
		want := recorded.Tracks[i]
		m := decode(t, c.Meta)
		if c.URL != spotify.OpenURL(spotify.KindTrack, want.ID) || c.Title != want.Name || c.Kind != "track" ||
			c.Uploader != strings.Join(want.Artists, ", ") || c.Duration != float64(want.DurationMs)/1000 ||
			m.MetadataSource != "embed" || m.Track.ISRC != "" {
			t.Errorf("child %d = %+v (meta %s), want %q", i, c, c.Meta, want.Name)
		}
	}
	if n := w.api.CountRequests("GET /v1/") + w.api.CountRequests("POST /api/token"); n != 0 {
		t.Errorf("%d Web API requests without credentials", n)
	}

	// An album: numbered tracks with the album's name, artist and cover.
	x, err = w.h.Expand(ctx, w.item(spotify.OpenURL(spotify.KindAlbum, w.album.ID), "album"))
	if err != nil || len(x.Children) != 3 {
		t.Fatalf("album: %v", err)
	}
	if m := decode(t, x.Children[1].Meta); m.Track.Album != "Night Drive" || m.Track.TrackNumber != 2 || m.Track.CoverURL != w.coverURL ||
		strings.Join(m.Track.Artists, "|") != "Synthwave Test|Guest Singer" {
		t.Errorf("album child meta %s", x.Children[1].Meta)
	}

	// A child downloads with artists, title and duration; its track page
	// adds the cover and release date.
	it := w.child(t, 1)
	src, err := w.h.Source(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, src.Meta)
	if m.MetadataSource != "embed" || m.Track.ReleaseDate != "2024-05-01" || m.Track.CoverURL != w.coverURL || len(src.Warnings) != 0 ||
		m.Match == nil || m.Match.ChosenURL == nil {
		t.Errorf("source %+v meta %s", src, src.Meta)
	}
}

// TestSpotifyAppCredentialsEnrich: in Development Mode the app cannot read
// a playlist's entries, so the public page lists them and each child is
// completed through GET /v1/tracks/{id}: the ISRC decides the match.
func TestSpotifyAppCredentialsEnrich(t *testing.T) {
	w := newSpotifyWorldWith(t, spotifytest.Options{NoFixtures: true, DevMode: true}, nil)
	ctx := context.Background()
	pl := w.api.AddPlaylist(spotify.Collection{Name: "Road Trip", Owner: "someone", Tracks: []spotify.Track{
		{Name: "Neon Lights", Artists: []string{"Synthwave Test"}, Album: "Night Drive", DurationMs: 200000, ISRC: "QZTEST000001",
			CoverURL: w.coverURL, ReleaseDate: "2024-05-01"},
	}})
	x, err := w.h.Expand(ctx, w.item(spotify.OpenURL(spotify.KindPlaylist, pl.ID), "playlist"))
	if err != nil || len(x.Children) != 1 {
		t.Fatalf("expand: %+v %v", x, err)
	}
	if n := w.api.CountRequests("GET /v1/playlists/" + pl.ID + "/items"); n == 0 {
		t.Errorf("the Web API was not tried first")
	}
	c := x.Children[0]
	if m := decode(t, c.Meta); m.MetadataSource != "embed" || m.Track.ISRC != "" {
		t.Fatalf("listed child meta %s", c.Meta)
	}
	src, err := w.h.Source(ctx, downloads.Item{ID: w.item("", "").ID, URL: c.URL, Platform: "spotify", Kind: "track", Meta: c.Meta})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, src.Meta)
	if m.MetadataSource != "web_api" || m.Track.ISRC != "QZTEST000001" || m.Track.Album != "Night Drive" ||
		m.Match.Candidates[0].Source != "isrc" || len(src.Warnings) != 0 {
		t.Errorf("enriched meta %s", src.Meta)
	}
}

func TestSpotifyConnectedAccountReadsPrivatePlaylists(t *testing.T) {
	acct := &fakeAccount{}
	w := newSpotifyWorldWith(t, spotifytest.Options{NoFixtures: true, DevMode: true}, acct)
	ctx := context.Background()
	priv := w.api.AddPlaylistOwnedBy(spotify.Collection{Name: "Ana's private mix", Owner: "ana", Tracks: []spotify.Track{
		{Name: "Neon Lights", Artists: []string{"Synthwave Test"}, Album: "Night Drive", DurationMs: 200000, ISRC: "QZTEST000001"},
		{Name: "Lost Signal", Artists: []string{"Synthwave Test"}, Album: "Night Drive", DurationMs: 240000, ISRC: "QZTEST000003"},
	}}, "ana", true)
	link := spotify.OpenURL(spotify.KindPlaylist, priv.ID)

	_, err := w.h.Expand(ctx, w.item(link, "playlist"))
	if failureCode(err) != "unavailable" || !strings.Contains(err.Error(), "connect your Spotify account") {
		t.Errorf("before connecting: %v", err)
	}
	acct.connect(t, w, "ana")
	x, err := w.h.Expand(ctx, w.item(link, "playlist"))
	if err != nil || x.Title != "Ana's private mix" || len(x.Children) != 2 {
		t.Fatalf("as the owner: %+v %v", x, err)
	}
	if m := decode(t, x.Children[1].Meta); m.MetadataSource != "web_api" || m.Track.ISRC != "QZTEST000003" {
		t.Errorf("child meta %s", x.Children[1].Meta)
	}
	// Someone else's private playlist stays out of reach, and says so.
	other := w.api.AddPlaylistOwnedBy(spotify.Collection{Name: "Bo's", Owner: "bo", Tracks: priv.Tracks[:1]}, "bo", true)
	_, err = w.h.Expand(ctx, w.item(spotify.OpenURL(spotify.KindPlaylist, other.ID), "playlist"))
	if failureCode(err) != "unavailable" || !strings.Contains(err.Error(), "neither owns nor collaborates") {
		t.Errorf("another's private playlist: %v", err)
	}
}

func TestSpotifyPremiumLapse(t *testing.T) {
	w := newSpotifyWorld(t)
	ctx := context.Background()
	w.api.RequirePremium(true)

	// Albums fall back to the public page, and say why ISRCs are missing.
	x, err := w.h.Expand(ctx, w.item(spotify.OpenURL(spotify.KindAlbum, w.album.ID), "album"))
	if err != nil || len(x.Children) != 3 || len(x.Warnings) != 1 || x.Warnings[0].Code != "spotify_premium_required" ||
		!strings.Contains(x.Warnings[0].Message, "owner needs Premium") {
		t.Fatalf("album: %+v %v", x, err)
	}
	// A child's enrichment meets the same 403: the child carries it too.
	c := x.Children[0]
	src, err := w.h.Source(ctx, downloads.Item{ID: w.item("", "").ID, URL: c.URL, Platform: "spotify", Kind: "track", Meta: c.Meta})
	var nm *downloads.NeedsMatch
	if !errors.As(err, &nm) {
		t.Fatalf("without its ISRC, “Neon Lights” has no confident match here: %+v %v", src, err)
	}
	if len(nm.Warnings) != 1 || nm.Warnings[0].Code != "spotify_premium_required" || decode(t, nm.Meta).Warnings[0] != nm.Warnings[0] {
		t.Errorf("child warnings %+v", nm.Warnings)
	}
	// Something only the Web API can read fails with the reason.
	priv := w.api.AddPlaylistOwnedBy(spotify.Collection{Name: "p", Owner: "x", Tracks: w.album.Tracks[:1]}, "x", true)
	_, err = w.h.Expand(ctx, w.item(spotify.OpenURL(spotify.KindPlaylist, priv.ID), "playlist"))
	if failureCode(err) != "spotify_premium_required" || !strings.Contains(err.Error(), "The Spotify app's owner needs Premium") {
		t.Errorf("private playlist: %v", err)
	}
}

func TestSpotifyListingLimitsAndShapeChanges(t *testing.T) {
	w := newSpotifyWorld(t)
	w.noCredentials(t)
	ctx := context.Background()
	long := spotify.Collection{Name: "Long", Owner: "someone"}
	for i := range 120 {
		long.Tracks = append(long.Tracks, spotify.Track{Name: "Song " + string(rune('A'+i%26)) + strings.Repeat("!", i/26),
			Artists: []string{"Band"}, DurationMs: 100000 + i})
	}
	pl := w.api.AddPlaylist(long)
	x, err := w.h.Expand(ctx, w.item(spotify.OpenURL(spotify.KindPlaylist, pl.ID), "playlist"))
	// The stand-in serves all 120, as the real page does not: what matters
	// is that a list reaching the page's limit says it may be cut.
	if err != nil || len(x.Warnings) != 1 || x.Warnings[0].Code != "spotify_list_truncated" || !strings.Contains(x.Warnings[0].Message, "first 100") {
		t.Errorf("long playlist: %+v %v", x.Warnings, err)
	}
	w.api.ChangeEmbedShape(true)
	_, err = w.h.Expand(ctx, w.item(spotify.OpenURL(spotify.KindAlbum, w.album.ID), "album"))
	if failureCode(err) != "spotify_api" || !strings.Contains(err.Error(), "no longer has its track list") {
		t.Errorf("changed page: %v", err)
	}
}
