package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestDeprecatedForms: the files filter is named after the field (kind);
// its old name type still works and the answer says it is deprecated
// (Deprecation, and a Link to the policy), as does a comma list of
// statuses; the current forms carry no such header, and kind and type
// saying different things is a 400.
func TestDeprecatedForms(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	user := newAccount(t, env, authz.RoleUser)
	w := dlWorld{env: env, user: user}
	w.c, _ = signIn(t, env, user)
	registerFile(t, w, user.ID.String()+"/generic/a.mp4", []byte("a"))
	song := registerFile(t, w, user.ID.String()+"/generic/b.mp3", []byte("b"))
	submitURL(t, w.c, "http://127.0.0.1:9/a.mp4")

	for _, tt := range []struct {
		query      string
		deprecated bool
	}{
		{"kind=audio", false},
		{"type=audio", true},
		{"kind=audio&type=audio", true},
	} {
		var page struct {
			Items []dlFile `json:"items"`
		}
		r := expectStatus(t, w.c.Get("/api/v1/files?"+tt.query), http.StatusOK)
		r.JSON(&page)
		if len(page.Items) != 1 || page.Items[0].ID != song.ID {
			t.Errorf("%s: %+v, want only %s", tt.query, page.Items, song.Name)
		}
		dep, link := r.Header.Get("Deprecation"), r.Header.Get("Link")
		if tt.deprecated != (dep == "@1796601600" && link == `<https://downlink.dev/docs/api-versioning>; rel="deprecation"; type="text/html"`) ||
			(!tt.deprecated && (dep != "" || link != "")) {
			t.Errorf("%s: Deprecation %q Link %q, deprecated=%v", tt.query, dep, link, tt.deprecated)
		}
	}
	expectProblem(t, w.c.Get("/api/v1/files?kind=audio&type=video"), http.StatusBadRequest)

	// A comma list of statuses is outside the contract's current form, so
	// it goes around the contract-checking client.
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/api/v1/downloads?status=queued,failed", nil)
	resp, err := (&http.Client{Jar: w.c.Jar()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Deprecation") == "" {
		t.Errorf("status=queued,failed: %d, Deprecation %q", resp.StatusCode, resp.Header.Get("Deprecation"))
	}
	if r := w.c.Get("/api/v1/downloads?status=queued&status=failed"); r.Status != http.StatusOK || r.Header.Get("Deprecation") != "" {
		t.Errorf("repeated status: %d, Deprecation %q", r.Status, r.Header.Get("Deprecation"))
	}
}

// TestScopeAsksForEveryonesData: scope=own|all asks for everyone's data the
// same way on every list: an admin narrows a list to their own with
// scope=own, gets everyone's with scope=all (the lists' default for
// admins), a user asking for all is refused; the API keys list's old
// all=true still works and says it is deprecated.
func TestScopeAsksForEveryonesData(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	admin := newAccount(t, env, authz.RoleAdmin)
	user := newAccount(t, env, authz.RoleUser)
	ac, _ := signIn(t, env, admin)
	uc, _ := signIn(t, env, user)
	for _, c := range []*apitest.Client{ac, uc} {
		submitURL(t, c, "http://127.0.0.1:9/a.mp4")
		createKey(t, c, "k", []authz.Scope{authz.ScopeDownloadsRead})
	}
	count := func(c *apitest.Client, path string) int {
		t.Helper()
		var page struct {
			Items []map[string]any `json:"items"`
		}
		expectStatus(t, c.Get(path), http.StatusOK).JSON(&page)
		return len(page.Items)
	}
	for _, tt := range []struct {
		c    *apitest.Client
		path string
		want int
	}{
		{ac, "/api/v1/downloads", 2},
		{ac, "/api/v1/downloads?scope=all", 2},
		{ac, "/api/v1/downloads?scope=own", 1},
		{uc, "/api/v1/downloads?scope=own", 1},
		{ac, "/api/v1/api-keys", 1},
		{ac, "/api/v1/api-keys?scope=own", 1},
		{ac, "/api/v1/api-keys?scope=all", 2},
		{ac, "/api/v1/files?scope=own", 0},
	} {
		if got := count(tt.c, tt.path); got != tt.want {
			t.Errorf("%s: %d items, want %d", tt.path, got, tt.want)
		}
	}
	for _, path := range []string{"/api/v1/downloads?scope=all", "/api/v1/files?scope=all", "/api/v1/api-keys?scope=all"} {
		expectProblem(t, uc.Get(path), http.StatusForbidden)
	}
	r := expectStatus(t, ac.Get("/api/v1/api-keys?all=true"), http.StatusOK)
	if r.Header.Get("Deprecation") == "" {
		t.Error("all=true without Deprecation")
	}
	if count(ac, "/api/v1/api-keys?all=true") != 2 {
		t.Error("all=true is no longer everyone's keys")
	}
	expectProblem(t, ac.Get("/api/v1/downloads?scope=own&user_id="+user.ID.String()), http.StatusBadRequest)
}
