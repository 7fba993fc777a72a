package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// syncItem is what an incremental sync reads of a download or a file.
type syncItem struct {
	ID        string    `json:"id"`
	UpdatedAt time.Time `json:"updated_at"`
}

type syncPage struct {
	Items      []syncItem `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

// TestListUpdatedSince: a client syncing incrementally asks each list for
// what changed at or after the newest updated_at it saw, oldest change first
// (sort=updated_at, paged), and gets exactly the items changed since: a
// canceled download, a pinned file. A bad time is a 400 naming the field,
// and a cursor belongs to its updated_since.
func TestListUpdatedSince(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	user := newAccount(t, env, authz.RoleUser)
	w := dlWorld{env: env, user: user}
	w.c, _ = signIn(t, env, user)
	var downloads, files []string
	for _, name := range []string{"a", "b", "c"} {
		downloads = append(downloads, submitURL(t, w.c, "http://127.0.0.1:9/"+name+".mp4").ID.String())
		files = append(files, registerFile(t, w, user.ID.String()+"/generic/"+name+".mp4", []byte(name)).ID.String())
	}
	// One change on each list, after everything was created.
	var canceled, pinned syncItem
	expectStatus(t, w.c.Post("/api/v1/downloads/"+downloads[0]+"/cancel", nil), http.StatusOK).JSON(&canceled)
	expectStatus(t, w.c.Do(http.MethodPatch, "/api/v1/files/"+files[0], map[string]any{"pinned": true}), http.StatusOK).JSON(&pinned)

	for _, tt := range []struct {
		list    string
		changed syncItem
		all     []string
	}{
		{"/api/v1/downloads", canceled, downloads},
		{"/api/v1/files", pinned, files},
	} {
		t.Run(tt.list, func(t *testing.T) {
			t.Parallel()
			list := func(query string) []syncItem {
				t.Helper()
				var out []syncItem
				cursor := ""
				for range 10 {
					var p syncPage
					expectStatus(t, w.c.Get(tt.list+"?limit=1&"+query+cursor), http.StatusOK).JSON(&p)
					out = append(out, p.Items...)
					if p.NextCursor == nil {
						return out
					}
					cursor = "&cursor=" + url.QueryEscape(*p.NextCursor)
				}
				t.Fatalf("%s?%s: more pages than items", tt.list, query)
				return nil
			}
			everything := list("sort=updated_at")
			if len(everything) != 3 || everything[2].ID != tt.changed.ID {
				t.Fatalf("sort=updated_at: %+v, want the changed item %s last", everything, tt.changed.ID)
			}
			for i := 1; i < len(everything); i++ {
				if everything[i].UpdatedAt.Before(everything[i-1].UpdatedAt) {
					t.Errorf("sort=updated_at out of order: %+v", everything)
				}
			}
			if desc := list("sort=-updated_at"); desc[0].ID != tt.changed.ID {
				t.Errorf("sort=-updated_at: %+v", desc)
			}

			since := tt.changed.UpdatedAt.UTC().Format(time.RFC3339Nano)
			var want []string
			for _, it := range everything {
				if !it.UpdatedAt.Before(tt.changed.UpdatedAt) {
					want = append(want, it.ID)
				}
			}
			got := list("sort=updated_at&updated_since=" + url.QueryEscape(since))
			var gotIDs []string
			for _, it := range got {
				gotIDs = append(gotIDs, it.ID)
			}
			if !slices.Equal(gotIDs, want) || len(want) == 3 || !slices.Contains(gotIDs, tt.changed.ID) {
				t.Errorf("updated_since=%s: %v, want %v (the change, not what came before)", since, gotIDs, want)
			}
			// Any RFC 3339 offset means the same instant.
			other := tt.changed.UpdatedAt.In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano)
			if n := len(list("updated_since=" + url.QueryEscape(other))); n != len(want) {
				t.Errorf("updated_since=%s: %d items, want %d", other, n, len(want))
			}
			if n := len(list("updated_since=" + url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))); n != 0 {
				t.Errorf("updated_since an hour ahead: %d items", n)
			}

			p := expectProblem(t, w.c.Get(tt.list+"?updated_since=yesterday"), http.StatusBadRequest)
			if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "updated_since" {
				t.Errorf("bad updated_since: %v", p)
			}
			var first syncPage
			expectStatus(t, w.c.Get(tt.list+"?limit=1&sort=updated_at&updated_since=2000-01-01T00:00:00Z"), http.StatusOK).JSON(&first)
			if first.NextCursor == nil {
				t.Fatal("no next_cursor")
			}
			expectProblem(t, w.c.Get(tt.list+"?sort=updated_at&updated_since=2001-01-01T00:00:00Z&cursor="+url.QueryEscape(*first.NextCursor)), http.StatusBadRequest)
		})
	}
}
