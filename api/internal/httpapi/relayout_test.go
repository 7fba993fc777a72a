package httpapi_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/testmedia"
)

type relayoutOp struct {
	ID       uuid.UUID               `json:"id"`
	Status   string                  `json:"status"`
	Layout   struct{ Layout string } `json:"layout"`
	Total    int                     `json:"total"`
	Done     int                     `json:"done"`
	Moved    int                     `json:"moved"`
	Failed   int                     `json:"failed"`
	Failures []struct {
		DownloadID uuid.UUID `json:"download_id"`
		Error      string    `json:"error"`
	} `json:"failures"`
}

// waitRelayout polls GET /storage/relayout until the operation is in
// state status.
func waitRelayout(t *testing.T, admin *apitest.Client, status string) relayoutOp {
	t.Helper()
	var op relayoutOp
	testkit.Eventually(t, time.Minute, func() error {
		admin.Get("/api/v1/storage/relayout").Expect(http.StatusOK).JSON(&op)
		if op.Status != status {
			return fmt.Errorf("relayout %+v, want %s", op, status)
		}
		return nil
	})
	return op
}

// libraryListing is every file under the user's library folder.
func libraryListing(t *testing.T, root string) []string {
	t.Helper()
	var got []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	return got
}

// TestLibraryRelayout: two items downloaded under the default layout are
// moved by the admin's relayout to the media-server layout — the files
// and their .nfo land where the layout says and still play — a move
// stopped after the first item is resumed by the next POST (the same
// operation, the first item not moved twice), a rerun moves nothing,
// and moving back to the default layout removes the .nfo files.
func TestLibraryRelayout(t *testing.T) {
	t.Parallel()
	var stopAt atomic.Int64
	hook := func(done int) error {
		if int64(done) == stopAt.Load() {
			stopAt.Store(0)
			return errors.New("stopped by the test")
		}
		return nil
	}
	w := newDLWorld(t, apitest.WithApp(app.WithRelayoutHook(hook)))
	admin := adminClient(t, w.env)
	expectProblem(t, w.c.Post("/api/v1/storage/relayout", nil), http.StatusForbidden)
	expectProblem(t, admin.Get("/api/v1/storage/relayout"), http.StatusNotFound)

	feed := newLiveFeed(t, testmedia.NewServer(t))
	feed.add("Episode 1", "Episode 2")
	sub := createSubscription(t, w.c, map[string]any{"url": feed.URL + "/feed.xml", "backfill": map[string]any{"mode": "all"}})
	waitChecks(t, w.c, sub.ID, 1)
	var media []dlFile
	for _, d := range subDownloads(t, w.c, sub.ID) {
		done := waitCompleted(t, w.env, w.c, d.ID)
		media = append(media, done.Files...)
	}
	root := filepath.Join(w.env.Cfg.DataDir, "library", w.user.ID.String())
	before := libraryListing(t, root)
	if len(before) != 2 || !strings.HasPrefix(before[0], "generic/Episode 1 [") {
		t.Fatalf("default layout holds %v", before)
	}

	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	g["library"] = map[string]any{"layout": "media_server", "video_template": "", "music_template": ""}
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)

	// Stopped after the first download (as a shutdown would).
	stopAt.Store(1)
	var started relayoutOp
	admin.Post("/api/v1/storage/relayout", nil).Expect(http.StatusAccepted).JSON(&started)
	op := waitRelayout(t, admin, "interrupted")
	if op.ID != started.ID || op.Done != 1 || op.Moved != 1 || op.Total != 2 || op.Layout.Layout != "media_server" {
		t.Fatalf("interrupted relayout %+v", op)
	}
	if mid := libraryListing(t, root); len(mid) != 3 {
		t.Fatalf("after one item the library holds %v", mid)
	}

	// The next POST resumes the same operation.
	var resumed relayoutOp
	admin.Post("/api/v1/storage/relayout", nil).Expect(http.StatusAccepted).JSON(&resumed)
	op = waitRelayout(t, admin, "completed")
	if resumed.ID != started.ID || op.ID != started.ID || op.Done != 2 || op.Moved != 2 || op.Failed != 0 {
		t.Fatalf("resumed relayout %+v (started %s)", op, started.ID)
	}
	want := []string{
		"Live test feed/Season 2026/2026-01-02 Episode 1 [live-1].mp4",
		"Live test feed/Season 2026/2026-01-02 Episode 1 [live-1].nfo",
		"Live test feed/Season 2026/2026-01-03 Episode 2 [live-2].mp4",
		"Live test feed/Season 2026/2026-01-03 Episode 2 [live-2].nfo",
	}
	if got := libraryListing(t, root); !slices.Equal(got, want) {
		t.Fatalf("library holds\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(want[1])))
	if err != nil {
		t.Fatal(err)
	}
	var nfo struct {
		Title  string `xml:"title"`
		Aired  string `xml:"aired"`
		Studio string `xml:"studio"`
	}
	if err := xml.Unmarshal(raw, &nfo); err != nil || nfo.Title != "Episode 1" || nfo.Aired != "2026-01-02" || nfo.Studio != "Live test feed" {
		t.Errorf("nfo %+v (%v)\n%s", nfo, err, raw)
	}
	// The same file rows, now at the new place: they still play.
	for _, f := range media {
		var now dlFile
		w.c.Get("/api/v1/files/" + f.ID.String()).Expect(http.StatusOK).JSON(&now)
		if !strings.HasPrefix(now.Name, "2026-01-0") {
			t.Errorf("file %s is named %q", f.ID, now.Name)
		}
		w.c.Get("/api/v1/files/" + f.ID.String() + "/content").Expect(http.StatusOK)
	}
	var fl struct {
		Items []dlFile `json:"items"`
	}
	w.c.Get("/api/v1/files?limit=100").Expect(http.StatusOK).JSON(&fl)
	if len(fl.Items) != 4 {
		t.Errorf("Files lists %d files, want the 2 videos and their 2 .nfo", len(fl.Items))
	}

	// A rerun finds everything in place.
	var again relayoutOp
	admin.Post("/api/v1/storage/relayout", nil).Expect(http.StatusAccepted).JSON(&again)
	testkit.Eventually(t, time.Minute, func() error {
		admin.Get("/api/v1/storage/relayout").Expect(http.StatusOK).JSON(&op)
		if op.ID != again.ID || op.Status != "completed" {
			return fmt.Errorf("rerun %+v", op)
		}
		return nil
	})
	if op.Done != 2 || op.Moved != 0 {
		t.Errorf("rerun %+v: want nothing moved", op)
	}
	if got := libraryListing(t, root); !slices.Equal(got, want) {
		t.Errorf("after a rerun the library holds %v", got)
	}

	// Back to the default layout: the .nfo files go.
	g["library"] = map[string]any{"layout": "default", "video_template": "", "music_template": ""}
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)
	var back relayoutOp
	admin.Post("/api/v1/storage/relayout", nil).Expect(http.StatusAccepted).JSON(&back)
	testkit.Eventually(t, time.Minute, func() error {
		admin.Get("/api/v1/storage/relayout").Expect(http.StatusOK).JSON(&op)
		if op.ID != back.ID || op.Status != "completed" {
			return fmt.Errorf("back %+v", op)
		}
		return nil
	})
	if got := libraryListing(t, root); !slices.Equal(got, before) || op.Moved != 2 {
		t.Errorf("back in the default layout (%+v) the library holds %v, want %v", op, got, before)
	}
	for _, f := range media {
		w.c.Get("/api/v1/files/" + f.ID.String() + "/content").Expect(http.StatusOK)
	}
}

