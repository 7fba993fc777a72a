package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestDuplicateSubmissionWarns: a user who downloaded an item and submits
// it again gets a 409 linking the earlier download and its file, and
// nothing is queued; allow_duplicate downloads it again. Another user's
// archive is theirs alone, and a different item is no duplicate.
func TestDuplicateSubmissionWarns(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	video := srv.URL(testmedia.PathVideo)
	first := waitCompleted(t, w.env, w.c, submitURL(t, w.c, video).ID)
	if len(first.Files) != 1 {
		t.Fatalf("first download: %s", first)
	}
	before := countRows(t, w.env, "downloads", "user_id = ?", w.user.ID)

	p := expectProblem(t, w.c.Post("/api/v1/downloads", map[string]any{"url": video}), http.StatusConflict)
	if p["type"] != "https://downlink.dev/problems/already-downloaded" ||
		p["existing_download_id"] != first.ID.String() || p["existing_file_id"] != first.Files[0].ID.String() {
		t.Errorf("duplicate problem %v, want links to %s and its file %s", p, first.ID, first.Files[0].ID)
	}
	if n := countRows(t, w.env, "downloads", "user_id = ?", w.user.ID); n != before {
		t.Errorf("%d downloads after the refused duplicate, want %d", n, before)
	}

	// A different item, and the same item for another user, are new.
	other := submitURL(t, w.c, video+"?copy=2")
	waitCompleted(t, w.env, w.c, other.ID)
	u2 := newAccount(t, w.env, authz.RoleUser)
	c2, _ := signIn(t, w.env, u2)
	waitCompleted(t, w.env, c2, submitURL(t, c2, video).ID)

	again := submit(t, w.c, map[string]any{"url": video, "allow_duplicate": true})
	if done := waitCompleted(t, w.env, w.c, again.ID); len(done.Files) != 1 {
		t.Errorf("download again: %s", done)
	}
	// The archive now points at the newest download.
	p = expectProblem(t, w.c.Post("/api/v1/downloads", map[string]any{"url": video}), http.StatusConflict)
	if p["existing_download_id"] != again.ID.String() {
		t.Errorf("duplicate links %v, want the newest download %s", p["existing_download_id"], again.ID)
	}
	// Once the download is deleted there is nothing to point at: no warning.
	for _, id := range []string{first.ID.String(), again.ID.String()} {
		expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/downloads/"+id+"?delete_files=true", nil), http.StatusNoContent)
	}
	waitCompleted(t, w.env, w.c, submitURL(t, w.c, video).ID)
}
