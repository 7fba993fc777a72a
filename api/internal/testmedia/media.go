// Package testmedia generates small media files with ffmpeg and serves them
// on 127.0.0.1, so tests can run the real yt-dlp and ffmpeg without touching
// the internet.
//
// Media are generated once per parameter set and cached on disk under the
// system temp folder (keyed by the parameters and the ffmpeg version), so the
// many test binaries of the tree share them and a run only pays for
// generation once. Treat returned paths as read-only; copy a file before
// changing it.
//
// Every function takes a testing.TB and fails the test loudly when ffmpeg is
// missing: media tests are never skipped silently.
package testmedia

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// cacheVersion changes whenever generation changes in a way the parameters
// do not show, so old cached files are not reused.
const cacheVersion = "v1"

// DefaultTitle is the title tag of the default video and audio files.
const DefaultTitle = "Downlink Test Clip"

// VideoSpec describes a generated H.264 + AAC MP4 file.
type VideoSpec struct {
	Seconds int    // length; default 4
	Width   int    // default 160
	Height  int    // default 120
	FPS     int    // default 15; a key frame every second
	Title   string // "title" metadata tag; default DefaultTitle
	// Bitrate forces a constant video bitrate such as "2500k", padding the
	// stream so the file has a predictable, larger size. Empty: x264 default.
	Bitrate string
}

func (s VideoSpec) withDefaults() VideoSpec {
	if s.Seconds <= 0 {
		s.Seconds = 4
	}
	if s.Width <= 0 {
		s.Width = 160
	}
	if s.Height <= 0 {
		s.Height = 120
	}
	if s.FPS <= 0 {
		s.FPS = 15
	}
	if s.Title == "" {
		s.Title = DefaultTitle
	}
	return s
}

// AudioSpec describes a generated audio-only file (a sine tone).
type AudioSpec struct {
	Seconds int    // default 4
	Title   string // default DefaultTitle
	// Format is the file extension and decides the codec: "m4a" (AAC, the
	// default), "mp3", "opus" (Ogg Opus) or "flac".
	Format string
}

func (s AudioSpec) withDefaults() AudioSpec {
	if s.Seconds <= 0 {
		s.Seconds = 4
	}
	if s.Title == "" {
		s.Title = DefaultTitle
	}
	if s.Format == "" {
		s.Format = "m4a"
	}
	return s
}

// Video returns the default short video: 4 s, 160x120, H.264 + AAC, with
// the title tag DefaultTitle (about 70 KB).
func Video(tb testing.TB) string {
	tb.Helper()
	return GenerateVideo(tb, VideoSpec{})
}

// BigVideo returns a larger video (10 s at a constant 2.5 Mbit/s, about
// 3.2 MB), so a throttled download shows several seconds of progress.
func BigVideo(tb testing.TB) string {
	tb.Helper()
	return GenerateVideo(tb, VideoSpec{Seconds: 10, Width: 320, Height: 240, FPS: 25, Bitrate: "2500k", Title: "Downlink Big Clip"})
}

// Audio returns the default audio-only file: 4 s of AAC in an .m4a, with the
// title tag DefaultTitle.
func Audio(tb testing.TB) string {
	tb.Helper()
	return GenerateAudio(tb, AudioSpec{})
}

// GenerateVideo returns the path of an MP4 file matching spec.
func GenerateVideo(tb testing.TB, spec VideoSpec) string {
	tb.Helper()
	s := spec.withDefaults()
	key := fmt.Sprintf("video|%d|%dx%d|%d|%s|%s", s.Seconds, s.Width, s.Height, s.FPS, s.Title, s.Bitrate)
	return generate(tb, key, "video.mp4", func(dir string) error {
		args := []string{
			"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", s.Width, s.Height, s.FPS),
			"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
			"-t", strconv.Itoa(s.Seconds),
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", strconv.Itoa(s.FPS),
		}
		if s.Bitrate != "" {
			args = append(args, "-b:v", s.Bitrate, "-minrate", s.Bitrate, "-maxrate", s.Bitrate,
				"-bufsize", s.Bitrate, "-x264-params", "nal-hrd=cbr")
		}
		args = append(args, "-c:a", "aac", "-b:a", "64k",
			"-metadata", "title="+s.Title, "-movflags", "+faststart",
			filepath.Join(dir, "video.mp4"))
		return ffmpeg(args...)
	})
}

// GenerateAudio returns the path of an audio-only file matching spec.
func GenerateAudio(tb testing.TB, spec AudioSpec) string {
	tb.Helper()
	s := spec.withDefaults()
	codec := map[string][]string{
		"m4a":  {"-c:a", "aac", "-b:a", "64k"},
		"mp3":  {"-c:a", "libmp3lame", "-b:a", "64k"},
		"opus": {"-c:a", "libopus", "-b:a", "48k"},
		"flac": {"-c:a", "flac"},
	}[s.Format]
	if codec == nil {
		tb.Fatalf("testmedia: unsupported audio format %q (want m4a, mp3, opus or flac)", s.Format)
	}
	name := "audio." + s.Format
	key := fmt.Sprintf("audio|%d|%s|%s", s.Seconds, s.Title, s.Format)
	return generate(tb, key, name, func(dir string) error {
		args := []string{"-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000", "-t", strconv.Itoa(s.Seconds)}
		args = append(args, codec...)
		args = append(args, "-metadata", "title="+s.Title, filepath.Join(dir, name))
		return ffmpeg(args...)
	})
}

