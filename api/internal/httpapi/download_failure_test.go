package httpapi_test

import (
	"net"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestDownloadFailures sends URLs that cannot be downloaded: each ends
// failed with a safe code and message, no file and no folder.
func TestDownloadFailures(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/video.mp4"
	ln.Close()
	tests := []struct {
		name, url string
		codes     []string // acceptable error codes
	}{
		{"not found", srv.StatusURL(404), []string{"unavailable"}},
		{"gone", srv.StatusURL(410), []string{"unavailable"}},
		// yt-dlp reports a 403 as an HTTP error, which the runner treats as a
		// (possibly passing) network refusal.
		{"forbidden", srv.StatusURL(403), []string{"network", "unavailable", "private", "login_required"}},
		{"server error", srv.StatusURL(500), []string{"network", "unavailable"}},
		// Refused before anything started: said so, not "network error" (issue 19).
		{"connection refused", closed, []string{"connection_refused"}},
		{"a page without media", srv.BaseURL() + "/page.html?src=/nothing-here.mp4", []string{"unavailable", "unsupported_url"}},
	}
	ids := map[string]download{}
	for _, tc := range tests {
		ids[tc.name] = submitURL(t, w.c, tc.url)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := waitFinal(t, w.env, w.c, ids[tc.name].ID)
			if d.Status != "failed" || d.Error == nil {
				t.Fatalf("ended %s", d)
			}
			ok := false
			for _, c := range tc.codes {
				ok = ok || d.Error.Code == c
			}
			if !ok {
				t.Errorf("error code %q, want one of %v (message %q)", d.Error.Code, tc.codes, d.Error.Message)
			}
			msg := d.Error.Message
			if msg == "" || strings.Contains(msg, w.env.Cfg.DataDir) || strings.Contains(msg, "Traceback") ||
				strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "/tmp/") {
				t.Errorf("unsafe or empty message %q", msg)
			}
			if len(d.Files) != 0 || d.FinishedAt == nil {
				t.Errorf("failed download: %s", d)
			}
			// "Technical details": the end of yt-dlp's output, its ERROR line
			// included, without server paths.
			if d.Error.Details == nil || !strings.Contains(*d.Error.Details, "ERROR: ") {
				t.Errorf("technical details %v, want yt-dlp's last lines with its ERROR", d.Error.Details)
			} else if strings.Contains(*d.Error.Details, w.env.Cfg.DataDir) {
				t.Errorf("technical details show a server path: %s", *d.Error.Details)
			}
			waitGone(t, jobDir(w.env, d.ID), processGoneTimeout)
		})
	}
	if n := countRows(t, w.env, "files", ""); n != 0 {
		t.Errorf("%d file rows", n)
	}
}
