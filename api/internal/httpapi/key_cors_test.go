package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/downlink/downlink/api/internal/authz"
)

// TestKeyCORS: a page on another site (a bookmarklet run on a video page)
// may send a link with an API key: the browser's preflight is answered and
// the key's answer is readable there. A session request from that site is
// not: it gets no CORS header, and a state change is still refused.
func TestKeyCORS(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, queuedOnly()...)
	k := createKey(t, w.c, "bookmarklet", []authz.Scope{authz.ScopeDownloadsRead, authz.ScopeDownloadsWrite})
	const site = "https://www.youtube.com"
	anon := w.env.Client()

	t.Run("preflight", func(t *testing.T) {
		r := anon.Do(http.MethodOptions, "/api/v1/downloads", nil,
			"Origin", site, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
		expectStatus(t, r, http.StatusNoContent)
		for h, want := range map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "GET, POST, PATCH, PUT, DELETE",
			"Access-Control-Allow-Headers": "Authorization, X-API-Key, Content-Type, Idempotency-Key",
		} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if r.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("a preflight allows credentials")
		}
	})

	t.Run("a key sends a link from another site", func(t *testing.T) {
		r := anon.Post("/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:9/from-bookmarklet.mp4"},
			"Origin", site, "Sec-Fetch-Site", "cross-site", "Authorization", "Bearer "+k.Key)
		expectStatus(t, r, http.StatusAccepted)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Fatalf("Access-Control-Allow-Origin %q: the page cannot read the answer", got)
		}
		var list struct {
			Items []download `json:"items"`
		}
		w.c.Get("/api/v1/downloads").Expect(http.StatusOK).JSON(&list)
		if len(list.Items) != 1 || list.Items[0].URL != "http://127.0.0.1:9/from-bookmarklet.mp4" {
			t.Fatalf("the owner's list: %+v", list.Items)
		}
	})

	t.Run("a session from another site gets no CORS and no change", func(t *testing.T) {
		r := w.c.Post("/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:9/cross-site.mp4"}, "Origin", site, "Sec-Fetch-Site", "cross-site")
		expectProblem(t, r, http.StatusForbidden)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("Access-Control-Allow-Origin %q on a session request", got)
		}
		r = w.c.Get("/api/v1/auth/me", "Origin", site, "Sec-Fetch-Site", "cross-site")
		expectStatus(t, r, http.StatusOK)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("Access-Control-Allow-Origin %q: another site could read the session's answer", got)
		}
	})
}
