package netguard

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// These tests run the real yt-dlp through the proxy against media generated
// with ffmpeg (testmedia) and served on 127.0.0.1.

// needYtdlp finds yt-dlp; like testmedia with ffmpeg, a machine without it
// fails rather than passing by skipping.
func needYtdlp(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("yt-dlp")
	if err != nil {
		t.Fatalf("yt-dlp not found: %v", err)
	}
	return path
}

type ytdlpResult struct {
	dir    string
	err    error
	stderr string
	files  []string
}

// runYtdlp downloads url through proxyURL into a fresh folder, the way the
// downloader will call it (fixed options, "--" before the URL).
func runYtdlp(t *testing.T, proxyURL, url string, extra ...string) ytdlpResult {
	t.Helper()
	ytdlp := needYtdlp(t)
	dir := t.TempDir()
	home := t.TempDir()
	args := append([]string{
		"--ignore-config", "--no-exec", "--no-cache-dir", "--no-progress", "--no-playlist",
		"--socket-timeout", "10", "--retries", "0", "--extractor-retries", "0",
		"--proxy", proxyURL, "-P", dir, "-o", "out.%(ext)s",
	}, extra...)
	args = append(args, "--", url)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ytdlp, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LC_ALL=C.UTF-8"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	entries, rerr := os.ReadDir(dir)
	if rerr != nil {
		t.Fatal(rerr)
	}
	res := ytdlpResult{dir: dir, err: err, stderr: stderr.String()}
	for _, e := range entries {
		res.files = append(res.files, e.Name())
	}
	return res
}

func TestYtdlpThroughProxy(t *testing.T) {
	t.Parallel()
	media := testmedia.NewServer(t)
	clip, err := os.ReadFile(testmedia.Video(t))
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "video.mp4", time.Time{}, bytes.NewReader(clip))
	}))
	defer tlsSrv.Close()

	tests := []struct {
		name         string
		allowPrivate bool
		url          string
		extra        []string
	}{
		{"http allowed", true, media.URL(testmedia.PathVideo), nil},
		{"http blocked", false, media.URL(testmedia.PathVideo), nil},
		{"https allowed", true, tlsSrv.URL + testmedia.PathVideo, []string{"--no-check-certificates"}},
		{"https blocked", false, tlsSrv.URL + testmedia.PathVideo, []string{"--no-check-certificates"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := media.Count(testmedia.PathVideo)
			_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: tt.allowPrivate}})
			res := runYtdlp(t, lease.URL(), tt.url, tt.extra...)
			if !tt.allowPrivate {
				assertYtdlpBlocked(t, res, ReasonLoopback)
				if n := media.Count(testmedia.PathVideo) - before; n != 0 {
					t.Errorf("the media server was reached %d times", n)
				}
				return
			}
			if res.err != nil {
				t.Fatalf("yt-dlp failed: %v\n%s", res.err, res.stderr)
			}
			if len(res.files) != 1 || res.files[0] != "out.mp4" {
				t.Fatalf("files = %v, want out.mp4", res.files)
			}
			if got, err := os.ReadFile(filepath.Join(res.dir, "out.mp4")); err != nil || !bytes.Equal(got, clip) {
				t.Errorf("downloaded file differs from the served clip (%d vs %d bytes, %v)", len(got), len(clip), err)
			}
			if st := lease.Stats(); st.BytesReceived < int64(len(clip)) {
				t.Errorf("lease saw %d bytes, the clip has %d", st.BytesReceived, len(clip))
			}
		})
	}
}

// TestYtdlpRedirectToBlockedHost: yt-dlp follows a redirect from an allowed
// host to a loopback one; the second hop comes back through the proxy and
// is refused. The resolver and dialer seams make good.test a public address
// served by a local media server.
func TestYtdlpRedirectToBlockedHost(t *testing.T) {
	t.Parallel()
	good := testmedia.NewServer(t)
	hidden := testmedia.NewServer(t)
	evil := "http://evil.test:" + portOf(hostPort(t, hidden.BaseURL())) + testmedia.PathVideo

	res := newFakeResolver(map[string]string{"good.test": "93.184.215.14", "evil.test": "127.0.0.1"})
	dialer := &mapDialer{}
	dialer.route("93.184.215.14:80", hostPort(t, good.BaseURL()))
	_, lease := startProxy(t, ProxyConfig{Policy: Guard{}, Resolver: res, Dialer: dialer})

	good.URL(testmedia.PathVideo) // generates and registers the file
	ok := runYtdlp(t, lease.URL(), "http://good.test"+testmedia.PathVideo)
	if ok.err != nil || len(ok.files) != 1 {
		t.Fatalf("download from the allowed host: %v %v\n%s", ok.err, ok.files, ok.stderr)
	}
	redirect := "http://good.test/redirect?to=" + url.QueryEscape(evil)
	assertYtdlpBlocked(t, runYtdlp(t, lease.URL(), redirect), ReasonLoopback)
	if good.Count("/redirect") != 1 {
		t.Errorf("the allowed host saw %d redirect requests, want 1", good.Count("/redirect"))
	}
	if n := hidden.Count(testmedia.PathVideo); n != 0 {
		t.Errorf("yt-dlp reached the blocked host %d times", n)
	}
}

func assertYtdlpBlocked(t *testing.T, res ytdlpResult, want Reason) {
	t.Helper()
	if res.err == nil {
		t.Fatalf("yt-dlp succeeded through a refused destination\n%s", res.stderr)
	}
	if len(res.files) != 0 {
		t.Errorf("yt-dlp left files behind: %v", res.files)
	}
	if !strings.Contains(res.stderr, BlockedMessage(want)) {
		t.Errorf("stderr lacks %q:\n%s", BlockedMessage(want), res.stderr)
	}
	if r, ok := ParseBlocked(res.stderr); !ok || r != want {
		t.Errorf("ParseBlocked(stderr) = %q, %v", r, ok)
	}
}
