package netguard

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests run the real yt-dlp through the proxy against media the test
// generates with ffmpeg and serves on 127.0.0.1.

// needTool finds a binary; outside CI a missing one skips the test, in CI it
// fails it, so a machine without yt-dlp cannot pass by skipping.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found: %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return path
}

// testVideo makes a one-second 64x64 MP4 with sound.
func testVideo(t *testing.T) []byte {
	t.Helper()
	ffmpeg := needTool(t, "ffmpeg")
	out := filepath.Join(t.TempDir(), "clip.mp4")
	cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=10",
		"-f", "lavfi", "-i", "sine=duration=1",
		"-shortest", "-c:v", "mpeg4", "-c:a", "aac", "-y", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mediaHandler serves the clip at /clip.mp4 and redirects /go to redirectTo.
func mediaHandler(clip []byte, redirectTo string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/clip.mp4", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "clip.mp4", time.Time{}, bytes.NewReader(clip))
	})
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, redirectTo, http.StatusFound)
	})
	return mux
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
	ytdlp := needTool(t, "yt-dlp")
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
	needTool(t, "yt-dlp")
	clip := testVideo(t)
	plain := httptest.NewServer(mediaHandler(clip, ""))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(mediaHandler(clip, ""))
	defer tlsSrv.Close()

	tests := []struct {
		name         string
		allowPrivate bool
		url          string
		extra        []string
	}{
		{"http allowed", true, plain.URL + "/clip.mp4", nil},
		{"http blocked", false, plain.URL + "/clip.mp4", nil},
		{"https allowed", true, tlsSrv.URL + "/clip.mp4", []string{"--no-check-certificates"}},
		{"https blocked", false, tlsSrv.URL + "/clip.mp4", []string{"--no-check-certificates"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: tt.allowPrivate}})
			res := runYtdlp(t, lease.URL(), tt.url, tt.extra...)
			if tt.allowPrivate {
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
				return
			}
			assertYtdlpBlocked(t, res, ReasonLoopback)
		})
	}
}

// TestYtdlpRedirectToBlockedHost: yt-dlp follows a redirect from an allowed
// host to a loopback one; the second hop comes back through the proxy and
// is refused.
func TestYtdlpRedirectToBlockedHost(t *testing.T) {
	needTool(t, "yt-dlp")
	clip := testVideo(t)
	hidden := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("yt-dlp reached the blocked host")
	}))
	defer hidden.Close()
	good := httptest.NewServer(mediaHandler(clip, "http://evil.test:"+portOf(hostPort(t, hidden.URL))+"/clip.mp4"))
	defer good.Close()

	res := newFakeResolver(map[string]string{"good.test": "93.184.215.14", "evil.test": "127.0.0.1"})
	dialer := &mapDialer{}
	dialer.route("93.184.215.14:80", hostPort(t, good.URL))
	_, lease := startProxy(t, ProxyConfig{Policy: Guard{}, Resolver: res, Dialer: dialer})

	ok := runYtdlp(t, lease.URL(), "http://good.test/clip.mp4")
	if ok.err != nil || len(ok.files) != 1 {
		t.Fatalf("direct download from the allowed host: %v %v\n%s", ok.err, ok.files, ok.stderr)
	}
	assertYtdlpBlocked(t, runYtdlp(t, lease.URL(), "http://good.test/go"), ReasonLoopback)
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