// Poster returns a JPEG still of the default video, used as a thumbnail.
func Poster(tb testing.TB) string {
	tb.Helper()
	src := Video(tb)
	return generate(tb, "poster|"+src, "poster.jpg", func(dir string) error {
		return ffmpeg("-i", src, "-frames:v", "1", filepath.Join(dir, "poster.jpg"))
	})
}

// HLS returns the folder of an HLS rendition of a 4 s video: index.m3u8 (a
// VOD playlist) and four one-second segments seg000.ts … seg003.ts.
func HLS(tb testing.TB) string {
	tb.Helper()
	s := VideoSpec{}.withDefaults()
	index := generate(tb, "hls|"+s.Title, "index.m3u8", func(dir string) error {
		return ffmpeg(
			"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", s.Width, s.Height, s.FPS),
			"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
			"-t", strconv.Itoa(s.Seconds),
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", strconv.Itoa(s.FPS),
			"-c:a", "aac", "-b:a", "64k", "-metadata", "title="+s.Title,
			"-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
			"-hls_segment_filename", filepath.Join(dir, "seg%03d.ts"),
			filepath.Join(dir, "index.m3u8"))
	})
	return filepath.Dir(index)
}

// DASH returns the folder of a DASH rendition (manifest.mpd) of a 2 s
// video offered twice: H.264 at 320x240 and VP9 at 640x480 (the higher,
// so "best" takes VP9), with one AAC audio stream. What YouTube offers in
// small: a format choice between codecs.
func DASH(tb testing.TB) string {
	tb.Helper()
	manifest := generate(tb, "dash|h264+vp9", "manifest.mpd", func(dir string) error {
		return ffmpeg(
			"-f", "lavfi", "-i", "testsrc2=size=640x480:rate=10",
			"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
			"-t", "2", "-map", "0:v", "-map", "0:v", "-map", "1:a",
			"-c:v:0", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-s:v:0", "320x240",
			"-c:v:1", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v:1", "400k",
			"-c:a", "aac", "-b:a", "64k",
			"-f", "dash", "-seg_duration", "1", filepath.Join(dir, "manifest.mpd"))
	})
	return filepath.Dir(manifest)
}

// cache holds what this process generated or found, one entry per key, so
// concurrent tests wait for one generation instead of racing.
var cache = struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
}{entries: map[string]*cacheEntry{}}

type cacheEntry struct {
	once sync.Once
	path string
	err  error
}

// generate returns dir/name for the cache entry of key, running build into a
// fresh folder when no process has generated it yet.
func generate(tb testing.TB, key, name string, build func(dir string) error) string {
	tb.Helper()
	cache.mu.Lock()
	e, ok := cache.entries[key]
	if !ok {
		e = &cacheEntry{}
		cache.entries[key] = e
	}
	cache.mu.Unlock()
	e.once.Do(func() { e.path, e.err = generateOnDisk(key, name, build) })
	if e.err != nil {
		tb.Fatalf("testmedia: %v", e.err)
	}
	return e.path
}

func generateOnDisk(key, name string, build func(dir string) error) (string, error) {
	version, err := ffmpegVersion()
	if err != nil {
		return "", err
	}
	root, err := cacheRoot()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(cacheVersion + "\x00" + version + "\x00" + key))
	final := filepath.Join(root, hex.EncodeToString(sum[:12]))
	if _, err := os.Stat(filepath.Join(final, name)); err == nil {
		return filepath.Join(final, name), nil
	}
	// Generate beside the final folder and rename it into place: another test
	// process may be doing the same, and a folder appears whole or not at all.
	work, err := os.MkdirTemp(root, "gen-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	if err := build(work); err != nil {
		return "", fmt.Errorf("generate %s: %w", name, err)
	}
	if err := os.Rename(work, final); err != nil {
		if _, statErr := os.Stat(filepath.Join(final, name)); statErr != nil {
			return "", fmt.Errorf("store %s: %w", name, err)
		}
	}
	return filepath.Join(final, name), nil
}

func cacheRoot() (string, error) {
	root := filepath.Join(os.TempDir(), fmt.Sprintf("downlink-testmedia-%d", os.Getuid()))
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("media cache: %w", err)
	}
	return root, nil
}

var ffmpegVersionOnce = sync.OnceValues(func() (string, error) {
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", fmt.Errorf("ffmpeg is required to generate test media but was not found in PATH (install it, e.g. apt-get install ffmpeg): %w", err)
	}
	out, err := exec.Command(path, "-version").Output()
	if err != nil {
		return "", fmt.Errorf("ffmpeg -version: %w", err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return path + " " + first, nil
})

func ffmpegVersion() (string, error) { return ffmpegVersionOnce() }

// ffmpeg runs ffmpeg quietly with a time limit and reports its stderr on
// failure.
func ffmpeg(args ...string) error {
	if _, err := ffmpegVersion(); err != nil {
		return err
	}
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start ffmpeg: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("ffmpeg %s: %w: %s", strings.Join(args, " "), err, stderr.String())
		}
		return nil
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("ffmpeg %s: timed out", strings.Join(args, " "))
	}
}
