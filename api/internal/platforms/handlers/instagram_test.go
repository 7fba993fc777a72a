package handlers_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/instagram"
	"github.com/downlink/downlink/api/internal/instagram/instagramtest"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/testmedia"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

func TestInstagramSource(t *testing.T) {
	h := handlers.NewInstagram(handlers.InstagramConfig{})
	cases := []struct {
		url   string
		fetch bool
	}{
		{"https://www.instagram.com/p/C0abcdefghi/", true},
		{"https://instagram.com/p/C0abcdefghi/?img_index=2&igsh=xyz", true},
		{"https://www.instagram.com/someone/p/C0abcdefghi/", true},
		{"https://www.instagram.com/reel/C0abcdefghi/", true},
		{"https://www.instagram.com/reels/C0abcdefghi/", true},
		{"https://www.instagram.com/tv/C0abcdefghi/", true},
		{"https://www.instagram.com/stories/someone/3140000000000000000/", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			it := downloads.Item{ID: uuid.New(), URL: tc.url, Platform: "instagram"}
			src, err := h.Source(context.Background(), it)
			if err != nil || src.URL != tc.url || src.Fetch != tc.fetch || src.AllEntries {
				t.Errorf("source %+v, %v; want fetch %v", src, err, tc.fetch)
			}
		})
	}
	if exp, err := h.Expand(context.Background(), downloads.Item{URL: cases[0].url}); exp.ListURL != cases[0].url || err != nil {
		t.Errorf("Expand took over: %+v %v", exp, err)
	}
}

func TestInstagramExplainsYtdlpFailures(t *testing.T) {
	h := handlers.NewInstagram(handlers.InstagramConfig{})
	cases := []struct {
		err        *ytdlp.ExitError
		code, says string
	}{
		{&ytdlp.ExitError{Reason: ytdlp.ReasonLoginRequired}, "login_required", "Settings → Platforms → Instagram → Cookies"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonPrivate}, "private", "Settings → Platforms → Instagram → Cookies"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonUnavailable, Stderr: "ERROR: [Instagram] DNxyz: No video formats found!"}, "no_video", "photo"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonUnknown, Stderr: "ERROR: [Instagram] DNxyz: There is no video in this post"}, "no_video", "photo"},
		{&ytdlp.ExitError{Reason: ytdlp.ReasonUnavailable, Stderr: "ERROR: HTTP Error 404: Not Found"}, "", ""},
	}
	for _, tc := range cases {
		got := h.ExplainFailure(tc.err)
		if failureCode(got) != tc.code || (got != nil && !strings.Contains(got.Error(), tc.says)) {
			t.Errorf("%s %q: reworded to %v", tc.err.Reason, tc.err.Stderr, got)
		}
	}
}

// videoRunner is yt-dlp for the Instagram fetcher: it downloads the
// direct video address it is given (as yt-dlp's generic extractor does)
// into the job's done folder, and records the job.
type videoRunner struct {
	mu   sync.Mutex
	jobs []ytdlp.Job
}

func (r *videoRunner) Run(ctx context.Context, job ytdlp.Job, sink ytdlp.Sink) (*ytdlp.Result, error) {
	r.mu.Lock()
	r.jobs = append(r.jobs, job)
	r.mu.Unlock()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, job.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, &ytdlp.ExitError{Reason: ytdlp.ReasonNetwork, SafeMessage: "A network error interrupted the download; retry later."}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &ytdlp.ExitError{Reason: ytdlp.ReasonUnavailable, SafeMessage: "The media is not available (removed, never existed, or not found at this address)."}
	}
	body, _ := io.ReadAll(resp.Body)
	sink(ytdlp.Info{ID: "direct", Title: "direct"})
	sink(ytdlp.Progress{Status: "finished", DownloadedBytes: int64(len(body)), TotalBytes: int64(len(body)), FormatID: "0"})
	if err := os.MkdirAll(job.DoneDir(), 0o750); err != nil {
		return nil, err
	}
	p := filepath.Join(job.DoneDir(), job.ID+".mp4")
	return &ytdlp.Result{Files: []string{p}}, os.WriteFile(p, body, 0o600)
}

func (r *videoRunner) Probe(context.Context, string, ytdlp.Settings) (*ytdlp.ProbeResult, error) {
	return nil, errors.New("not used")
}

func (r *videoRunner) ListPlaylist(context.Context, string, string, ytdlp.Settings) (*ytdlp.Playlist, error) {
	return nil, errors.New("not used")
}

type igBase string

func (b igBase) InstagramBaseURL(context.Context) string { return string(b) }

