package httpapi_test

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// processGoneTimeout is how long a canceled job's processes may take to
// go: SIGTERM, then SIGKILL after the runner's 3 s grace, on a busy machine.
const processGoneTimeout = 20 * time.Second

// TestDownloadCancelMidDownload cancels a throttled download while yt-dlp
// runs, then retries and deletes it.
func TestDownloadCancelMidDownload(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	// About 3.2 MB at 300 kB/s: ten seconds, long enough to cancel in the
	// middle and short enough to retry to the end.
	d := submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 300_000))
	id := d.ID.String()
	dir := jobDir(w.env, d.ID)
	waitDownload(t, w.env, w.c, d.ID, downloadTimeout, "downloading with bytes", func(d download) bool {
		if d.final() {
			t.Fatalf("ended before the cancel: %s", d)
		}
		return d.Status == "downloading" && d.Progress.DownloadedBytes > 0
	})
	if procs := processesMentioning(id); len(procs) == 0 {
		t.Fatalf("no yt-dlp process mentions the download while it downloads")
	}

	var canceled download
	canceledAt := time.Now()
	expectStatus(t, w.c.Post("/api/v1/downloads/"+id+"/cancel", nil), http.StatusOK).JSON(&canceled)
	if canceled.Status != "canceled" {
		t.Errorf("cancel answered %s", canceled)
	}
	waitNoProcesses(t, processGoneTimeout, id, dir)
	gone := time.Since(canceledAt)
	waitGone(t, dir, processGoneTimeout)
	t.Logf("processes gone %v after the cancel", gone.Round(time.Millisecond))
	got := getDownload(t, w.c, d.ID)
	if got.Status != "canceled" || len(got.Files) != 0 || got.FinishedAt == nil {
		t.Errorf("after cancel: %s", got)
	}
	if n := countRows(t, w.env, "files", "download_id = ?", d.ID); n != 0 {
		t.Errorf("%d file rows after cancel", n)
	}
	if entries, _ := os.ReadDir(libraryPath(w.env, w.user.ID, "generic", "")); len(entries) != 0 {
		t.Errorf("library holds %d files after cancel", len(entries))
	}

	// A second cancel changes nothing and says so with 200.
	var again download
	expectStatus(t, w.c.Post("/api/v1/downloads/"+id+"/cancel", nil), http.StatusOK).JSON(&again)
	if again.Status != "canceled" {
		t.Errorf("second cancel: %s", again)
	}
	// The worker saw the cancel and gave up; once the queue has nothing
	// left to run for it, the status must still be canceled (no retry).
	waitQueueIdle(t, w.env, downloadTimeout)
	if got := getDownload(t, w.c, d.ID); got.Status != "canceled" {
		t.Errorf("status moved on after cancel: %s", got)
	}

	// Retry: back in the queue, and this time to the end.
	var retried download
	expectStatus(t, w.c.Post("/api/v1/downloads/"+id+"/retry", nil), http.StatusAccepted).JSON(&retried)
	if retried.Status != "queued" || retried.Error != nil || retried.FinishedAt != nil {
		t.Errorf("retry answered %s", retried)
	}
	done := waitCompleted(t, w.env, w.c, d.ID)
	f := checkOneLibraryFile(t, w, done)
	big, err := os.ReadFile(testmedia.BigVideo(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.SizeBytes != int64(len(big)) {
		t.Errorf("retried file %d bytes, want %d", f.SizeBytes, len(big))
	}

	// Cancel of a finished download is a conflict.
	expectProblem(t, w.c.Post("/api/v1/downloads/"+id+"/cancel", nil), http.StatusConflict)
	// So is a retry of a completed one.
	expectProblem(t, w.c.Post("/api/v1/downloads/"+id+"/retry", nil), http.StatusConflict)

	// Delete keeping the files: the file stays, owned by no download.
	expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/downloads/"+id+"?delete_files=false", nil), http.StatusNoContent)
	expectProblem(t, w.c.Get("/api/v1/downloads/"+id), http.StatusNotFound)
	var kept dlFile
	expectStatus(t, w.c.Get("/api/v1/files/"+f.ID.String()), http.StatusOK).JSON(&kept)
	if kept.DownloadID != nil || kept.Missing {
		t.Errorf("kept file %+v", kept)
	}
	if _, err := os.Stat(libraryPath(w.env, w.user.ID, "generic", f.Name)); err != nil {
		t.Errorf("kept file's data: %v", err)
	}

	// Delete with the files: row and data go.
	d2 := waitCompleted(t, w.env, w.c, submitURL(t, w.c, srv.URL(testmedia.PathVideo)).ID)
	f2 := d2.Files[0]
	path2 := libraryPath(w.env, w.user.ID, "generic", f2.Name)
	if _, err := os.Stat(path2); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/downloads/"+d2.ID.String()+"?delete_files=true", nil), http.StatusNoContent)
	expectProblem(t, w.c.Get("/api/v1/downloads/"+d2.ID.String()), http.StatusNotFound)
	expectProblem(t, w.c.Get("/api/v1/files/"+f2.ID.String()), http.StatusNotFound)
	if _, err := os.Stat(path2); !os.IsNotExist(err) {
		t.Errorf("deleted file's data still there: %v", err)
	}
	if n := countRows(t, w.env, "files", "id = ?", f2.ID); n != 0 {
		t.Errorf("file row still there")
	}
	if n := countRows(t, w.env, "downloads", ""); n != 0 {
		t.Errorf("%d download rows left", n)
	}
}

// TestDownloadCancelQueued cancels a download before any worker took it
// (this node runs no downloads): it never starts.
func TestDownloadCancelQueued(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, noWorkers())
	srv := testmedia.NewServer(t)
	d := submitURL(t, w.c, srv.URL(testmedia.PathVideo))
	var c download
	expectStatus(t, w.c.Post("/api/v1/downloads/"+d.ID.String()+"/cancel", nil), http.StatusOK).JSON(&c)
	if c.Status != "canceled" {
		t.Fatalf("cancel: %s", c)
	}
	if srv.Count(testmedia.PathVideo) != 0 {
		t.Errorf("the media server was asked for the file")
	}
}
