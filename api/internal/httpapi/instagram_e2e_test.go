package httpapi_test

import (
	"bytes"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/instagram"
	"github.com/downlink/downlink/api/internal/instagram/instagramtest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// igMedia is what the Instagram stand-in serves: a real JPEG and a real
// MP4 made by ffmpeg.
type igMedia struct{ photo, video []byte }

func newIGMedia(t *testing.T) igMedia {
	t.Helper()
	photo, err := os.ReadFile(testmedia.Poster(t))
	if err != nil {
		t.Fatal(err)
	}
	video, err := os.ReadFile(testmedia.Video(t))
	if err != nil {
		t.Fatal(err)
	}
	return igMedia{photo: photo, video: video}
}

func (m igMedia) photoAt(path string) instagramtest.Media {
	return instagramtest.Media{Kind: instagram.KindPhoto, Path: path, Body: m.photo, ContentType: "image/jpeg", Width: 1440, Height: 1800}
}

func (m igMedia) videoAt(path string) instagramtest.Media {
	return instagramtest.Media{Kind: instagram.KindVideo, Path: path, Body: m.video, ContentType: "video/mp4", Width: 1080, Height: 1920, Duration: 2}
}

func igPost(code string, items ...instagramtest.Media) instagramtest.Post {
	return instagramtest.Post{Shortcode: code, Username: "natgeo", FullName: "National Geographic",
		Caption: "Dawn over the fjord #norway", TakenAt: time.Date(2026, 6, 14, 18, 30, 0, 0, time.UTC), Items: items}
}

// pointInstagramAt makes the admin point the Instagram platform at base.
func pointInstagramAt(t *testing.T, env *apitest.Env, base string) {
	t.Helper()
	body := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": 2,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil,
		"options": map[string]any{"instagram": map[string]any{"base_url": base}}}
	adminClient(t, env).Do(http.MethodPut, "/api/v1/settings/platforms/instagram", body).Expect(http.StatusOK)
}

// TestInstagramCarouselEndToEnd: a mixed carousel is one download with
// its photos and its video (by the real yt-dlp), in order; a carousel with
// one broken item completes as "2 of 3" and says why.
func TestInstagramCarouselEndToEnd(t *testing.T) {
	t.Parallel()
	m := newIGMedia(t)
	ig := instagramtest.Start(t, instagramtest.Options{})
	ig.AddPost(igPost("C0mixedpost", m.photoAt("/m/a.jpg"), m.videoAt("/m/b.mp4"), m.photoAt("/m/c.jpg")))
	gone := m.photoAt("/m/gone.jpg")
	gone.Body = nil // listed by the post, not served: 404
	ig.AddPost(igPost("C0brokenone", m.photoAt("/m/d.jpg"), gone, m.videoAt("/m/e.mp4")))
	w := newDLWorld(t)
	pointInstagramAt(t, w.env, ig.URL)

	var probe struct {
		Kind    string `json:"kind"`
		Title   string `json:"title"`
		Formats []struct {
			Ext  string `json:"ext"`
			Note string `json:"note"`
		} `json:"formats"`
	}
	expectStatus(t, w.c.Post("/api/v1/downloads/probe", map[string]any{"url": "https://www.instagram.com/p/C0mixedpost/"}), http.StatusOK).JSON(&probe)
	if probe.Kind != "post" || probe.Title != "Post by natgeo" || len(probe.Formats) != 3 || probe.Formats[1].Note != "video 2 of 3" {
		t.Errorf("probe %+v", probe)
	}
	mixed := submitURL(t, w.c, "https://www.instagram.com/p/C0mixedpost/?img_index=1")
	broken := submitURL(t, w.c, "https://www.instagram.com/p/C0brokenone/")

	d := waitCompleted(t, w.env, w.c, mixed.ID)
	if d.Kind != "post" || d.ChildrenCount != 0 || *d.Title != "Post by natgeo" || len(d.Warnings) != 0 || len(d.Files) != 3 {
		t.Fatalf("carousel %s", d)
	}
	wantKinds := []struct{ suffix, kind, mime string }{{".001.jpg", "image", "image/jpeg"}, {".002.mp4", "video", "video/mp4"},
		{".003.jpg", "image", "image/jpeg"}}
	for i, f := range d.Files {
		want := wantKinds[i]
		if !strings.HasSuffix(f.Name, want.suffix) || f.Kind != want.kind || f.MimeType != want.mime {
			t.Errorf("file %d: %s %s %s, want …%s %s", i+1, f.Name, f.Kind, f.MimeType, want.suffix, want.kind)
		}
	}
	photo := expectStatus(t, w.c.Get(d.Files[0].ContentURL), http.StatusOK)
	if !bytes.HasSuffix(photo.Body, m.photo[len(m.photo)/2:]) || !bytes.Contains(photo.Body, []byte("Dawn over the fjord #norway")) ||
		!bytes.Contains(photo.Body, []byte("2026-06-14T18:30:00Z")) {
		t.Errorf("the photo lacks its pixels or its caption and date")
	}
	video := testmedia.FFprobe(t, libraryPath(w.env, w.user.ID, "instagram", d.Files[1].Name))
	if len(video.Codecs("video")) != 1 {
		t.Errorf("the video does not probe as one: %+v", video.Streams)
	}
	if ig.Hits("/m/b.mp4") == 0 || ig.Hits("/small/m/b.mp4") != 0 || ig.Hits("/small/m/a.jpg") != 0 {
		t.Errorf("not the full-resolution items: %v", ig.Requests())
	}

	d = waitCompleted(t, w.env, w.c, broken.ID)
	if len(d.Files) != 2 || len(d.Warnings) != 1 || d.Error != nil {
		t.Fatalf("broken carousel %s", d)
	}
	if wr := d.Warnings[0]; wr.Code != "items_skipped" ||
		!strings.HasPrefix(wr.Message, "Downloaded 2 of 3 items. Skipped item 2 (photo): Instagram's media server answered 404 Not Found") {
		t.Errorf("warning %+v", wr)
	}
	if !strings.HasSuffix(d.Files[0].Name, ".001.jpg") || !strings.HasSuffix(d.Files[1].Name, ".003.mp4") {
		t.Errorf("kept %s and %s", d.Files[0].Name, d.Files[1].Name)
	}
}

