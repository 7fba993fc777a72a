package testmedia_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testmedia"
)

func TestGeneratedMedia(t *testing.T) {
	tests := []struct {
		name      string
		path      func(testing.TB) string
		wantVideo string
		wantAudio string
		wantTitle string
		wantSecs  float64
		minBytes  int64
		maxBytes  int64
	}{
		{"video", testmedia.Video, "h264", "aac", testmedia.DefaultTitle, 4, 10_000, 500_000},
		{"big video", testmedia.BigVideo, "h264", "aac", "Downlink Big Clip", 10, 2_000_000, 6_000_000},
		{"audio m4a", testmedia.Audio, "", "aac", testmedia.DefaultTitle, 4, 1_000, 200_000},
		{"audio mp3", func(tb testing.TB) string {
			return testmedia.GenerateAudio(tb, testmedia.AudioSpec{Format: "mp3"})
		}, "", "mp3", testmedia.DefaultTitle, 4, 1_000, 200_000},
		{"audio opus", func(tb testing.TB) string {
			return testmedia.GenerateAudio(tb, testmedia.AudioSpec{Format: "opus"})
		}, "", "opus", testmedia.DefaultTitle, 4, 1_000, 200_000},
		{"audio flac", func(tb testing.TB) string {
			return testmedia.GenerateAudio(tb, testmedia.AudioSpec{Format: "flac", Seconds: 2})
		}, "", "flac", testmedia.DefaultTitle, 2, 1_000, 1_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.path(t)
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() < tt.minBytes || st.Size() > tt.maxBytes {
				t.Errorf("size = %d, want %d..%d", st.Size(), tt.minBytes, tt.maxBytes)
			}
			info := testmedia.FFprobe(t, p)
			if got := strings.Join(info.Codecs("video"), ","); got != tt.wantVideo {
				t.Errorf("video codecs = %q, want %q", got, tt.wantVideo)
			}
			if got := strings.Join(info.Codecs("audio"), ","); got != tt.wantAudio {
				t.Errorf("audio codecs = %q, want %q", got, tt.wantAudio)
			}
			if math.Abs(info.DurationSeconds-tt.wantSecs) > 0.5 {
				t.Errorf("duration = %.2f, want about %.0f", info.DurationSeconds, tt.wantSecs)
			}
			if got := titleTag(info); got != tt.wantTitle {
				t.Errorf("title tag = %q, want %q (tags %v)", got, tt.wantTitle, info.Tags)
			}
		})
	}
}

func titleTag(info testmedia.MediaInfo) string { return info.Tags["title"] }

func TestGeneratedMediaIsCached(t *testing.T) {
	a, b := testmedia.Video(t), testmedia.Video(t)
	if a != b {
		t.Fatalf("Video returned %q then %q; want one cached file", a, b)
	}
}

