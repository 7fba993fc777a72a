package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
)

// TestSpotifyEndpointsGoThroughTheGuard: Spotify's token and API URLs are
// settings, and the client secret is sent to the token URL. With private
// networks off, a loopback or metadata URL is refused at save (422,
// nothing saved), and one saved while they were allowed is refused at
// connection time after they are switched off: the local receiver standing
// in for the token endpoint never sees a request, so never the secret.
func TestSpotifyEndpointsGoThroughTheGuard(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, guardOn())
	admin := adminClient(t, env)
	var hits atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "{}", http.StatusBadRequest)
	}))
	t.Cleanup(receiver.Close)
	secret := "spotify-secret-never-sent"
	env.Secret(secret)
	spotifyBody := func(apiURL, tokenURL string) map[string]any {
		return platformBody(map[string]any{"default_preset": "audio", "options": map[string]any{"spotify": map[string]any{
			"client_id": "client-1", "client_secret": secret, "api_base_url": apiURL, "token_url": tokenURL}}})
	}
	setAllowPrivate := func(on bool) {
		t.Helper()
		g := expectStatus(t, admin.Get("/api/v1/settings"), http.StatusOK).Map()
		g["allow_private_networks"] = on
		expectStatus(t, admin.Do(http.MethodPut, "/api/v1/settings", g), http.StatusOK)
	}

	for _, tc := range []struct{ name, api, token, field string }{
		{"loopback token URL", "", receiver.URL + "/api/token", "options.spotify.token_url"},
		{"metadata API URL", "http://169.254.169.254/latest", "", "options.spotify.api_base_url"},
		{"local name", "", "http://localhost:1/api/token", "options.spotify.token_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings/platforms/spotify", spotifyBody(tc.api, tc.token)),
				http.StatusUnprocessableEntity)
			if !fieldsOf(p)[tc.field] {
				t.Fatalf("422 does not name %s: %v", tc.field, p)
			}
			// The connection test with the URL given refuses it the same way.
			body := map[string]any{"client_id": "client-1", "client_secret": secret}
			if tc.api != "" {
				body["api_base_url"] = tc.api
			}
			if tc.token != "" {
				body["token_url"] = tc.token
			}
			expectProblem(t, admin.Post("/api/v1/settings/platforms/spotify/test", body), http.StatusUnprocessableEntity)
		})
	}
	var plats struct {
		Items []map[string]any `json:"items"`
	}
	admin.Get("/api/v1/settings/platforms").Expect(http.StatusOK).JSON(&plats)
	for _, sp := range plats.Items {
		if sp["platform"] != "spotify" {
			continue
		}
		if opts := sp["options"].(map[string]any)["spotify"].(map[string]any); opts["token_url"] != "https://accounts.spotify.com/api/token" ||
			opts["client_secret_set"] == true {
			t.Fatalf("a refused save changed the settings: %v", opts)
		}
	}

	// Saved while private networks were allowed, used after they were not.
	setAllowPrivate(true)
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/spotify", spotifyBody(receiver.URL, receiver.URL+"/api/token")).
		Expect(http.StatusOK)
	setAllowPrivate(false)

	var res spotifyTestOutcome
	expectStatus(t, admin.Post("/api/v1/settings/platforms/spotify/test", nil), http.StatusOK).JSON(&res)
	if res.OK || res.Reason != "unreachable" {
		t.Fatalf("connection test %+v, want unreachable", res)
	}
	// Connecting an account exchanges its code at the token URL, with the
	// client secret: refused the same way.
	var auth struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	expectStatus(t, admin.Post("/api/v1/settings/platforms/spotify/account/authorize", nil), http.StatusOK).JSON(&auth)
	au, err := url.Parse(auth.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	r := admin.Get("/api/v1/settings/platforms/spotify/account/callback?" +
		url.Values{"state": {au.Query().Get("state")}, "code": {"code-1"}}.Encode())
	if loc := r.Header.Get("Location"); r.Status != http.StatusSeeOther || !strings.Contains(loc, "spotify_account=error") {
		t.Fatalf("callback %d to %q", r.Status, loc)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the local receiver got %d requests with private networks off", n)
	}
}
