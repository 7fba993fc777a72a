package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestConditionalRequests: a resource's ETag gets 304 from If-None-Match
// while it is unchanged and 200 with a new ETag once it changed; an update
// whose If-Match names an older version is 412 and changes nothing, one
// naming the current version goes through.
func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	admin := newAccount(t, env, authz.RoleAdmin)
	w := dlWorld{env: env, user: admin}
	w.c, _ = signIn(t, env, admin)
	f := registerFile(t, w, admin.ID.String()+"/generic/a.mp4", []byte("media"))
	d := submitURL(t, w.c, "http://127.0.0.1:9/a.mp4")
	filePath := "/api/v1/files/" + f.ID.String()

	etag := func(r *apitest.Response) string {
		t.Helper()
		tag := r.Header.Get("ETag")
		if len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
			t.Fatalf("ETag %q is not a strong entity tag", tag)
		}
		return tag
	}
	notModified := func(path, tag string) {
		t.Helper()
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			r := w.c.Do(m, path, nil, "If-None-Match", `"other", `+tag)
			if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != tag {
				t.Fatalf("%s %s If-None-Match current: %d ETag %q body %q", m, path, r.Status, r.Header.Get("ETag"), r.Body)
			}
		}
	}

	t.Run("download", func(t *testing.T) {
		path := "/api/v1/downloads/" + d.ID.String()
		tag := etag(expectStatus(t, w.c.Get(path), http.StatusOK))
		notModified(path, tag)
		expectStatus(t, w.c.Get(path, "If-None-Match", `"stale"`), http.StatusOK)
	})

	t.Run("file", func(t *testing.T) {
		v1 := etag(expectStatus(t, w.c.Get(filePath), http.StatusOK))
		notModified(filePath, v1)
		r := expectStatus(t, w.c.Do(http.MethodPatch, filePath, map[string]any{"pinned": true}, "If-Match", v1), http.StatusOK)
		v2 := etag(r)
		if v2 == v1 {
			t.Fatal("pinning kept the ETag")
		}
		if got := etag(expectStatus(t, w.c.Get(filePath, "If-None-Match", v1), http.StatusOK)); got != v2 {
			t.Fatalf("GET after PATCH: ETag %s, the PATCH answered %s", got, v2)
		}
		p := expectProblem(t, w.c.Do(http.MethodPatch, filePath, map[string]any{"pinned": false}, "If-Match", v1), http.StatusPreconditionFailed)
		if p["type"] != "https://downlink.dev/problems/precondition-failed" {
			t.Fatalf("problem %v", p)
		}
		var now map[string]any
		expectStatus(t, w.c.Get(filePath), http.StatusOK).JSON(&now)
		if now["pinned"] != true {
			t.Fatalf("a refused update changed the file: %v", now)
		}
		// A weak tag never matches If-Match.
		expectProblem(t, w.c.Do(http.MethodPatch, filePath, map[string]any{"pinned": false}, "If-Match", "W/"+v2), http.StatusPreconditionFailed)
		expectStatus(t, w.c.Do(http.MethodPatch, filePath, map[string]any{"pinned": false}, "If-Match", v2), http.StatusOK)
	})

	t.Run("settings", func(t *testing.T) {
		r := expectStatus(t, w.c.Get("/api/v1/settings"), http.StatusOK)
		v1 := etag(r)
		notModified("/api/v1/settings", v1)
		var s map[string]any
		r.JSON(&s)
		s["min_free_disk_bytes"] = s["min_free_disk_bytes"].(float64) + 1
		v2 := etag(expectStatus(t, w.c.Do(http.MethodPut, "/api/v1/settings", s, "If-Match", v1), http.StatusOK))
		s["min_free_disk_bytes"] = s["min_free_disk_bytes"].(float64) + 1
		expectProblem(t, w.c.Do(http.MethodPut, "/api/v1/settings", s, "If-Match", v1), http.StatusPreconditionFailed)
		var now map[string]any
		expectStatus(t, w.c.Get("/api/v1/settings", "If-None-Match", v1), http.StatusOK).JSON(&now)
		if now["min_free_disk_bytes"] != s["min_free_disk_bytes"].(float64)-1 {
			t.Fatalf("a refused update changed the settings: %v", now["min_free_disk_bytes"])
		}
		notModified("/api/v1/settings", v2)
	})
}
