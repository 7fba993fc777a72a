package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/spotify"
	spotifyaccount "github.com/downlink/downlink/api/internal/spotify/account"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

type spotifyAccountView struct {
	Connected      bool     `json:"connected"`
	UserID         *string  `json:"user_id"`
	DisplayName    *string  `json:"display_name"`
	Scopes         []string `json:"scopes"`
	ClientMismatch bool     `json:"client_mismatch"`
	RedirectURI    string   `json:"redirect_uri"`
}

type spotifyTestOutcome struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// connectSpotify runs the authorization as the admin's browser does: ask
// Downlink where to go, let Spotify's page answer, come back to the
// callback. It returns where the callback sent the browser.
func connectSpotify(t *testing.T, admin *apitest.Client) *url.URL {
	t.Helper()
	var start struct {
		AuthorizeURL string `json:"authorize_url"`
		RedirectURI  string `json:"redirect_uri"`
	}
	expectStatus(t, admin.Post("/api/v1/settings/platforms/spotify/account/authorize", nil), http.StatusOK).JSON(&start)
	if !strings.HasSuffix(start.RedirectURI, spotifyaccount.RedirectPath) {
		t.Fatalf("redirect URI %q", start.RedirectURI)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(start.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := resp.Location()
	if err != nil || !strings.HasPrefix(back.String(), start.RedirectURI+"?") {
		t.Fatalf("Spotify sent the browser to %v (%v)", back, err)
	}
	r := expectStatus(t, admin.Get(back.RequestURI()), http.StatusSeeOther)
	to, err := url.Parse(r.Header.Get("Location"))
	if err != nil || to.Path != "/settings" {
		t.Fatalf("callback went on to %q", r.Header.Get("Location"))
	}
	return to
}

// TestSpotifyConnectedAccountEndToEnd: an admin connects their Spotify
// account; a private playlist it owns is read through /items; the
// connection test reads the account's profile; a lapsed Premium shows as
// its own reason on the test and on the download; disconnecting forgets it.
func TestSpotifyConnectedAccountEndToEnd(t *testing.T) {
	t.Parallel()
	api := spotifytest.Start(t, spotifytest.Options{NoFixtures: true, DevMode: true})
	api.AddUser(spotifytest.User{ID: "ana.music", DisplayName: "Ana", Product: "premium"})
	api.SignIn("ana.music")
	priv := api.AddPlaylistOwnedBy(spotify.Collection{Name: "Ana's private mix", Owner: "Ana", Tracks: []spotify.Track{
		{Name: "One", Artists: []string{"Band"}, Album: "LP", DurationMs: 100000, ISRC: "QZTEST000301"},
		{Name: "Two", Artists: []string{"Band"}, Album: "LP", DurationMs: 110000, ISRC: "QZTEST000302"},
	}}, "ana.music", true)
	w := newDLWorld(t)
	admin := adminClient(t, w.env)
	putSpotify(t, w.env, api, true)

	var acct spotifyAccountView
	expectStatus(t, admin.Get("/api/v1/settings/platforms/spotify/account"), http.StatusOK).JSON(&acct)
	if acct.Connected || !strings.HasSuffix(acct.RedirectURI, spotifyaccount.RedirectPath) {
		t.Fatalf("before: %+v", acct)
	}
	// Without an account the private playlist is out of reach, and says why.
	d := waitFinal(t, w.env, w.c, submitURL(t, w.c, spotify.OpenURL(spotify.KindPlaylist, priv.ID)).ID)
	if d.Status != "failed" || d.Error == nil || !strings.Contains(d.Error.Message, "connect your Spotify account") {
		t.Errorf("private playlist without an account: %s", d)
	}
	// A user's API key cannot start it; the admin's browser can.
	expectProblem(t, w.c.Post("/api/v1/settings/platforms/spotify/account/authorize", nil), http.StatusForbidden)
	if to := connectSpotify(t, admin); to.Query().Get("spotify_account") != "connected" {
		t.Fatalf("callback outcome %v", to.Query())
	}
	expectStatus(t, admin.Get("/api/v1/settings/platforms/spotify/account"), http.StatusOK).JSON(&acct)
	if !acct.Connected || *acct.UserID != "ana.music" || *acct.DisplayName != "Ana" || len(acct.Scopes) != 3 {
		t.Fatalf("after: %+v", acct)
	}
	// A replayed callback does not connect anything.
	r := expectStatus(t, admin.Get(spotifyaccount.RedirectPath+"?state=forged&code=x"), http.StatusSeeOther)
	if to, _ := url.Parse(r.Header.Get("Location")); to.Query().Get("spotify_account") != "error" || to.Query().Get("message") == "" {
		t.Errorf("forged callback went on to %q", r.Header.Get("Location"))
	}

	parent := submitURL(t, w.c, spotify.OpenURL(spotify.KindPlaylist, priv.ID))
	waitDownload(t, w.env, w.c, parent.ID, downloadTimeout, "expanded", func(d download) bool { return d.ChildrenCount == 2 })
	kids := childrenInOrder(t, w.c, parent.ID)
	if *kids[0].Title != "One" || *kids[1].Title != "Two" {
		t.Errorf("children %v", kids)
	}
	if api.CountRequests("GET /v1/playlists/"+priv.ID+"/items") == 0 {
		t.Errorf("the playlist was not read through /items: %v", api.Requests())
	}
	expectStatus(t, w.c.Post("/api/v1/downloads/"+parent.ID.String()+"/cancel", nil), http.StatusOK)

	var out spotifyTestOutcome
	expectStatus(t, admin.Post("/api/v1/settings/platforms/spotify/test", nil), http.StatusOK).JSON(&out)
	if !out.OK || out.Reason != "ok" || !strings.Contains(out.Message, "Ana") {
		t.Errorf("test with the account: %+v", out)
	}

	// Premium lapses: the token endpoint still answers, the test does not.
	api.RequirePremium(true)
	expectStatus(t, admin.Post("/api/v1/settings/platforms/spotify/test", nil), http.StatusOK).JSON(&out)
	if out.OK || out.Reason != "premium_required" || !strings.Contains(out.Message, "owner needs Premium") {
		t.Errorf("test without Premium: %+v", out)
	}
	d = waitFinal(t, w.env, w.c, submitURL(t, w.c, spotify.OpenURL(spotify.KindPlaylist, priv.ID)).ID)
	if d.Status != "failed" || d.Error == nil || d.Error.Code != "spotify_premium_required" ||
		!strings.Contains(d.Error.Message, "The Spotify app's owner needs Premium") {
		t.Errorf("download without Premium: %s", d)
	}
	api.RequirePremium(false)

	expectStatus(t, admin.Do(http.MethodDelete, "/api/v1/settings/platforms/spotify/account", nil), http.StatusNoContent)
	expectStatus(t, admin.Get("/api/v1/settings/platforms/spotify/account"), http.StatusOK).JSON(&acct)
	if acct.Connected {
		t.Errorf("after disconnect: %+v", acct)
	}
	expectProblem(t, admin.Do(http.MethodDelete, "/api/v1/settings/platforms/spotify/account", nil), http.StatusNotFound)
	if audits := logLines(t, w.env, func(m map[string]any) bool {
		return m["action"] == "settings.spotify_account_connected" || m["action"] == "settings.spotify_account_disconnected"
	}); len(audits) != 2 {
		t.Errorf("%d audit records, want connect and disconnect", len(audits))
	}
}

func TestSpotifyConnectNeedsAClientID(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	p := expectProblem(t, admin.Post("/api/v1/settings/platforms/spotify/account/authorize", nil), http.StatusConflict)
	if detail, _ := p["detail"].(string); !strings.Contains(detail, spotifyaccount.RedirectPath) {
		t.Errorf("the problem does not name the redirect URI to register: %v", p)
	}
}
