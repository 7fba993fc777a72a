package instagram

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMediaID(t *testing.T) {
	// yt-dlp's InstagramIOSIE test: instagram://media?id=482584233761418119 is /p/aye83DjauH.
	cases := map[string]string{
		"aye83DjauH":                           "482584233761418119",
		"aye83DjauH" + strings.Repeat("x", 28): "482584233761418119", // a private post's long shortcode
		"B":                                    "1",
		"BA":                                   "64",
		"-_":                                   "4031",
	}
	for code, want := range cases {
		if got, err := MediaID(code); err != nil || got != want {
			t.Errorf("MediaID(%q) = %q, %v; want %s", code, got, err, want)
		}
	}
	for _, bad := range []string{"", "a+b", "////", "_____________"} {
		if got, err := MediaID(bad); err == nil {
			t.Errorf("MediaID(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseMedia(t *testing.T) {
	parse := func(t *testing.T, raw string) (*Post, error) {
		t.Helper()
		var m wireMedia
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		return parseMedia(&m, "C0abcdefghi")
	}
	t.Run("carousel of a photo and a video, largest versions", func(t *testing.T) {
		p, err := parse(t, `{"pk":"3380000000000000001","code":"C0abcdefghi","media_type":8,"taken_at":1718389800,
			"caption":{"text":"two things"},"user":{"pk":"1","username":"natgeo","full_name":"National Geographic"},
			"carousel_media":[
			 {"pk":"11","media_type":1,"image_versions2":{"candidates":[
			   {"width":640,"height":800,"url":"https://cdn/p640.jpg"},{"width":1440,"height":1800,"url":"https://cdn/p1440.jpg"},
			   {"width":1080,"height":1350,"url":"https://cdn/p1080.jpg"}]}},
			 {"pk":"12","media_type":2,"video_duration":12.5,"image_versions2":{"candidates":[{"width":1080,"height":1920,"url":"https://cdn/cover.jpg"}]},
			  "video_versions":[{"type":102,"width":720,"height":1280,"url":"https://cdn/v720.mp4"},
			   {"type":101,"width":1080,"height":1920,"url":"https://cdn/v1080a.mp4"},{"type":103,"width":1080,"height":1920,"url":"https://cdn/v1080b.mp4"}]}]}`)
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != "3380000000000000001" || p.Username != "natgeo" || p.Caption != "two things" ||
			!p.TakenAt.Equal(time.Unix(1718389800, 0)) || len(p.Items) != 2 || p.Title() != "Post by natgeo" {
			t.Fatalf("post %+v", p)
		}
		if it := p.Items[0]; it.Index != 1 || it.Kind != KindPhoto || it.URL != "https://cdn/p1440.jpg" || it.Width != 1440 {
			t.Errorf("photo %+v", it)
		}
		if it := p.Items[1]; it.Index != 2 || it.Kind != KindVideo || it.URL != "https://cdn/v1080b.mp4" || it.Duration != 12.5 ||
			it.Thumbnail != "https://cdn/cover.jpg" {
			t.Errorf("video %+v", it)
		}
		if ph, v := p.Counts(); ph != 1 || v != 1 {
			t.Errorf("counts %d %d", ph, v)
		}
	})
	t.Run("a photo post", func(t *testing.T) {
		p, err := parse(t, `{"pk":"5","media_type":1,"user":{"username":"a"},"image_versions2":{"candidates":[{"width":1,"height":1,"url":"u"}]}}`)
		if err != nil || len(p.Items) != 1 || p.Items[0].Kind != KindPhoto || p.Title() != "Photo by a" || p.Shortcode != "C0abcdefghi" {
			t.Errorf("%+v %v", p, err)
		}
	})
	t.Run("a photo with music is the photo", func(t *testing.T) {
		p, err := parse(t, `{"pk":"6","media_type":2,"original_media_type":1,"user":{"username":"a"},
			"image_versions2":{"candidates":[{"width":1080,"height":1080,"url":"still.jpg"}]},
			"video_versions":[{"type":101,"width":1080,"height":1080,"url":"withmusic.mp4"}]}`)
		if err != nil || p.Items[0].Kind != KindPhoto || p.Items[0].URL != "still.jpg" {
			t.Errorf("%+v %v", p.Items, err)
		}
	})
	t.Run("an item without media keeps its place", func(t *testing.T) {
		p, err := parse(t, `{"pk":"7","media_type":8,"carousel_media":[{"pk":"1","media_type":1},
			{"pk":"2","media_type":1,"image_versions2":{"candidates":[{"width":1,"height":1,"url":"u"}]}}]}`)
		if err != nil || len(p.Items) != 2 || p.Items[0].URL != "" || p.Items[1].Index != 2 {
			t.Errorf("%+v %v", p.Items, err)
		}
	})
	t.Run("a carousel without its items", func(t *testing.T) {
		if _, err := parse(t, `{"pk":"8","media_type":8}`); !errors.Is(err, ErrShapeChanged) {
			t.Errorf("err %v", err)
		}
	})
}

func TestWriteMetadata(t *testing.T) {
	// A minimal JFIF header with an old XMP segment, then scan data.
	app0 := []byte{0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	oldXMP := append([]byte(xmpNamespace), []byte("<old/>")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(oldXMP) + 2) >> 8), byte(len(oldXMP) + 2)}, oldXMP...)
	sos := []byte{0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0xAA, 0xBB, 0xFF, 0xD9}
	jpeg := append(append(append([]byte{0xFF, 0xD8}, app0...), seg...), sos...)
	path := filepath.Join(t.TempDir(), "p.jpg")
	if err := os.WriteFile(path, jpeg, 0o600); err != nil {
		t.Fatal(err)
	}
	md := Metadata{Caption: `Fish & chips <3 "quoted"`, Author: "natgeo", Source: "https://www.instagram.com/p/C0abcdefghi/",
		TakenAt: time.Date(2026, 6, 14, 18, 30, 0, 0, time.UTC)}
	if err := WriteMetadata(path, md); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(path)
	if !bytes.HasPrefix(out, append([]byte{0xFF, 0xD8}, app0...)) || !bytes.HasSuffix(out, sos) {
		t.Fatalf("JFIF header or image data moved")
	}
	if bytes.Contains(out, []byte("<old/>")) || bytes.Count(out, []byte(xmpNamespace)) != 1 {
		t.Errorf("the old XMP segment was not replaced")
	}
	for _, want := range []string{"Fish &amp; chips &lt;3 &#34;quoted&#34;", "<rdf:li>natgeo</rdf:li>",
		"<dc:source>https://www.instagram.com/p/C0abcdefghi/</dc:source>", "<xmp:CreateDate>2026-06-14T18:30:00Z"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("no %q in the XMP", want)
		}
	}
	if st, _ := os.Stat(path); !st.ModTime().Equal(md.TakenAt) {
		t.Errorf("mtime %v", st.ModTime())
	}
	// Not a JPEG: untouched but dated.
	webp := filepath.Join(t.TempDir(), "p.webp")
	_ = os.WriteFile(webp, []byte("RIFF....WEBP"), 0o600)
	if err := WriteMetadata(webp, md); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(webp); string(b) != "RIFF....WEBP" {
		t.Errorf("a WebP was changed")
	}
	// A caption too long for one segment is cut, not refused.
	long := md
	long.Caption = strings.Repeat("é", 40000)
	if got, err := withXMP(jpeg, long); err != nil || len(got) > len(jpeg)+65535 {
		t.Errorf("long caption: %d bytes, %v", len(got), err)
	}
}

func TestCheckMediaURL(t *testing.T) {
	real, _ := New(Config{})
	standIn, _ := New(Config{BaseURL: "http://127.0.0.1:8000"})
	cases := []struct {
		url           string
		real, standIn bool
	}{
		{"https://scontent-fra5-1.cdninstagram.com/v/t51.2885-15/1_n.jpg?stp=dst-jpg", true, true},
		{"https://instagram.ffra1-1.fna.fbcdn.net/o1/v/t16/f2/m86/video.mp4?efg=x", true, true},
		{"http://scontent.cdninstagram.com/x.jpg", false, true},
		{"https://cdninstagram.com.evil.example/x.jpg", false, true},
		{"https://evil.example/x.jpg", false, true},
		{"ftp://scontent.cdninstagram.com/x.jpg", false, false},
		{"not a url", false, false},
	}
	for _, tc := range cases {
		if got := real.CheckMediaURL(tc.url) == nil; got != tc.real {
			t.Errorf("real Instagram, %s: allowed %v", tc.url, got)
		}
		if got := standIn.CheckMediaURL(tc.url) == nil; got != tc.standIn {
			t.Errorf("stand-in, %s: allowed %v", tc.url, got)
		}
	}
}
