package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// options.latest is in the contract; the engine knows playlist_items, so
// latest N becomes items 1-N (a channel lists newest first).
func TestDownloadLatestBecomesPlaylistItems(t *testing.T) {
	t.Parallel()
	// No workers: nothing reaches YouTube; private networks allowed: no DNS
	// lookup of www.youtube.com at submission.
	env := apitest.New(t, noWorkers(), localMedia())
	c, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	cases := []struct {
		name    string
		options map[string]any
		status  int
		items   any
		field   string
	}{
		{"latest 5", map[string]any{"latest": 5}, http.StatusAccepted, "1-5", ""},
		{"latest null", map[string]any{"latest": nil}, http.StatusAccepted, nil, ""},
		{"latest 0", map[string]any{"latest": 0}, http.StatusUnprocessableEntity, nil, "options.latest"},
		{"latest 1001", map[string]any{"latest": 1001}, http.StatusUnprocessableEntity, nil, "options.latest"},
		{"latest and playlist_items", map[string]any{"latest": 2, "playlist_items": "1-3"}, http.StatusUnprocessableEntity, nil, "options.latest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Post("/api/v1/downloads", map[string]any{"url": "https://www.youtube.com/@synthwave", "options": tc.options})
			if tc.status != http.StatusAccepted {
				p := expectProblem(t, r, tc.status)
				errs, _ := p["errors"].([]any)
				if len(errs) != 1 || errs[0].(map[string]any)["field"] != tc.field {
					t.Errorf("problem %v; want a field error on %s", p, tc.field)
				}
				return
			}
			var d download
			expectStatus(t, r, http.StatusAccepted).JSON(&d)
			if d.Kind != "channel" || d.Options["playlist_items"] != tc.items {
				t.Errorf("kind %s, options %v; want playlist_items %v", d.Kind, d.Options, tc.items)
			}
			if _, ok := d.Options["latest"]; ok && d.Options["latest"] != nil {
				t.Errorf("options still carry latest: %v", d.Options)
			}
		})
	}
}
