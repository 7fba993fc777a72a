package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// queuedOnly is a node that accepts local URLs but downloads nothing, for
// tests about what POST /downloads queues.
func queuedOnly() []apitest.Option { return []apitest.Option{noWorkers()} }

// TestDownloadIdempotencyKey repeats a submission with the same key: the
// first download comes back, marked as a replay, and only one row and one
// job exist.
func TestDownloadIdempotencyKey(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, queuedOnly()...)
	body := map[string]any{"url": "http://127.0.0.1:9/video.mp4", "preset": "720p"}
	key := "order-" + uuid.NewString()

	first := submit(t, w.c, body, "Idempotency-Key", key)
	r := expectStatus(t, w.c.Post("/api/v1/downloads", body, "Idempotency-Key", key), http.StatusOK)
	if r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotent-Replayed %q", r.Header.Get("Idempotent-Replayed"))
	}
	var again download
	r.JSON(&again)
	if again.ID != first.ID {
		t.Errorf("replay returned %s, want %s", again.ID, first.ID)
	}
	if n := countRows(t, w.env, "downloads", ""); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	if n := downloadJobs(t, w.env); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}

	// The same key with another body is refused, naming the header.
	other := map[string]any{"url": "http://127.0.0.1:9/other.mp4"}
	p := expectProblem(t, w.c.Post("/api/v1/downloads", other, "Idempotency-Key", key), http.StatusUnprocessableEntity)
	if !problemNames(p, "Idempotency-Key", "") {
		t.Errorf("problem does not name the header: %v", p)
	}
	// Same URL, other options: a different request too.
	p = expectProblem(t, w.c.Post("/api/v1/downloads", map[string]any{"url": body["url"], "preset": "480p"},
		"Idempotency-Key", key), http.StatusUnprocessableEntity)
	if !problemNames(p, "Idempotency-Key", "") {
		t.Errorf("problem does not name the header: %v", p)
	}
	if n := countRows(t, w.env, "downloads", ""); n != 1 {
		t.Errorf("%d rows after the refusals, want 1", n)
	}

	// Keys belong to a user: another user's same key is a new download.
	other2 := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other2)
	theirs := submit(t, oc, body, "Idempotency-Key", key)
	if theirs.ID == first.ID {
		t.Errorf("another user's key replayed this user's download")
	}
	// And another key is another download.
	if d := submit(t, w.c, body, "Idempotency-Key", key+"-2"); d.ID == first.ID {
		t.Errorf("a new key replayed")
	}
	// Without a key every request is new.
	submit(t, w.c, body)
	submit(t, w.c, body)
	if n := countRows(t, w.env, "downloads", ""); n != 5 {
		t.Errorf("%d rows, want 5", n)
	}
	if n := downloadJobs(t, w.env); n != 5 {
		t.Errorf("%d jobs, want 5", n)
	}
}

// TestDownloadIdempotencyKeyConcurrent sends one key several times at
// once: exactly one download is created and every answer is it.
func TestDownloadIdempotencyKeyConcurrent(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, queuedOnly()...)
	body := map[string]any{"url": "http://127.0.0.1:9/video.mp4"}
	key := "race-" + uuid.NewString()
	const n = 6
	var wg sync.WaitGroup
	statuses := make([]int, n)
	ids := make([]uuid.UUID, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := w.c.Post("/api/v1/downloads", body, "Idempotency-Key", key)
			statuses[i] = r.Status
			if r.Status == http.StatusAccepted || r.Status == http.StatusOK {
				var d download
				r.JSON(&d)
				ids[i] = d.ID
			}
		}()
	}
	wg.Wait()
	created := 0
	var id uuid.UUID
	for i, st := range statuses {
		switch st {
		case http.StatusAccepted:
			created++
			id = ids[i]
		case http.StatusOK, http.StatusConflict:
		default:
			t.Errorf("request %d answered %d", i, st)
		}
	}
	if created != 1 {
		t.Errorf("%d requests created a download (statuses %v)", created, statuses)
	}
	for i, st := range statuses {
		if st == http.StatusOK && ids[i] != id {
			t.Errorf("replay %d returned %s, want %s", i, ids[i], id)
		}
	}
	if c := countRows(t, w.env, "downloads", ""); c != 1 {
		t.Errorf("%d rows, want 1", c)
	}
	if c := downloadJobs(t, w.env); c != 1 {
		t.Errorf("%d jobs, want 1", c)
	}
}

// TestDownloadDailyQuota submits with a key whose daily quota is 2: the
// third submission is a 429 with the quota's figures, and creates nothing.
func TestDownloadDailyQuota(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, queuedOnly()...)
	k := createKey(t, w.c, "quota", []authz.Scope{authz.ScopeDownloadsRead, authz.ScopeDownloadsWrite},
		"daily_download_quota", 2)
	kc := w.env.WithAPIKey(k.Key)
	for i := range 2 {
		submit(t, kc, map[string]any{"url": "http://127.0.0.1:9/" + uuid.NewString() + ".mp4"})
		_ = i
	}
	r := kc.Post("/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:9/third.mp4"})
	p := expectProblem(t, r, http.StatusTooManyRequests)
	if p["limit"] != float64(2) || p["used"] != float64(2) {
		t.Errorf("quota problem %s", r.Body)
	}
	reset, _ := p["reset_at"].(string)
	at, err := time.Parse(time.RFC3339, reset)
	now := time.Now().UTC()
	if err != nil || !at.After(now) || at.Sub(now) > 24*time.Hour || at.Hour() != 0 || at.Minute() != 0 {
		t.Errorf("reset_at %q", reset)
	}
	if n := countRows(t, w.env, "downloads", ""); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
	if n := downloadJobs(t, w.env); n != 2 {
		t.Errorf("%d jobs, want 2", n)
	}
	// A refused submission does not count: still refused, still 2.
	expectProblem(t, kc.Post("/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:9/fourth.mp4"}), http.StatusTooManyRequests)
	// An invalid submission is a 422 (validation before the quota), not a
	// 429, and creates nothing.
	expectProblem(t, kc.Post("/api/v1/downloads", map[string]any{"url": "ftp://x"}), http.StatusUnprocessableEntity)
	// The browser session of the same user has no key quota.
	submit(t, w.c, map[string]any{"url": "http://127.0.0.1:9/browser.mp4"})
	if n := countRows(t, w.env, "downloads", ""); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}
}