// TestInstagramOnlyReachesAllowedAddresses: with the guard on, the
// stand-in answers under a public-looking name; a post whose items point at
// loopback and at a cloud metadata address keeps its allowed item, and the
// refused ones are never reached.
func TestInstagramOnlyReachesAllowedAddresses(t *testing.T) {
	t.Parallel()
	m := newIGMedia(t)
	ig := instagramtest.Start(t, instagramtest.Options{})
	local := strings.TrimPrefix(ig.URL, "http://")
	_, port, _ := net.SplitHostPort(local)
	public := netip.MustParseAddr("93.184.215.14")
	// www.instagram.com resolves for the submission check only: nothing
	// is fetched from the submitted address itself.
	fn := &fakeNet{names: map[string]netip.Addr{"ig.example.com": public, "www.instagram.com": netip.MustParseAddr("157.240.0.35")},
		routes: map[string]string{netip.AddrPortFrom(public, mustPort(t, port)).String(): local}}
	base := "http://ig.example.com:" + port
	ig.SetMediaBase(base)
	loop := m.photoAt("/m/loop.jpg")
	loop.URL = ig.URL + "/m/loop.jpg" // 127.0.0.1
	meta := m.photoAt("/m/meta.jpg")
	meta.URL = "http://169.254.169.254/latest/meta-data/iam"
	ig.AddPost(igPost("C0guardpost", m.photoAt("/m/ok.jpg"), loop, meta, m.videoAt("/m/ok.mp4")))
	env := apitest.New(t, guardOn(), apitest.WithApp(app.WithNetwork(fn, fn)))
	user := newAccount(t, env, "user")
	c, _ := signIn(t, env, user)
	pointInstagramAt(t, env, base)

	d := waitCompleted(t, env, c, submitURL(t, c, "https://www.instagram.com/p/C0guardpost/").ID)
	if len(d.Files) != 2 || len(d.Warnings) != 1 {
		t.Fatalf("guarded post %s\nlog tail:\n%s", d, logTail(env, 3000))
	}
	msg := d.Warnings[0].Message
	if !strings.HasPrefix(msg, "Downloaded 2 of 4 items.") ||
		!strings.Contains(msg, "item 2 (photo): its address leads to a destination Downlink does not allow (loopback)") ||
		!strings.Contains(msg, "item 3 (photo): its address leads to a destination Downlink does not allow (metadata)") ||
		strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "169.254") {
		t.Errorf("warning %q", msg)
	}
	if n := ig.Hits("/m/loop.jpg"); n != 0 {
		t.Errorf("the loopback item was reached %d times", n)
	}
	for _, dial := range fn.dialed() {
		if ap, err := netip.ParseAddrPort(dial); err != nil || ap.Addr() != public {
			t.Errorf("the proxy dialed %q", dial)
		}
	}
	if ig.Hits("/m/ok.jpg") != 1 || ig.Hits("/m/ok.mp4") == 0 {
		t.Errorf("allowed items: %v", ig.Requests())
	}
}