func TestHLS(t *testing.T) {
	dir := testmedia.HLS(t)
	index, err := os.ReadFile(filepath.Join(dir, "index.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(index, []byte("#EXT-X-ENDLIST")) {
		t.Errorf("playlist is not VOD:\n%s", index)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "seg*.ts"))
	if len(segs) < 3 {
		t.Errorf("got %d segments, want at least 3", len(segs))
	}
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestServerRoutes(t *testing.T) {
	srv := testmedia.NewServer(t)
	want, err := os.ReadFile(testmedia.Video(t))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("direct file", func(t *testing.T) {
		resp, body := get(t, srv.URL(testmedia.PathVideo))
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
			t.Fatalf("status %d, %d bytes; want 200 and the file", resp.StatusCode, len(body))
		}
		if resp.ContentLength != int64(len(want)) || resp.Header.Get("Content-Type") != "video/mp4" {
			t.Errorf("Content-Length %d, Content-Type %q", resp.ContentLength, resp.Header.Get("Content-Type"))
		}
	})
	t.Run("range", func(t *testing.T) {
		resp, body := get(t, srv.URL(testmedia.PathVideo), "Range", "bytes=100-199")
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, want[100:200]) {
			t.Fatalf("status %d, %d bytes; want 206 and bytes 100-199", resp.StatusCode, len(body))
		}
	})
	t.Run("page", func(t *testing.T) {
		resp, body := get(t, srv.PageURL(testmedia.PathVideo))
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`<video controls preload="none" poster="/poster.jpg" src="/video.mp4">`)) {
			t.Fatalf("status %d, body:\n%s", resp.StatusCode, body)
		}
		if r, _ := get(t, srv.URL(testmedia.PathPoster)); r.StatusCode != http.StatusOK {
			t.Errorf("poster: status %d", r.StatusCode)
		}
	})
	t.Run("hls", func(t *testing.T) {
		resp, body := get(t, srv.HLSURL())
		if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("#EXTM3U")) {
			t.Fatalf("status %d, body:\n%s", resp.StatusCode, body)
		}
		if r, _ := get(t, srv.URL("/hls/seg000.ts")); r.StatusCode != http.StatusOK {
			t.Errorf("segment: status %d", r.StatusCode)
		}
	})
	t.Run("feed", func(t *testing.T) {
		resp, body := get(t, srv.FeedURL(3))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		var feed struct {
			Items []struct {
				Title     string `xml:"title"`
				Enclosure struct {
					URL string `xml:"url,attr"`
				} `xml:"enclosure"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(body, &feed); err != nil {
			t.Fatal(err)
		}
		if len(feed.Items) != 3 {
			t.Fatalf("got %d items, want 3:\n%s", len(feed.Items), body)
		}
		for i, it := range feed.Items {
			wantURL := fmt.Sprintf("%s?item=%d", srv.URL(testmedia.PathVideo), i+1)
			if it.Title != testmedia.FeedItemTitle(i+1) || it.Enclosure.URL != wantURL {
				t.Errorf("item %d = %q %q, want %q %q", i, it.Title, it.Enclosure.URL, testmedia.FeedItemTitle(i+1), wantURL)
			}
		}
	})
	t.Run("redirect", func(t *testing.T) {
		resp, _ := get(t, srv.RedirectURL("http://127.0.0.1:1/elsewhere"))
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://127.0.0.1:1/elsewhere" {
			t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("status and unknown path", func(t *testing.T) {
		if resp, _ := get(t, srv.StatusURL(503)); resp.StatusCode != 503 {
			t.Errorf("status URL: %d", resp.StatusCode)
		}
		if resp, _ := get(t, srv.URL("/nope.mp4")); resp.StatusCode != 404 {
			t.Errorf("unknown path: %d", resp.StatusCode)
		}
	})
	t.Run("request log", func(t *testing.T) {
		if n := srv.Count(testmedia.PathVideo); n < 2 {
			t.Errorf("Count(video) = %d, want at least 2", n)
		}
		var sawRange bool
		for _, r := range srv.Requests() {
			if r.Path == testmedia.PathVideo && r.Range == "bytes=100-199" && r.Status == http.StatusPartialContent {
				sawRange = true
			}
		}
		if !sawRange {
			t.Errorf("request log lacks the range request: %+v", srv.Requests())
		}
	})
}

func TestSlowURL(t *testing.T) {
	srv := testmedia.NewServer(t)
	want, err := os.ReadFile(testmedia.Video(t))
	if err != nil {
		t.Fatal(err)
	}
	const rate = 40_000
	// 20 000 bytes at 40 kB/s take about half a second.
	start := time.Now()
	resp, body := get(t, srv.SlowURL(testmedia.PathVideo, rate), "Range", "bytes=1000-20999")
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, want[1000:21000]) {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
	}
	if elapsed < 400*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("took %v, want about 500ms", elapsed)
	}
}

func TestCloseEndsSlowDownload(t *testing.T) {
	srv := testmedia.NewServer(t)
	resp, err := http.Get(srv.SlowURL(testmedia.PathBig, 10_000))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		close(done)
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	srv.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("slow download still running 5s after Close")
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("Close took %v", time.Since(start))
	}
}
