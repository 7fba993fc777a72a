package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestCursorIsBoundToItsFilters: a next_cursor continues the list it came
// from (same filters and sort; another page size is fine), and used with
// other filters or another sort it is a 400 "Invalid cursor" rather than
// a page that skips or repeats rows.
func TestCursorIsBoundToItsFilters(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	admin := newAccount(t, env, authz.RoleAdmin)
	w := dlWorld{env: env, user: admin}
	w.c, _ = signIn(t, env, admin)
	for _, name := range []string{"a", "b", "c"} {
		submitURL(t, w.c, "http://127.0.0.1:9/"+name+".mp4")
		registerFile(t, w, admin.ID.String()+"/generic/"+name+".mp4", []byte(name))
		createKey(t, w.c, "key "+name, []authz.Scope{authz.ScopeDownloadsRead})
	}

	tests := []struct {
		list, query string
		same        []string // other queries the cursor continues
		other       []string // queries it does not belong to
	}{
		{"/api/v1/downloads", "status=queued", []string{"status=queued&limit=2"},
			[]string{"", "status=failed", "status=queued&platform=generic", "status=queued&sort=title", "status=queued&q=a"}},
		{"/api/v1/files", "q=mp4", []string{"q=mp4&limit=5"},
			[]string{"", "q=mp", "q=mp4&type=video", "q=mp4&sort=name"}},
		{"/api/v1/api-keys", "", []string{"limit=3"}, []string{"all=true"}},
	}
	for _, tt := range tests {
		t.Run(tt.list+"?"+tt.query, func(t *testing.T) {
			var first struct {
				Items      []map[string]any `json:"items"`
				NextCursor *string          `json:"next_cursor"`
			}
			expectStatus(t, w.c.Get(tt.list+"?limit=1&"+tt.query), http.StatusOK).JSON(&first)
			if first.NextCursor == nil {
				t.Fatalf("no next_cursor after one of several items")
			}
			cur := "cursor=" + url.QueryEscape(*first.NextCursor)
			for _, q := range tt.same {
				var next struct {
					Items []map[string]any `json:"items"`
				}
				expectStatus(t, w.c.Get(tt.list+"?"+q+"&"+cur), http.StatusOK).JSON(&next)
				if len(next.Items) == 0 || next.Items[0]["id"] == first.Items[0]["id"] {
					t.Fatalf("%s: the cursor did not continue the list: %v", q, next.Items)
				}
			}
			for _, q := range tt.other {
				path := tt.list + "?" + strings.TrimPrefix(q+"&"+cur, "&")
				p := expectProblem(t, w.c.Get(path), http.StatusBadRequest)
				if p["title"] != "Invalid cursor" || p["type"] != "https://downlink.dev/problems/invalid-cursor" {
					t.Fatalf("%s: %v", q, p)
				}
			}
		})
	}
}