// TestLibraryRelayoutSkipsAFailure: a download whose file cannot be moved
// (its data gone from the disk) is reported in the operation's failures
// and skipped; the other download is moved.
func TestLibraryRelayoutSkipsAFailure(t *testing.T) {
	t.Parallel()
	// The move waits after its first download until both clicks below have
	// answered, so they meet a running move however slow the machine (a
	// move that had ended before the second click arrived let it start a
	// second one, as it should).
	clicked := make(chan struct{})
	release := sync.OnceFunc(func() { close(clicked) })
	t.Cleanup(release)
	hook := func(done int) error {
		if done == 1 {
			<-clicked
		}
		return nil
	}
	w := newDLWorld(t, apitest.WithApp(app.WithRelayoutHook(hook)))
	admin := adminClient(t, w.env)
	feed := newLiveFeed(t, testmedia.NewServer(t))
	feed.add("Episode 1", "Episode 2")
	sub := createSubscription(t, w.c, map[string]any{"url": feed.URL + "/feed.xml", "backfill": map[string]any{"mode": "all"}})
	waitChecks(t, w.c, sub.ID, 1)
	var done []download
	for _, d := range subDownloads(t, w.c, sub.ID) {
		done = append(done, waitCompleted(t, w.env, w.c, d.ID))
	}
	root := filepath.Join(w.env.Cfg.DataDir, "library", w.user.ID.String())
	var lost download
	for _, d := range done {
		if d.Title != nil && *d.Title == "Episode 1" {
			lost = d
		}
	}
	if lost.ID == uuid.Nil {
		t.Fatalf("no Episode 1 among %v", done)
	}
	if err := os.Remove(filepath.Join(root, "generic", lost.Files[0].Name)); err != nil {
		t.Fatal(err)
	}
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	g["library"] = map[string]any{"layout": "media_server", "video_template": "", "music_template": ""}
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)
	// Two clicks at once start one move.
	var a, b relayoutOp
	var wg sync.WaitGroup
	wg.Go(func() { admin.Post("/api/v1/storage/relayout", nil).Expect(http.StatusAccepted).JSON(&a) })
	wg.Go(func() { admin.Post("/api/v1/storage/relayout", nil).Expect(http.StatusAccepted).JSON(&b) })
	wg.Wait()
	release()
	if a.ID != b.ID {
		t.Errorf("two moves started at once: %s and %s", a.ID, b.ID)
	}
	op := waitRelayout(t, admin, "completed")
	if op.Done != 2 || op.Moved != 1 || op.Failed != 1 || len(op.Failures) != 1 || op.Failures[0].DownloadID != lost.ID ||
		!strings.Contains(op.Failures[0].Error, lost.Files[0].Name) {
		t.Fatalf("relayout %+v: want Episode 1 (%s) failed and Episode 2 moved", op, lost.ID)
	}
	want := []string{
		"Live test feed/Season 2026/2026-01-03 Episode 2 [live-2].mp4",
		"Live test feed/Season 2026/2026-01-03 Episode 2 [live-2].nfo",
	}
	if got := libraryListing(t, root); !slices.Equal(got, want) {
		t.Errorf("library holds %v, want %v", got, want)
	}
}
