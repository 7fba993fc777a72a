package frames

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestGrab takes a still of a real video: a JPEG a browser shows, no
// wider than the configured width, and the duration ffprobe reads.
func TestGrab(t *testing.T) {
	t.Parallel()
	src := testmedia.Video(t)
	dst := filepath.Join(t.TempDir(), "still.jpg")
	st, err := New(Config{Width: 160}).Grab(context.Background(), src, dst)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
	if w := img.Bounds().Dx(); w == 0 || w > 160 {
		t.Errorf("still %d px wide, want 1–160", w)
	}
	want := testmedia.FFprobe(t, src).DurationSeconds
	if math.Abs(st.DurationSeconds-want) > 0.1 {
		t.Errorf("duration %.2f s, ffprobe says %.2f s", st.DurationSeconds, want)
	}
}

// TestGrabAudioHasNoStill: audio has no frame to grab.
func TestGrabAudioHasNoStill(t *testing.T) {
	t.Parallel()
	dst := filepath.Join(t.TempDir(), "still.jpg")
	_, err := New(Config{}).Grab(context.Background(), testmedia.Audio(t), dst)
	if !errors.Is(err, ErrNoVideo) {
		t.Fatalf("err %v, want ErrNoVideo", err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Error("a still was written for audio")
	}
}

func TestParseInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stderr string
		want         info
	}{
		{"video", "Input #0, mov,mp4\n  Duration: 00:01:05.50, start: 0.000000, bitrate: 1 kb/s\n  Stream #0:0[0x1](und): Video: h264 (High), yuv420p, 320x240\n  Stream #0:1[0x2](und): Audio: aac\n",
			info{duration: 65.5, video: true}},
		{"audio with a cover", "  Duration: 01:00:00.00, start: 0\n  Stream #0:0: Audio: mp3\n  Stream #0:1: Video: mjpeg (Baseline), yuvj420p, 600x600 (attached pic)\n",
			info{duration: 3600}},
		{"live, no duration", "  Duration: N/A, start: 0\n  Stream #0:0: Video: vp9, yuv420p\n", info{video: true}},
	}
	for _, tc := range tests {
		if got := parseInfo(tc.stderr); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
