package ytdlp

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testmedia"
)

func TestRunDirectMP4(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	r := newTestRunner(t)
	rec := newRecorder()
	job := newJob(t, "job-direct", srv.URL(testmedia.PathVideo), Options{})
	res, err := r.Run(testCtx(t, 60*time.Second), job, rec.sink)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Files) != 1 || res.Files[0] != filepath.Join(job.DoneDir(), "job-direct.mp4") {
		t.Fatalf("files = %v", res.Files)
	}
	infos := rec.infos()
	if len(infos) != 1 || infos[0].Title != "video" || infos[0].ExtractorKey != "Generic" {
		t.Errorf("info = %+v", infos)
	}
	checkProgress(t, rec.progress())
	media := testmedia.FFprobe(t, res.Files[0])
	if math.Abs(media.DurationSeconds-4) > 0.5 {
		t.Errorf("duration %.2f", media.DurationSeconds)
	}
	t.Logf("events: %+v", rec.all())
}

// checkProgress wants downloaded bytes that never go down and a last
// "finished" update at 100%.
func checkProgress(t *testing.T, ps []Progress) {
	t.Helper()
	if len(ps) == 0 {
		t.Fatal("no progress events")
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].DownloadedBytes < ps[i-1].DownloadedBytes {
			t.Errorf("downloaded bytes went down: %+v then %+v", ps[i-1], ps[i])
		}
	}
	last := ps[len(ps)-1]
	if last.Status != "finished" || last.Percent() != 100 {
		t.Errorf("last progress = %+v (%.1f%%), want finished at 100%%", last, last.Percent())
	}
}

func TestRunHTMLPage(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	rec := newRecorder()
	job := newJob(t, "job-page", srv.PageURL(testmedia.PathVideo), Options{EmbedThumbnail: true, EmbedMetadata: true})
	res, err := newTestRunner(t).Run(testCtx(t, 60*time.Second), job, rec.sink)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("files = %v", res.Files)
	}
	if res.Info.Title != testmedia.DefaultTitle+" (1)" && res.Info.Title != testmedia.DefaultTitle {
		t.Errorf("title = %q, want the page's og:title", res.Info.Title)
	}
	if res.Info.Thumbnail != srv.URL(testmedia.PathPoster) {
		t.Errorf("thumbnail = %q", res.Info.Thumbnail)
	}
	checkProgress(t, rec.progress())
	media := testmedia.FFprobe(t, res.Files[0])
	var cover bool
	for _, s := range media.Streams {
		cover = cover || s.AttachedPic
	}
	if !cover {
		t.Errorf("no embedded thumbnail in %+v", media.Streams)
	}
	if media.Tags["title"] == "" {
		t.Errorf("no embedded title tag: %v", media.Tags)
	}
}

func TestRunHLS(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	rec := newRecorder()
	job := newJob(t, "job-hls", srv.HLSURL(), Options{Preset: Preset360p})
	res, err := newTestRunner(t).Run(testCtx(t, 60*time.Second), job, rec.sink)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Files) != 1 || filepath.Ext(res.Files[0]) != ".mp4" {
		t.Fatalf("files = %v", res.Files)
	}
	// Title and duration reach the sink from the same run, before any
	// progress.
	if infos := rec.infos(); len(infos) != 1 || math.Abs(infos[0].DurationSeconds-4) > 0.5 || infos[0].Title == "" {
		t.Errorf("info events = %+v, want one with the VOD playlist's 4 s", infos)
	}
	// The run first names the yt-dlp it started, then the item.
	evs := rec.all()
	if st, ok := evs[0].(Started); !ok || st.Version == "" || !filepath.IsAbs(st.Path) {
		t.Errorf("first event is %#v, want Started with the yt-dlp's path and version", evs[0])
	}
	if _, second := evs[1].(Info); !second {
		t.Errorf("second event is %T, want Info", evs[1])
	}
	if res.Info != rec.infos()[0] {
		t.Errorf("Result.Info %+v differs from the event", res.Info)
	}
	ps := rec.progress()
	checkProgress(t, ps)
	if ps[0].FragmentCount != 4 || !ps[0].TotalIsEstimate || ps[0].FormatID == "" {
		t.Errorf("first progress %+v, want 4 fragments, an estimated total and a format id", ps[0])
	}
	if srv.Count("/hls/seg003.ts") == 0 {
		t.Error("last segment never fetched")
	}
	media := testmedia.FFprobe(t, res.Files[0])
	if got := media.Codecs("video"); len(got) != 1 || got[0] != "h264" {
		t.Errorf("video codecs %v", got)
	}
}

