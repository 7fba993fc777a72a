package httpapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestDegradedRunWarns: a page on 127.0.0.1 whose <video> offers an HLS
// source that is gone and an mp4 that is there. yt-dlp downloads the mp4
// and warns "Failed to download m3u8 information: HTTP Error 404": the
// download completes, its warnings say formats were missing, and /metrics
// counts it.
func TestDegradedRunWarns(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	page := filepath.Join(t.TempDir(), "degraded.html")
	html := `<html><head><title>Degraded</title></head><body><video controls>` +
		`<source src="/gone/master.m3u8" type="application/x-mpegURL">` +
		`<source src="` + testmedia.PathVideo + `" type="video/mp4"></video></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	srv.AddFile("/degraded.html", page)
	srv.URL(testmedia.PathVideo) // served from now on

	d := submitURL(t, w.c, srv.URL("/degraded.html"))
	d = waitCompleted(t, w.env, w.c, d.ID)
	checkOneLibraryFile(t, w, d)
	var found bool
	for _, wn := range d.Warnings {
		if wn.Code == "formats_missing" && strings.Contains(wn.Message, "formats") {
			found = true
		}
	}
	if !found {
		t.Fatalf("warnings = %+v, want formats_missing\nlog tail:\n%s", d.Warnings, logTail(w.env, 4000))
	}
	if !strings.Contains(w.env.Logs(), "yt-dlp: degraded result") {
		t.Error("the warning was not logged at WARN")
	}
	m := string(w.env.Client().Get("/metrics").Body)
	if !strings.Contains(m, `downlink_ytdlp_degraded_total{code="formats_missing",platform="generic"} 1`) {
		t.Errorf("metrics lack the degraded run:\n%s", grepLines(m, "degraded"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
