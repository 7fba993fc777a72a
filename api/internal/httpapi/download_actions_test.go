package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testmedia"
)

func workers(n int) apitest.Option {
	return apitest.WithConfig(func(c *config.Config) { c.Workers = n })
}

// TestDownloadCancelPlaylist cancels a feed's parent while its children
// download one at a time: every unfinished child is canceled, nothing
// keeps running, and canceled children have no files.
func TestDownloadCancelPlaylist(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, workers(1))
	srv := testmedia.NewServer(t)
	parent := submitURL(t, w.c, srv.FeedURL(6))
	waitDownload(t, w.env, w.c, parent.ID, downloadTimeout, "expanded", func(d download) bool {
		if d.final() {
			t.Fatalf("parent finished before the cancel: %s", d)
		}
		return d.ChildrenCount == 6
	})
	var c download
	expectStatus(t, w.c.Post("/api/v1/downloads/"+parent.ID.String()+"/cancel", nil), http.StatusOK).JSON(&c)
	if c.Status != "canceled" {
		t.Errorf("cancel answered %s", c)
	}
	waitNoProcesses(t, processGoneTimeout, w.env.Cfg.DataDir)
	var page downloadPage
	expectStatus(t, w.c.Get("/api/v1/downloads?parent_id="+parent.ID.String()+"&limit=20"), http.StatusOK).JSON(&page)
	canceled := 0
	for _, ch := range page.Items {
		switch ch.Status {
		case "canceled":
			canceled++
			if len(ch.Files) != 0 {
				t.Errorf("canceled child has files: %s", ch)
			}
		case "completed":
			if len(ch.Files) != 1 {
				t.Errorf("completed child: %s", ch)
			}
		default:
			t.Errorf("child %d still %s after the parent's cancel", ch.PlaylistIndex, ch.Status)
		}
	}
	if canceled == 0 {
		t.Errorf("no child was canceled")
	}
	// Nothing moves afterwards: once no job is left that a worker could
	// pick, the rows must still say what the cancel left.
	waitQueueIdle(t, w.env, downloadTimeout)
	p := getDownload(t, w.c, parent.ID)
	if p.Status != "canceled" || p.ChildrenSummary["canceled"] != canceled {
		t.Errorf("parent after the cancel: %s (canceled children %d)", p, canceled)
	}
	if n := countRows(t, w.env, "files", "user_id = ?", w.user.ID); n != int64(6-canceled) {
		t.Errorf("%d files for %d completed children", n, 6-canceled)
	}
	if _, err := os.Stat(jobDir(w.env, parent.ID)); !os.IsNotExist(err) {
		t.Errorf("parent's job folder: %v", err)
	}

	// Retry brings the canceled children back, and they finish.
	var r download
	expectStatus(t, w.c.Post("/api/v1/downloads/"+parent.ID.String()+"/retry", nil), http.StatusAccepted).JSON(&r)
	if r.Status != "queued" {
		t.Errorf("retried parent: %s", r)
	}
	done := waitCompleted(t, w.env, w.c, parent.ID)
	if done.ChildrenSummary["completed"] != 6 {
		t.Errorf("after retry: %v", done.ChildrenSummary)
	}
	if n := countRows(t, w.env, "files", "user_id = ?", w.user.ID); n != 6 {
		t.Errorf("%d files after the retry, want 6", n)
	}
}

// TestDownloadDeleteWhileRunning deletes a download in the middle, with
// its files: the process goes, the folder goes, the row goes, and no file
// is registered.
func TestDownloadDeleteWhileRunning(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	d := submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 250_000))
	waitStatus(t, w.env, w.c, d.ID, "downloading")
	waitProcess(t, 30*time.Second, d.ID.String())
	expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/downloads/"+d.ID.String()+"?delete_files=true", nil), http.StatusNoContent)
	waitNoProcesses(t, processGoneTimeout, d.ID.String())
	expectProblem(t, w.c.Get("/api/v1/downloads/"+d.ID.String()), http.StatusNotFound)
	waitGone(t, jobDir(w.env, d.ID), processGoneTimeout)
	if n := countRows(t, w.env, "files", ""); n != 0 {
		t.Errorf("%d file rows", n)
	}
	if n := countRows(t, w.env, "downloads", ""); n != 0 {
		t.Errorf("%d download rows", n)
	}
	if names, _ := libraryEntries(w.env, w.user); len(names) != 0 {
		t.Errorf("library holds %v", names)
	}
}