// igWorld: the Instagram stand-in with a photo and a video it serves, and
// a handler pointed at it.
type igWorld struct {
	ig           *instagramtest.Server
	h            *handlers.Instagram
	runner       *videoRunner
	photo, video []byte
	sleeps       []time.Duration
	mu           sync.Mutex
}

func newIGWorld(t *testing.T) *igWorld {
	t.Helper()
	w := &igWorld{ig: instagramtest.Start(t, instagramtest.Options{}), runner: &videoRunner{}}
	var err error
	if w.photo, err = os.ReadFile(testmedia.Poster(t)); err != nil {
		t.Fatal(err)
	}
	if w.video, err = os.ReadFile(testmedia.Video(t)); err != nil {
		t.Fatal(err)
	}
	w.h = handlers.NewInstagram(handlers.InstagramConfig{Settings: igBase(w.ig.URL), Sleep: func(ctx context.Context, d time.Duration) error {
		w.mu.Lock()
		w.sleeps = append(w.sleeps, d)
		w.mu.Unlock()
		return ctx.Err()
	}})
	return w
}

var takenAt = time.Date(2026, 6, 14, 18, 30, 0, 0, time.UTC)

func (w *igWorld) photoItem(name string) instagramtest.Media {
	return instagramtest.Media{Kind: instagram.KindPhoto, Path: "/media/" + name + ".jpg", Body: w.photo, ContentType: "image/jpeg",
		Width: 1440, Height: 1800}
}

func (w *igWorld) videoItem(name string) instagramtest.Media {
	return instagramtest.Media{Kind: instagram.KindVideo, Path: "/media/" + name + ".mp4", Body: w.video, ContentType: "video/mp4",
		Width: 1080, Height: 1920, Duration: 2}
}

func (w *igWorld) post(code string, items ...instagramtest.Media) {
	w.ig.AddPost(instagramtest.Post{Shortcode: code, Username: "natgeo", FullName: "National Geographic",
		Caption: "Dawn over the fjord — «Nordlys» #norway", TakenAt: takenAt, Items: items})
}

// fetch runs FetchMedia as the engine would, in a fresh job folder.
func (w *igWorld) fetch(t *testing.T, url string, opts ytdlp.Options, st ytdlp.Settings) (downloads.FetchResult, []ytdlp.Event, error) {
	t.Helper()
	dir := t.TempDir()
	it := downloads.Item{ID: uuid.New(), URL: url, Platform: "instagram", Kind: "post", Options: opts}
	var mu sync.Mutex
	var events []ytdlp.Event
	res, err := w.h.FetchMedia(context.Background(), it, downloads.Source{URL: url, Fetch: true}, downloads.FetchRun{
		Dir: dir, DoneDir: filepath.Join(dir, "done"), Settings: st, Runner: w.runner,
		Events: func(ev ytdlp.Event) { mu.Lock(); events = append(events, ev); mu.Unlock() }})
	return res, events, err
}

