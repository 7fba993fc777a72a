package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// downloadPage is GET /downloads.
type downloadPage struct {
	Items      []download `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

// listAll follows next_cursor from query to the end and returns every
// item, failing on a repeated item or a runaway.
func listAll(t *testing.T, c *apitest.Client, query string) []download {
	t.Helper()
	var all []download
	seen := map[uuid.UUID]bool{}
	cursor := ""
	for page := 0; ; page++ {
		if page > 50 {
			t.Fatalf("more than 50 pages for %s", query)
		}
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		var p downloadPage
		expectStatus(t, c.Get("/api/v1/downloads?"+q), http.StatusOK).JSON(&p)
		for _, d := range p.Items {
			if seen[d.ID] {
				t.Fatalf("%s: %s listed twice", query, d.ID)
			}
			seen[d.ID] = true
			all = append(all, d)
		}
		if p.NextCursor == nil || *p.NextCursor == "" {
			return all
		}
		cursor = *p.NextCursor
	}
}

func ids(ds []download) []uuid.UUID {
	out := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// TestDownloadList lists, filters, sorts and pages downloads, each user
// seeing their own and admins everyone's.
func TestDownloadList(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, noWorkers())
	db := w.env.App.Store.DB
	type seed struct {
		title, status, platform, path string
	}
	seeds := []seed{
		{"Charlie live", "completed", "generic", "/c.mp4"},
		{"alpha session", "failed", "generic", "/a.mp4"},
		{"Echo", "queued", "generic", "/e.mp4"},
		{"bravo mix", "completed", "youtube", "/b.mp4"},
		{"Delta needle", "canceled", "generic", "/d-needle-path.mp4"},
	}
	var made []download
	for _, s := range seeds {
		d := submitURL(t, w.c, "http://127.0.0.1:9"+s.path)
		// Shape the rows directly: this test is about the list, not the
		// worker.
		if err := db.Table("downloads").Where("id = ?", d.ID).Updates(map[string]any{
			"title": s.title, "status": s.status, "platform": s.platform}).Error; err != nil {
			t.Fatal(err)
		}
		made = append(made, d)
	}
	newestFirst := slices.Clone(made)
	slices.Reverse(newestFirst)

	t.Run("pages of two", func(t *testing.T) {
		all := listAll(t, w.c, "limit=2")
		if !slices.Equal(ids(all), ids(newestFirst)) {
			t.Errorf("paged list %v, want newest first %v", ids(all), ids(newestFirst))
		}
		var first downloadPage
		expectStatus(t, w.c.Get("/api/v1/downloads?limit=2"), http.StatusOK).JSON(&first)
		if len(first.Items) != 2 || first.NextCursor == nil {
			t.Errorf("first page: %d items, cursor %v", len(first.Items), first.NextCursor)
		}
		var whole downloadPage
		expectStatus(t, w.c.Get("/api/v1/downloads?limit=5"), http.StatusOK).JSON(&whole)
		if len(whole.Items) != 5 || whole.NextCursor != nil {
			t.Errorf("exact page: %d items, cursor %v", len(whole.Items), whole.NextCursor)
		}
	})
	t.Run("oldest first", func(t *testing.T) {
		if got := listAll(t, w.c, "limit=2&sort=created_at"); !slices.Equal(ids(got), ids(made)) {
			t.Errorf("got %v, want %v", ids(got), ids(made))
		}
	})
	titles := func(ds []download) []string {
		var out []string
		for _, d := range ds {
			out = append(out, *d.Title)
		}
		return out
	}
	t.Run("sort by title", func(t *testing.T) {
		want := []string{"Charlie live", "alpha session", "Echo", "bravo mix", "Delta needle"}
		sort.Strings(want)
		got := titles(listAll(t, w.c, "limit=2&sort=title"))
		// Either byte order or case-insensitive order is a sort; it must be
		// one of them, the same across pages.
		ci := slices.Clone(want)
		sort.Slice(ci, func(i, j int) bool { return strings.ToLower(ci[i]) < strings.ToLower(ci[j]) })
		if !slices.Equal(got, want) && !slices.Equal(got, ci) {
			t.Errorf("sort=title: %q", got)
		}
		desc := titles(listAll(t, w.c, "limit=2&sort=-title"))
		slices.Reverse(desc)
		if !slices.Equal(desc, got) {
			t.Errorf("sort=-title is not the reverse: %q vs %q", desc, got)
		}
	})
	t.Run("sort by status", func(t *testing.T) {
		got := listAll(t, w.c, "limit=2&sort=status")
		for i := 1; i < len(got); i++ {
			if got[i-1].Status > got[i].Status {
				t.Errorf("sort=status out of order: %s before %s", got[i-1].Status, got[i].Status)
			}
		}
		if len(got) != 5 {
			t.Errorf("%d items", len(got))
		}
	})
	filters := []struct {
		query string
		want  []string // titles, any order
	}{
		{"status=completed", []string{"Charlie live", "bravo mix"}},
		{"status=failed&status=canceled", []string{"alpha session", "Delta needle"}},
		{"status=failed&status=queued", []string{"alpha session", "Echo"}},
		{"platform=generic", []string{"Charlie live", "alpha session", "Echo", "Delta needle"}},
		{"platform=youtube", []string{"bravo mix"}},
		{"platform=youtube&status=failed", nil},
		{"q=ALPHA", []string{"alpha session"}},
		{"q=needle-path", []string{"Delta needle"}}, // the URL
		{"q=" + url.QueryEscape("%"), nil},          // LIKE wildcards are text
		{"q=" + url.QueryEscape("_"), nil},
		{"q=nothing-matches", nil},
		{"status=completed&limit=1", []string{"Charlie live", "bravo mix"}},
	}
	for _, f := range filters {
		t.Run(f.query, func(t *testing.T) {
			got := titles(listAll(t, w.c, f.query))
			sort.Strings(got)
			want := slices.Clone(f.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: %q, want %q", f.query, got, want)
			}
		})
	}
	t.Run("bad parameters", func(t *testing.T) {
		for _, q := range []string{"sort=size", "status=done", "limit=0", "limit=100000", "cursor=garbage",
			"user_id=not-a-uuid", "parent_id=x", "include_children=maybe"} {
			r := w.c.Get("/api/v1/downloads?" + q)
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 400", q, r.Status)
			}
		}
		// A cursor made for another sort is refused, not misread.
		var p downloadPage
		expectStatus(t, w.c.Get("/api/v1/downloads?limit=1&sort=title"), http.StatusOK).JSON(&p)
		if p.NextCursor == nil {
			t.Fatal("no cursor")
		}
		r := w.c.Get("/api/v1/downloads?limit=1&sort=created_at&cursor=" + url.QueryEscape(*p.NextCursor))
		if r.Status != http.StatusBadRequest {
			t.Errorf("a title cursor with sort=created_at: %d", r.Status)
		}
	})

	// Another user sees none of these and cannot touch them.
	other := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other)
	theirs := submitURL(t, oc, "http://127.0.0.1:9/theirs.mp4")
	t.Run("users see their own", func(t *testing.T) {
		if got := listAll(t, oc, "limit=10"); len(got) != 1 || got[0].ID != theirs.ID {
			t.Errorf("other user lists %v", ids(got))
		}
		if got := listAll(t, w.c, "limit=10"); len(got) != 5 || slices.Contains(ids(got), theirs.ID) {
			t.Errorf("user lists %v", ids(got))
		}
		target := made[2].ID.String() // queued, so cancel would work for its owner
		for _, rq := range []responseCase{
			{"GET", "/api/v1/downloads/" + target},
			{"POST", "/api/v1/downloads/" + target + "/cancel"},
			{"POST", "/api/v1/downloads/" + made[1].ID.String() + "/retry"},
			{"DELETE", "/api/v1/downloads/" + target},
		} {
			expectProblem(t, oc.Do(rq.method, rq.path, nil), http.StatusNotFound)
		}
		if d := getDownload(t, w.c, made[2].ID); d.Status != "queued" {
			t.Errorf("another user's requests changed the download: %s", d)
		}
		if d := getDownload(t, w.c, made[1].ID); d.Status != "failed" {
			t.Errorf("another user's retry changed the download: %s", d)
		}
		expectProblem(t, oc.Get("/api/v1/downloads?user_id="+w.user.ID.String()), http.StatusForbidden)
	})
	t.Run("admins see everyone's", func(t *testing.T) {
		admin := newAccount(t, w.env, authz.RoleAdmin)
		ac, _ := signIn(t, w.env, admin)
		if got := listAll(t, ac, "limit=4"); len(got) != 6 {
			t.Errorf("admin lists %d, want 6", len(got))
		}
		if got := listAll(t, ac, "limit=2&user_id="+other.ID.String()); len(got) != 1 || got[0].ID != theirs.ID {
			t.Errorf("admin user_id filter: %v", ids(got))
		}
		if got := listAll(t, ac, "user_id="+w.user.ID.String()+"&status=completed"); len(got) != 2 {
			t.Errorf("admin user_id+status: %d", len(got))
		}
		d := getDownload(t, ac, theirs.ID)
		if d.UserID != other.ID {
			t.Errorf("admin get: %s", d)
		}
		var c download
		expectStatus(t, ac.Post("/api/v1/downloads/"+theirs.ID.String()+"/cancel", nil), http.StatusOK).JSON(&c)
		if c.Status != "canceled" {
			t.Errorf("admin cancel: %s", c)
		}
	})
}

// TestDownloadListChildrenPages pages through a playlist's children in
// playlist order (they share one created_at: one transaction made them).
func TestDownloadListChildrenPages(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	parent := waitCompleted(t, w.env, w.c, submitURL(t, w.c, srv.FeedURL(5)).ID)
	if parent.ChildrenCount != 5 {
		t.Fatalf("parent: %s", parent)
	}
	for _, limit := range []string{"1", "2", "3", "5"} {
		got := listAll(t, w.c, "parent_id="+parent.ID.String()+"&limit="+limit)
		if len(got) != 5 {
			t.Errorf("limit=%s: %d children listed, want 5", limit, len(got))
			continue
		}
		for i, d := range got {
			if d.PlaylistIndex != i+1 {
				t.Errorf("limit=%s: item %d has playlist_index %d", limit, i, d.PlaylistIndex)
			}
		}
	}
	// An explicit sort pages too.
	if got := listAll(t, w.c, "parent_id="+parent.ID.String()+"&limit=2&sort=created_at"); len(got) != 5 {
		t.Errorf("sort=created_at: %d children", len(got))
	}
	if got := listAll(t, w.c, "include_children=true&limit=2"); len(got) != 6 {
		t.Errorf("include_children: %d rows, want 6", len(got))
	}
}
