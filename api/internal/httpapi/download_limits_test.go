package httpapi_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestDownloadNodeWorkerLimit runs three throttled downloads on a node
// with DOWNLINK_WORKERS=1: never two yt-dlp runs at once, and all finish.
func TestDownloadNodeWorkerLimit(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, workers(1))
	srv := testmedia.NewServer(t)
	var ids []uuid.UUID
	for range 3 {
		// About 3.2 MB at 2 MB/s: under two seconds each.
		ids = append(ids, submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 2_000_000)).ID)
	}
	maxAtOnce := 0
	watchRuns(t, w, ids, ids, func(running map[uuid.UUID]bool) { maxAtOnce = max(maxAtOnce, len(running)) })
	if maxAtOnce > 1 {
		t.Errorf("%d downloads ran at once on a node with one worker", maxAtOnce)
	}
	if maxAtOnce == 0 {
		t.Errorf("never saw a download run (sampling too slow?)")
	}
	for _, id := range ids {
		if d := getDownload(t, w.c, id); d.Status != "completed" {
			t.Errorf("%s", d)
		}
	}
}