func TestInstagramFetchesAWholeCarousel(t *testing.T) {
	w := newIGWorld(t)
	w.post("C0carousel1", w.photoItem("a"), w.videoItem("b"), w.photoItem("c"))
	res, events, err := w.fetch(t, "https://www.instagram.com/p/C0carousel1/?img_index=1", ytdlp.Options{}, ytdlp.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 3 || len(res.Warnings) != 0 {
		t.Fatalf("files %v warnings %v", res.Files, res.Warnings)
	}
	for i, want := range []string{".001.jpg", ".002.mp4", ".003.jpg"} {
		if !strings.HasSuffix(res.Files[i], want) {
			t.Errorf("file %d is %s, want …%s", i+1, filepath.Base(res.Files[i]), want)
		}
	}
	// Photos: the full-resolution bytes, with the caption and date in XMP.
	for _, f := range []string{res.Files[0], res.Files[2]} {
		b, _ := os.ReadFile(f)
		if !bytes.HasSuffix(b, w.photo[len(w.photo)/2:]) || len(b) <= len(w.photo) || !bytes.Contains(b, []byte("http://ns.adobe.com/xap/1.0/\x00")) ||
			!bytes.Contains(b, []byte("Dawn over the fjord — «Nordlys» #norway")) ||
			!bytes.Contains(b, []byte("<xmp:CreateDate>2026-06-14T18:30:00Z</xmp:CreateDate>")) ||
			!bytes.Contains(b, []byte("<dc:source>https://www.instagram.com/p/C0carousel1/</dc:source>")) {
			t.Errorf("%s lacks the photo or its metadata", filepath.Base(f))
		}
		if st, _ := os.Stat(f); !st.ModTime().Equal(takenAt) {
			t.Errorf("%s modified %v, want the post's date", filepath.Base(f), st.ModTime())
		}
		info := testmedia.FFprobe(t, f)
		if len(info.Streams) != 1 || info.Streams[0].CodecName != "mjpeg" || info.Streams[0].Width != 160 {
			t.Errorf("%s does not decode as the poster: %+v", filepath.Base(f), info.Streams)
		}
	}
	// The video: yt-dlp got the largest version's direct address.
	if v, _ := os.ReadFile(res.Files[1]); !bytes.Equal(v, w.video) {
		t.Errorf("the video is not the served one")
	}
	if len(w.runner.jobs) != 1 || w.runner.jobs[0].URL != w.ig.URL+"/media/b.mp4" || !w.runner.jobs[0].Settings.AllowGeneric {
		t.Errorf("yt-dlp jobs %+v", w.runner.jobs)
	}
	for _, small := range []string{"/small/media/a.jpg", "/small/media/b.mp4", "/small/media/c.jpg"} {
		if n := w.ig.Hits(small); n != 0 {
			t.Errorf("a smaller version was fetched: %s", small)
		}
	}
	// Progress: one info naming the post and its three items, then each item's bytes.
	info, ok := events[0].(ytdlp.Info)
	if !ok || info.Title != "Post by natgeo" || info.Uploader != "National Geographic" || info.FormatID != "item1+item2+item3" {
		t.Errorf("first event %+v", events[0])
	}
	keys := map[string]bool{}
	for _, ev := range events[1:] {
		if p, ok := ev.(ytdlp.Progress); ok {
			keys[p.FormatID] = true
		} else {
			t.Errorf("yt-dlp's own event %+v reached the item", ev)
		}
	}
	if len(keys) != 3 {
		t.Errorf("progress keys %v", keys)
	}
	// Logged out: the home page's LSD token, then the GraphQL query; no
	// signed-in API without a session.
	reqs := strings.Join(w.ig.Requests(), "\n")
	if !strings.Contains(reqs, "GET /\n") || !strings.Contains(reqs, "POST /api/graphql") || strings.Contains(reqs, "/api/v1/media/") {
		t.Errorf("requests:\n%s", reqs)
	}
}

func TestInstagramPhotoPostAndSession(t *testing.T) {
	w := newIGWorld(t)
	w.post("C0photopost", w.photoItem("solo"))
	cookies := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(cookies, []byte(w.ig.SessionCookies()), 0o600); err != nil {
		t.Fatal(err)
	}
	res, events, err := w.fetch(t, "https://www.instagram.com/p/C0photopost/", ytdlp.Options{}, ytdlp.Settings{CookiesFile: cookies})
	if err != nil || len(res.Files) != 1 || !strings.HasSuffix(res.Files[0], ".001.jpg") {
		t.Fatalf("photo post: %v %v", res, err)
	}
	if info := events[0].(ytdlp.Info); info.Title != "Photo by natgeo" {
		t.Errorf("title %q", info.Title)
	}
	reqs := strings.Join(w.ig.Requests(), "\n")
	pk, _ := instagram.MediaID("C0photopost")
	if !strings.Contains(reqs, "GET /api/v1/media/"+pk+"/info/") || strings.Contains(reqs, "graphql") {
		t.Errorf("with a session the signed-in API is read:\n%s", reqs)
	}
	if c := w.ig.APICookies(); len(c) == 0 || !strings.Contains(c[0], "sessionid=test-session") {
		t.Errorf("cookies sent %v", c)
	}

	// A session Instagram no longer knows: said so, pointing at the cookies.
	stale := strings.ReplaceAll(w.ig.SessionCookies(), "test-session", "old-session")
	if err := os.WriteFile(cookies, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = w.fetch(t, "https://www.instagram.com/p/C0photopost/", ytdlp.Options{}, ytdlp.Settings{CookiesFile: cookies})
	if failureCode(err) != "login_required" || !strings.Contains(err.Error(), "no longer works") {
		t.Errorf("stale session: %v", err)
	}
}

func TestInstagramPartialAndFailedPosts(t *testing.T) {
	w := newIGWorld(t)
	broken := w.photoItem("gone")
	broken.Body = nil // listed, never served: 404
	w.post("C0brokenone", w.photoItem("ok1"), broken, w.videoItem("ok2"))
	w.post("C0allbroken", broken, instagramtest.Media{Kind: instagram.KindVideo, Path: "/media/none.mp4"})
	w.post("C0onlyphoto", w.photoItem("p1"), w.photoItem("p2"))

	res, _, err := w.fetch(t, "https://www.instagram.com/p/C0brokenone/", ytdlp.Options{}, ytdlp.Settings{})
	if err != nil || len(res.Files) != 2 || len(res.Warnings) != 1 {
		t.Fatalf("one broken item: %+v %v", res, err)
	}
	want := "Downloaded 2 of 3 items. Skipped item 2 (photo): Instagram's media server answered 404 Not Found"
	if wr := res.Warnings[0]; wr.Code != "items_skipped" || !strings.HasPrefix(wr.Message, want) {
		t.Errorf("warning %+v", wr)
	}
	if !strings.HasSuffix(res.Files[0], ".001.jpg") || !strings.HasSuffix(res.Files[1], ".003.mp4") {
		t.Errorf("files %v", res.Files)
	}

	_, _, err = w.fetch(t, "https://www.instagram.com/p/C0allbroken/", ytdlp.Options{}, ytdlp.Settings{})
	if failureCode(err) != "unavailable" || !strings.Contains(err.Error(), "item 1 (photo): Instagram's media server answered 404") ||
		!strings.Contains(err.Error(), "item 2 (video): yt-dlp: The media is not available") {
		t.Errorf("nothing kept: %v", err)
	}

	_, _, err = w.fetch(t, "https://www.instagram.com/p/C0onlyphoto/", ytdlp.Options{Preset: ytdlp.PresetAudio}, ytdlp.Settings{})
	if failureCode(err) != "no_video" || !strings.Contains(err.Error(), "no video, only 2 photos") {
		t.Errorf("audio of a photo post: %v", err)
	}

	_, _, err = w.fetch(t, "https://www.instagram.com/p/C0notthere/", ytdlp.Options{}, ytdlp.Settings{})
	if failureCode(err) != "unavailable" {
		t.Errorf("missing post: %v", err)
	}
	w.ig.SetLoginWall(true)
	_, _, err = w.fetch(t, "https://www.instagram.com/p/C0brokenone/", ytdlp.Options{}, ytdlp.Settings{})
	if failureCode(err) != "rate_limited" || !strings.Contains(err.Error(), "login page") || !strings.Contains(err.Error(), "Cookies") ||
		!strings.Contains(err.Error(), "sleep between requests") {
		t.Errorf("login wall: %v", err)
	}
}

func TestInstagramKeepsThePlatformPace(t *testing.T) {
	w := newIGWorld(t)
	w.post("C0pacedpost", w.photoItem("x"), w.photoItem("y"))
	rate := int64(len(w.photo) / 2) // two seconds per photo
	res, _, err := w.fetch(t, "https://www.instagram.com/p/C0pacedpost/", ytdlp.Options{},
		ytdlp.Settings{SleepRequests: 3 * time.Second, RateLimit: rate})
	if err != nil || len(res.Files) != 2 {
		t.Fatal(res, err)
	}
	var pauses, throttles int
	for _, d := range w.sleeps {
		switch {
		case d > 2*time.Second && d <= 3*time.Second:
			pauses++
		case d > 0 && d <= 2*time.Second:
			throttles++
		}
	}
	// Four requests (home, GraphQL, two photos): three pauses between them.
	if pauses != 3 || throttles == 0 {
		t.Errorf("sleeps %v: %d pauses (want 3), %d throttles", w.sleeps, pauses, throttles)
	}
}

func TestInstagramProbe(t *testing.T) {
	w := newIGWorld(t)
	w.post("C0carousel1", w.photoItem("a"), w.videoItem("b"))
	ctx := context.Background()
	res, err := w.h.Probe(ctx, "https://www.instagram.com/p/C0carousel1/", "post")
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "post" || *res.Title != "Post by natgeo" || *res.Uploader != "National Geographic" || *res.DurationSeconds != 2 ||
		len(res.Formats) != 2 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "1 photo and 1 video") {
		t.Fatalf("probe %+v", res)
	}
	if f := res.Formats[0]; f.Ext != "jpg" || *f.Resolution != "1440x1800" || *f.Note != "photo 1 of 2" {
		t.Errorf("first item %+v", f)
	}
	if f := res.Formats[1]; f.Ext != "mp4" || *f.Resolution != "1080x1920" || *f.Note != "video 2 of 2" {
		t.Errorf("second item %+v", f)
	}
	if n := w.ig.Hits("/media/a.jpg") + w.ig.Hits("/media/b.mp4"); n != 0 {
		t.Errorf("a probe fetched %d media files", n)
	}
	if _, err := w.h.Probe(ctx, "https://www.instagram.com/stories/natgeo/3140000000000000000/", "story"); !errors.Is(err, downloads.ErrNotProbed) {
		t.Errorf("story: %v, want yt-dlp's probe", err)
	}
	w.ig.SetLoginWall(true)
	if _, err := w.h.Probe(ctx, "https://www.instagram.com/p/C0carousel1/", "post"); failureCode(err) != "rate_limited" {
		t.Errorf("login wall: %v", err)
	}
}
