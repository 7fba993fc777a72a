package httpapi_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// readiness is GET /readyz.
type readiness struct {
	Ready   bool     `json:"ready"`
	Status  string   `json:"status"`
	Reasons []string `json:"reasons"`
}

func getReadiness(t *testing.T, c *apitest.Client) (int, readiness) {
	t.Helper()
	r := c.Get("/readyz")
	var rd readiness
	r.JSON(&rd)
	return r.Status, rd
}

// TestDownloadDiskThreshold runs a node whose free-disk minimum cannot be
// met: new downloads are a 507 with the figures and nothing is queued, and
// the node says it is not ready because of the disk.
func TestDownloadDiskThreshold(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, apitest.WithConfig(func(c *config.Config) { c.MinFreeDisk = 1 << 60 }))
	srv := testmedia.NewServer(t)
	r := w.c.Post("/api/v1/downloads", map[string]any{"url": srv.URL(testmedia.PathVideo)})
	p := expectProblem(t, r, http.StatusInsufficientStorage)
	free, _ := p["free_bytes"].(float64)
	threshold, _ := p["threshold_bytes"].(float64)
	if threshold != float64(int64(1)<<60) || free <= 0 || free >= threshold {
		t.Errorf("507 figures: %s", r.Body)
	}
	assertNothingQueued(t, w.env)
	if srv.Count(testmedia.PathVideo) != 0 {
		t.Errorf("the media was fetched")
	}

	status, rd := getReadiness(t, w.c)
	if status != http.StatusServiceUnavailable || rd.Ready || rd.Status != "not_ready" {
		t.Errorf("readyz %d %+v", status, rd)
	}
	if !anyContains(rd.Reasons, "disk") {
		t.Errorf("readyz reasons do not name the disk: %q", rd.Reasons)
	}
	if anyContains(rd.Reasons, "yt-dlp") || anyContains(rd.Reasons, "database") {
		t.Errorf("unexpected reasons: %q", rd.Reasons)
	}
	expectStatus(t, w.c.Get("/healthz"), http.StatusOK)
}

// TestDownloadDiskThresholdRetry refuses a retry below the threshold too.
func TestDownloadDiskThresholdRetry(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, noWorkers())
	d := submitURL(t, w.c, "http://127.0.0.1:9/video.mp4")
	expectStatus(t, w.c.Post("/api/v1/downloads/"+d.ID.String()+"/cancel", nil), http.StatusOK)
	w.env.Stop()
	// The same database and data dir, now with an impossible minimum.
	env2 := apitest.New(t, localMedia(), noWorkers(), apitest.WithDatabase(w.env.Database()),
		apitest.WithConfig(func(c *config.Config) { c.MinFreeDisk = 1 << 60 }))
	c2, _ := signIn(t, env2, w.user)
	expectProblem(t, c2.Post("/api/v1/downloads/"+d.ID.String()+"/retry", nil), http.StatusInsufficientStorage)
	if got := getDownload(t, c2, d.ID); got.Status != "canceled" {
		t.Errorf("a refused retry changed the download: %s", got)
	}
}

func anyContains(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(strings.ToLower(s), sub) {
			return true
		}
	}
	return false
}

// TestDownloadYtdlpMissing runs a node whose yt-dlp path is wrong: it
// starts and serves, says it is not ready because of yt-dlp, and a
// download fails with a clear ytdlp_missing error.
func TestDownloadYtdlpMissing(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-yt-dlp")
	w := newDLWorld(t, apitest.WithConfig(func(c *config.Config) { c.YtdlpPath = missing }))
	srv := testmedia.NewServer(t)

	status, rd := getReadiness(t, w.c)
	if status != http.StatusServiceUnavailable || rd.Ready {
		t.Errorf("readyz %d %+v", status, rd)
	}
	if !anyContains(rd.Reasons, "yt-dlp") {
		t.Errorf("readyz reasons do not name yt-dlp: %q", rd.Reasons)
	}

	d := waitFinal(t, w.env, w.c, submitURL(t, w.c, srv.URL(testmedia.PathVideo)).ID)
	if d.Status != "failed" || d.Error == nil || d.Error.Code != "ytdlp_missing" {
		t.Fatalf("download ended %s, want failed ytdlp_missing", d)
	}
	if !strings.Contains(d.Error.Message, "yt-dlp") || strings.Contains(d.Error.Message, missing) {
		t.Errorf("error message %q: want a clear one without server paths", d.Error.Message)
	}
	if d.Attempts != 1 {
		t.Errorf("attempts %d: a missing yt-dlp is not worth retrying by itself", d.Attempts)
	}
	if srv.Count(testmedia.PathVideo) != 0 {
		t.Errorf("something fetched the media")
	}
	// The probe says the same, and the server keeps serving.
	r := w.c.Post("/api/v1/downloads/probe", map[string]any{"url": srv.URL(testmedia.PathVideo)})
	if r.Status < 500 || !strings.Contains(string(r.Body), "ytdlp_missing") {
		t.Errorf("probe without yt-dlp: %d %s", r.Status, r.Body)
	}
	expectStatus(t, w.c.Get("/healthz"), http.StatusOK)
	expectStatus(t, w.c.Get("/api/v1/downloads/"+d.ID.String()), http.StatusOK)
	// A retry fails the same way, again without crashing anything.
	expectStatus(t, w.c.Post("/api/v1/downloads/"+d.ID.String()+"/retry", nil), http.StatusAccepted)
	again := waitDownload(t, w.env, w.c, d.ID, downloadTimeout, "failed again", func(x download) bool {
		return x.Status == "failed" && x.Attempts == 2
	})
	if again.Error == nil || again.Error.Code != "ytdlp_missing" {
		t.Errorf("retry: %s", again)
	}
}