// TestDownloadEventsStayWithTheirOwner streams events for two users and
// an admin: a user's download events reach that user and the admin's
// scope=all stream, never the other user.
func TestDownloadEventsStayWithTheirOwner(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	other := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other)
	admin := newAccount(t, w.env, authz.RoleAdmin)
	ac, _ := signIn(t, w.env, admin)
	mine := openSSE(t, w.env.URL, w.c, "")
	theirs := openSSE(t, w.env.URL, oc, "")
	all := openSSE(t, w.env.URL, ac, "?scope=all")
	// A key with downloads:read streams too (no cookies).
	k := createKey(t, w.c, "events", []authz.Scope{authz.ScopeDownloadsRead})
	keyStream := openSSEWithKey(t, w.env.URL, k.Key)

	d := submitURL(t, w.c, srv.URL(testmedia.PathVideo))
	id := d.ID.String()
	completed := func(e sseEvent) bool {
		var v struct{ ID, Status string }
		return e.Type == "download.updated" && json.Unmarshal(e.Data, &v) == nil && v.ID == id && v.Status == "completed"
	}
	mine.WaitFor(downloadTimeout, "own completed", completed)
	all.WaitFor(downloadTimeout, "admin's completed", completed)
	keyStream.WaitFor(downloadTimeout, "key's completed", completed)
	mine.WaitFor(downloadTimeout, "own file.created", func(e sseEvent) bool { return e.Type == "file.created" })
	// Let anything misrouted arrive, then look.
	time.Sleep(500 * time.Millisecond)
	for _, e := range theirs.Events() {
		if e.Type != "events.resync" {
			t.Errorf("the other user received %s %s", e.Type, e.Data)
		}
	}
	for _, e := range keyStream.Events() {
		if e.Type == "file.created" {
			t.Errorf("a key without files:read received %s", e.Type)
		}
	}
}

// openSSEWithKey opens the event stream with an API key header.
func openSSEWithKey(t *testing.T, baseURL, key string) *sseClient {
	t.Helper()
	return openSSEHeader(t, baseURL, "", http.Header{"Authorization": {"Bearer " + key}})
}

// TestDownloadProbe describes local media without downloading it.
func TestDownloadProbe(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	var video struct {
		Platform string   `json:"platform"`
		Kind     string   `json:"kind"`
		Title    *string  `json:"title"`
		Duration *float64 `json:"duration_seconds"`
		Formats  []struct {
			FormatID string `json:"format_id"`
			Ext      string `json:"ext"`
		} `json:"formats"`
		Playlist *struct {
			Count *int `json:"count"`
		} `json:"playlist"`
	}
	expectStatus(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": srv.PageURL(testmedia.PathVideo)}), http.StatusOK).JSON(&video)
	if video.Platform != "generic" || video.Title == nil || len(video.Formats) == 0 || video.Playlist != nil {
		t.Errorf("probe of a page: %+v", video)
	}
	var feed = video
	feed.Playlist = nil
	expectStatus(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": srv.FeedURL(3)}), http.StatusOK).JSON(&feed)
	if feed.Playlist == nil || feed.Playlist.Count == nil || *feed.Playlist.Count != 3 || feed.Kind != "playlist" {
		t.Errorf("probe of a feed: %+v", feed)
	}
	// A probe queues nothing and leaves no folder behind.
	if n := countRows(t, w.env, "downloads", ""); n != 0 {
		t.Errorf("%d download rows after probes", n)
	}
	if names, _ := readDirNames(filepath.Dir(jobDir(w.env, uuid.Nil))); len(names) != 0 {
		t.Errorf("temp folders left: %v", names)
	}
	if srv.Count(testmedia.PathVideo) != 0 {
		t.Errorf("the probe downloaded the media")
	}
	// The same URL rules apply.
	expectProblem(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": "file:///etc/passwd"}), http.StatusUnprocessableEntity)
	// A missing page is the site's answer, not a server error: 422 with
	// the failure's code, as the contract says.
	p := expectProblem(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": srv.StatusURL(404)}), http.StatusUnprocessableEntity)
	if p["type"] != "https://downlink.dev/problems/media-unavailable" || p["code"] != "unavailable" {
		t.Errorf("probe of a 404: %v", p)
	}
	// A site that does not answer is a failed probe (502), with its code.
	p = expectProblem(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": "http://127.0.0.1:9/video.mp4"}), http.StatusBadGateway)
	if p["type"] != "https://downlink.dev/problems/probe-failed" || p["code"] != "connection_refused" {
		t.Errorf("probe of a closed port: %v", p)
	}
}
