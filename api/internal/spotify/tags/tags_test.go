package tags_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/tags"
	"github.com/downlink/downlink/api/internal/testmedia"
)

var ropes = spotify.Track{
	ID: "1t2qKa8K72IBC8yQlhD9bU", Name: "Ropes", Artists: []string{"Dirty Palm", "Chandler Jewels"},
	Album: "Ropes", AlbumArtist: "Dirty Palm", TrackNumber: 1, TrackTotal: 3, DiscNumber: 1, DiscTotal: 2,
	ReleaseDate: "2021-10-28", ISRC: "GB2LD2110301", DurationMs: 188000,
}

func coverImage(t *testing.T, kind string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 128, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if kind == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// coverServer serves /cover.png and /cover.jpg on 127.0.0.1.
func coverServer(t *testing.T) *httptest.Server {
	t.Helper()
	pngData, jpgData := coverImage(t, "png"), coverImage(t, "jpg")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cover.png":
			_, _ = w.Write(pngData)
		case "/cover.jpg":
			w.Header().Set("Content-Type", "application/octet-stream") // the bytes decide
			_, _ = w.Write(jpgData)
		case "/not-an-image":
			_, _ = w.Write([]byte("<html>nope</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// copyAudio returns a private copy of a generated audio file (the
// generated ones are shared and cached).
func copyAudio(t *testing.T, format string) string {
	t.Helper()
	src := testmedia.GenerateAudio(t, testmedia.AudioSpec{Seconds: 2, Format: format, Title: "yt-dlp title"})
	dst := filepath.Join(t.TempDir(), "song."+format)
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

type probe struct {
	Format struct {
		Tags map[string]string `json:"tags"`
	} `json:"format"`
	Streams []struct {
		CodecType   string            `json:"codec_type"`
		CodecName   string            `json:"codec_name"`
		Width       int               `json:"width"`
		Tags        map[string]string `json:"tags"`
		Disposition map[string]int    `json:"disposition"`
	} `json:"streams"`
}

func ffprobe(t *testing.T, path string) (probe, map[string]string) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	// Tags live on the format (ID3, MP4, FLAC) or the audio stream (Ogg):
	// merge them with lower-case keys.
	all := map[string]string{}
	for k, v := range p.Format.Tags {
		all[strings.ToLower(k)] = v
	}
	for _, s := range p.Streams {
		if s.CodecType == "audio" {
			for k, v := range s.Tags {
				all[strings.ToLower(k)] = v
			}
		}
	}
	return p, all
}

func TestWriteAllFormats(t *testing.T) {
	t.Parallel()
	covers := coverServer(t)
	w := tags.New(tags.Config{HTTPClient: covers.Client()})
	formats := []struct {
		format string
		cover  string
		track  string // how the track number reads back
		disc   string
		isrc   string // the tag key ISRC reads back under
	}{
		{"mp3", "/cover.jpg", "1/3", "1/2", "tsrc"},
		{"m4a", "/cover.png", "1/3", "1/2", "isrc"},
		{"opus", "/cover.jpg", "1", "1", "isrc"},
		{"flac", "/cover.png", "1", "1", "isrc"},
	}
	for _, tt := range formats {
		t.Run(tt.format, func(t *testing.T) {
			path := copyAudio(t, tt.format)
			tg := tags.FromTrack(ropes)
			tg.CoverURL = covers.URL + tt.cover
			if err := w.Write(context.Background(), path, tg); err != nil {
				t.Fatal(err)
			}
			p, got := ffprobe(t, path)
			want := map[string]string{
				"title": "Ropes", "artist": "Dirty Palm, Chandler Jewels", "album": "Ropes",
				"album_artist": "Dirty Palm", "track": tt.track, "disc": tt.disc, "date": "2021-10-28", tt.isrc: "GB2LD2110301",
			}
			if tt.format == "opus" || tt.format == "flac" {
				want["tracktotal"], want["disctotal"] = "3", "2"
				if got["album_artist"] == "" {
					want["albumartist"] = want["album_artist"] // Vorbis spelling
					delete(want, "album_artist")
				}
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("tag %s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			var audio, pics int
			for _, s := range p.Streams {
				switch {
				case s.CodecType == "audio":
					audio++
				case s.CodecType == "video" && s.Disposition["attached_pic"] == 1 && s.Width == 64:
					pics++
				}
			}
			if audio != 1 || pics != 1 {
				t.Errorf("streams: %d audio, %d 64px cover pictures; want 1 and 1: %+v", audio, pics, p.Streams)
			}
			if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".tagging-*")); len(leftovers) > 0 {
				t.Errorf("temp files left: %v", leftovers)
			}
			// The file still decodes end to end.
			if out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("decode: %v %s", err, out)
			}
		})
	}
}

func TestWriteRetagReplaces(t *testing.T) {
	t.Parallel()
	covers := coverServer(t)
	w := tags.New(tags.Config{HTTPClient: covers.Client()})
	path := copyAudio(t, "mp3")
	tg := tags.FromTrack(ropes)
	tg.CoverURL = covers.URL + "/cover.jpg"
	for range 2 {
		if err := w.Write(context.Background(), path, tg); err != nil {
			t.Fatal(err)
		}
	}
	p, got := ffprobe(t, path)
	if got["title"] != "Ropes" || len(p.Streams) != 2 {
		t.Errorf("after re-tagging: %v, %d streams", got, len(p.Streams))
	}
}

func TestWriteCoverProblemsAreNotFatal(t *testing.T) {
	t.Parallel()
	covers := coverServer(t)
	w := tags.New(tags.Config{HTTPClient: covers.Client(), MaxCoverBytes: 1 << 20})
	for _, u := range []string{"/missing.jpg", "/not-an-image", "http://127.0.0.1:1/cover.jpg"} {
		t.Run(u, func(t *testing.T) {
			path := copyAudio(t, "flac")
			tg := tags.FromTrack(ropes)
			tg.CoverURL = covers.URL + u
			if strings.HasPrefix(u, "http") {
				tg.CoverURL = u
			}
			if err := w.Write(context.Background(), path, tg); err != nil {
				t.Fatal(err)
			}
			p, got := ffprobe(t, path)
			if got["title"] != "Ropes" || len(p.Streams) != 1 {
				t.Errorf("tags %v, %d streams", got, len(p.Streams))
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	w := tags.New(tags.Config{})
	if err := w.Write(context.Background(), "/tmp/x.wav", tags.Tags{}); err == nil {
		t.Error("wav accepted")
	}
	broken := filepath.Join(t.TempDir(), "broken.mp3")
	if err := os.WriteFile(broken, []byte("not audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := w.Write(context.Background(), broken, tags.FromTrack(ropes))
	if err == nil || !strings.Contains(err.Error(), "ffmpeg failed") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(broken); string(b) != "not audio" {
		t.Error("original touched after a failure")
	}
}
