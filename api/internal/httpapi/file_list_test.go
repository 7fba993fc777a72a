package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// listAllFiles follows next_cursor to the end.
func listAllFiles(t *testing.T, c *apitest.Client, query string) []dlFile {
	t.Helper()
	var all []dlFile
	cursor := ""
	for page := 0; page < 50; page++ {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		var p struct {
			Items      []dlFile `json:"items"`
			NextCursor *string  `json:"next_cursor"`
		}
		expectStatus(t, c.Get("/api/v1/files?"+q), http.StatusOK).JSON(&p)
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all
		}
		cursor = *p.NextCursor
	}
	t.Fatalf("more than 50 pages for %s", query)
	return nil
}

func fileNames(fs []dlFile) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// TestFileList filters, sorts and pages the library.
func TestFileList(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, noWorkers())
	u := w.user.ID.String()
	for i, name := range []string{"a_b clip.mp4", "100% pure.mp3", "Plain.mp4", "ab clip.mp4", "cover.jpg"} {
		registerFile(t, w, u+"/generic/"+name, []byte(strings.Repeat("x", 10*(i+1))))
	}
	other := newAccount(t, w.env, authz.RoleUser)
	ow := dlWorld{env: w.env, user: other}
	ow.c, _ = signIn(t, w.env, other)
	registerFile(t, ow, other.ID.String()+"/generic/theirs.mp4", []byte("theirs"))

	tests := []struct {
		query string
		want  []string // in order
	}{
		{"sort=name&limit=2", []string{"100% pure.mp3", "Plain.mp4", "a_b clip.mp4", "ab clip.mp4", "cover.jpg"}},
		{"sort=-size&limit=2", []string{"cover.jpg", "ab clip.mp4", "Plain.mp4", "100% pure.mp3", "a_b clip.mp4"}},
		{"sort=size&limit=3", []string{"a_b clip.mp4", "100% pure.mp3", "Plain.mp4", "ab clip.mp4", "cover.jpg"}},
		{"q=_&sort=name", []string{"a_b clip.mp4"}},
		{"q=" + url.QueryEscape("%") + "&sort=name", []string{"100% pure.mp3"}},
		{"q=PLAIN", []string{"Plain.mp4"}},
		{"q=clip&sort=name", []string{"a_b clip.mp4", "ab clip.mp4"}},
		{"type=audio", []string{"100% pure.mp3"}},
		{"type=image", []string{"cover.jpg"}},
		{"platform=youtube", nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			if got := fileNames(listAllFiles(t, w.c, tc.query)); !slices.Equal(got, tc.want) {
				t.Errorf("%q, want %q", got, tc.want)
			}
		})
	}
	t.Run("pinned", func(t *testing.T) {
		all := listAllFiles(t, w.c, "sort=name")
		var f dlFile
		expectStatus(t, w.c.Do(http.MethodPatch, "/api/v1/files/"+all[0].ID.String(), map[string]any{"pinned": true}),
			http.StatusOK).JSON(&f)
		if !f.Pinned {
			t.Errorf("patch: %+v", f)
		}
		if got := fileNames(listAllFiles(t, w.c, "pinned=true")); !slices.Equal(got, []string{all[0].Name}) {
			t.Errorf("pinned=true: %q", got)
		}
		if got := listAllFiles(t, w.c, "pinned=false"); len(got) != 4 {
			t.Errorf("pinned=false: %d", len(got))
		}
	})
	t.Run("own and admin", func(t *testing.T) {
		if got := fileNames(listAllFiles(t, ow.c, "")); !slices.Equal(got, []string{"theirs.mp4"}) {
			t.Errorf("other user lists %q", got)
		}
		expectProblem(t, ow.c.Get("/api/v1/files?user_id="+u), http.StatusForbidden)
		admin := newAccount(t, w.env, authz.RoleAdmin)
		ac, _ := signIn(t, w.env, admin)
		if got := listAllFiles(t, ac, "limit=4"); len(got) != 6 {
			t.Errorf("admin lists %d", len(got))
		}
		got := fileNames(listAllFiles(t, ac, "user_id="+other.ID.String()))
		sort.Strings(got)
		if !slices.Equal(got, []string{"theirs.mp4"}) {
			t.Errorf("admin user_id: %q", got)
		}
	})
}