func TestRunAudioExtraction(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	url := srv.URL(testmedia.PathVideo)
	r := newTestRunner(t)
	tests := []struct {
		format AudioFormat
		codec  string
		ext    string
	}{
		{AudioMP3, "mp3", ".mp3"},
		{AudioM4A, "aac", ".m4a"},
		{AudioOpus, "opus", ".opus"},
		{AudioFLAC, "flac", ".flac"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			rec := newRecorder()
			job := newJob(t, "job-audio", url, Options{Preset: PresetAudio, AudioFormat: tt.format, AudioQuality: "5", EmbedMetadata: true})
			res, err := r.Run(testCtx(t, 90*time.Second), job, rec.sink)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(res.Files) != 1 || filepath.Ext(res.Files[0]) != tt.ext {
				t.Fatalf("files = %v, want one %s", res.Files, tt.ext)
			}
			media := testmedia.FFprobe(t, res.Files[0])
			if got := media.Codecs("audio"); len(got) != 1 || got[0] != tt.codec {
				t.Errorf("audio codecs %v, want %s", got, tt.codec)
			}
			if got := media.Codecs("video"); len(got) != 0 {
				t.Errorf("video streams %v in an audio file", got)
			}
			if pps := rec.postProcessors(); !slices.Contains(pps, "ExtractAudio") {
				t.Errorf("post-processors %v, want ExtractAudio", pps)
			}
			checkProgress(t, rec.progress())
			if leftovers, _ := os.ReadDir(job.PartDir()); len(leftovers) != 0 {
				t.Errorf("part folder not empty: %v", leftovers)
			}
		})
	}
}

func TestRun404(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	job := newJob(t, "job-404", srv.URL("/gone.mp4"), Options{})
	res, err := newTestRunner(t).Run(testCtx(t, 60*time.Second), job, nil)
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *ExitError", err)
	}
	if ee.Reason != ReasonUnavailable || ee.Code != 1 {
		t.Errorf("got code %d reason %s", ee.Code, ee.Reason)
	}
	if !strings.Contains(ee.Stderr, "HTTP Error 404") {
		t.Errorf("stderr lacks the 404: %q", ee.Stderr)
	}
	checkSafe(t, ee.SafeMessage)
	if res == nil || len(res.Files) != 0 {
		t.Errorf("result %+v", res)
	}
}

func TestRunGenericDisabled(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	job := newJob(t, "job-generic", srv.URL(testmedia.PathVideo), Options{})
	job.Settings.AllowGeneric = false
	_, err := newTestRunner(t).Run(testCtx(t, 60*time.Second), job, nil)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Reason != ReasonUnsupportedURL {
		t.Fatalf("err = %v, want unsupported_url", err)
	}
	if n := srv.Count(testmedia.PathVideo); n != 0 {
		t.Errorf("yt-dlp fetched the URL %d times with the generic extractor off", n)
	}
}

// refusingProxy is a stand-in for netguard's egress proxy refusing every
// destination with the marker Downlink classifies.
func refusingProxy(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				for {
					l, err := br.ReadString('\n')
					if err != nil || l == "\r\n" || l == "\n" {
						break
					}
				}
				fmt.Fprintf(c, "HTTP/1.1 403 %s: loopback\r\nX-Downlink-Blocked: loopback\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", EgressRefusedMarker)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestRunBlockedByEgressProxy(t *testing.T) {
	t.Parallel()
	proxy := refusingProxy(t)
	for _, url := range []string{"http://media.example.test/v.mp4", "https://media.example.test/v.mp4"} {
		t.Run(url[:strings.Index(url, ":")], func(t *testing.T) {
			job := newJob(t, "job-blocked", url, Options{})
			job.Settings.ProxyURL = proxy
			_, err := newTestRunner(t).Run(testCtx(t, 60*time.Second), job, nil)
			var ee *ExitError
			if !errors.As(err, &ee) || ee.Reason != ReasonBlockedDestination {
				t.Fatalf("err = %v, want blocked_destination", err)
			}
			checkSafe(t, ee.SafeMessage)
			if !strings.Contains(ee.SafeMessage, "(loopback)") {
				t.Errorf("safe message %q lacks the proxy's reason", ee.SafeMessage)
			}
		})
	}
}

// TestPresetCompatible: a DASH source offering H.264 (320x240) and VP9
// (640x480). The default preset, compatible, gives H.264/AAC in mp4, which
// every browser plays; best takes the larger VP9.
func TestPresetCompatible(t *testing.T) {
	srv := testmedia.NewServer(t)
	r := newTestRunner(t)
	for _, tt := range []struct {
		name   string
		preset Preset
		video  string
	}{
		{"default is compatible", "", "h264"},
		{"best", PresetBest, "vp9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			job := newJob(t, "job-"+strings.ReplaceAll(tt.name, " ", "-"), srv.URL(testmedia.PathDASH), Options{Preset: tt.preset})
			res, err := r.Run(testCtx(t, 90*time.Second), job, nil)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(res.Files) != 1 {
				t.Fatalf("files = %v", res.Files)
			}
			media := testmedia.FFprobe(t, res.Files[0])
			if v, a := media.Codecs("video"), media.Codecs("audio"); !slices.Equal(v, []string{tt.video}) || !slices.Equal(a, []string{"aac"}) {
				t.Errorf("codecs video %v audio %v, want %s and aac", v, a, tt.video)
			}
			if tt.video == "h264" && (filepath.Ext(res.Files[0]) != ".mp4" || !strings.Contains(media.FormatName, "mp4")) {
				t.Errorf("file %s (%s), want mp4", res.Files[0], media.FormatName)
			}
		})
	}
}
