package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// putMaxConcurrent sets a platform's max_concurrent (everything else as
// it was by default).
func putMaxConcurrent(t *testing.T, admin *apitest.Client, platform string, n int) {
	t.Helper()
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/"+platform, map[string]any{
		"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": n,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{},
	}).Expect(http.StatusOK)
}

// running counts the rows a worker holds, and those downloading.
func running(t *testing.T, w dlWorld) (held, downloading int64) {
	t.Helper()
	held = countRows(t, w.env, "downloads", "status IN ?", []string{"fetching_info", "downloading", "post_processing"})
	downloading = countRows(t, w.env, "downloads", "status = ?", "downloading")
	return held, downloading
}

func TestPlatformMaxConcurrentAppliesWithoutRestart(t *testing.T) {
	t.Parallel()
	media := testmedia.NewServer(t)
	w := newDLWorld(t) // the node runs 2 downloads at most
	admin := adminClient(t, w.env)
	putMaxConcurrent(t, admin, "generic", 1)

	// About 9 s each at 8 KB/s: long enough to watch them overlap.
	slow := media.SlowURL(testmedia.PathVideo, 8<<10)
	var ids []uuid.UUID
	for range 3 {
		ids = append(ids, submitURL(t, w.c, slow).ID)
	}
	defer func() {
		for _, id := range ids {
			w.c.Post("/api/v1/downloads/"+id.String()+"/cancel", nil)
		}
	}()

	// watch samples the rows until cond holds (or for the whole window
	// when cond is nil), failing if more than limit are ever held.
	watch := func(limit int64, window time.Duration, what string, cond func(held, downloading int64) bool) {
		t.Helper()
		deadline := time.Now().Add(window)
		for time.Now().Before(deadline) {
			held, downloading := running(t, w)
			if held > limit {
				t.Fatalf("%d generic downloads running at once with max_concurrent %d", held, limit)
			}
			if cond != nil && cond(held, downloading) {
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
		if cond != nil {
			t.Fatalf("%s: not within %v\nlog tail:\n%s", what, window, logTail(w.env, 4000))
		}
	}
	watch(1, downloadTimeout, "one download running", func(_, d int64) bool { return d == 1 })
	watch(1, 3*time.Second, "", nil) // and never a second one

	// Raised: a second one starts, no restart, and never a third.
	putMaxConcurrent(t, admin, "generic", 2)
	watch(2, time.Minute, "two downloads running", func(_, d int64) bool { return d == 2 })
	watch(2, 2*time.Second, "", nil)
	for _, id := range ids {
		if d := getDownload(t, w.c, id); d.Status == "failed" {
			t.Errorf("download failed: %s", d)
		}
	}
}
