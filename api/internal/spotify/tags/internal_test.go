package tags

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/testmedia"
)

func TestFFMetadataEscaping(t *testing.T) {
	t.Parallel()
	got := ffmetadata([][2]string{{"title", "a=b;c#d\\e\nf"}, {"artist", "AC/DC"}})
	want := ";FFMETADATA1\ntitle=a\\=b\\;c\\#d\\\\e\\\nf\nartist=AC/DC\n"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestPictureBlock(t *testing.T) {
	t.Parallel()
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewNRGBA(image.Rect(0, 0, 7, 5))); err != nil {
		t.Fatal(err)
	}
	blk, err := pictureBlock(cover{data: img.Bytes(), mime: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	u32 := func(off int) uint32 { return binary.BigEndian.Uint32(blk[off:]) }
	off := 0
	if u32(off) != 3 {
		t.Errorf("picture type %d, want 3 (front cover)", u32(off))
	}
	mimeLen := int(u32(4))
	if string(blk[8:8+mimeLen]) != "image/png" {
		t.Errorf("mime %q", blk[8:8+mimeLen])
	}
	off = 8 + mimeLen
	descLen := int(u32(off))
	off += 4 + descLen
	if u32(off) != 7 || u32(off+4) != 5 || u32(off+8) != 32 || u32(off+12) != 0 {
		t.Errorf("geometry %d×%d depth %d colors %d", u32(off), u32(off+4), u32(off+8), u32(off+12))
	}
	if n := int(u32(off + 16)); n != img.Len() || !bytes.Equal(blk[off+20:], img.Bytes()) {
		t.Errorf("data length %d, want %d", n, img.Len())
	}
	if _, err := pictureBlock(cover{data: []byte("junk"), mime: "image/png"}); err == nil {
		t.Error("junk accepted")
	}
}

// An MP4 whose moov precedes mdat (faststart) must have its chunk offsets
// moved when the ISRC atom grows moov.
func TestFreeformAtomFaststart(t *testing.T) {
	t.Parallel()
	src := testmedia.GenerateAudio(t, testmedia.AudioSpec{Seconds: 2, Format: "m4a"})
	path := filepath.Join(t.TempDir(), "fast.m4a")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", src, "-c", "copy", "-metadata", "title=x",
		"-movflags", "+faststart", path).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	if err := addFreeformFile(path, "com.apple.iTunes", "ISRC", "GB2LD2110301"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format_tags=ISRC", "-of", "csv=p=0", path).Output()
	if err != nil || strings.TrimSpace(string(out)) != "GB2LD2110301" {
		t.Fatalf("ISRC read back %q, %v", out, err)
	}
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("decode after shifting offsets: %v %s", err, out)
	}
	data, _ := os.ReadFile(path)
	if _, err := addFreeform(data[:100], "m", "n", "v"); err == nil {
		t.Error("truncated file accepted")
	}
}

func TestWriteHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "a.mp3")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := New(Config{}).Write(ctx, path, Tags{Title: "t", CoverURL: "http://127.0.0.1:1/c.jpg"}); err == nil {
		t.Fatal("cancelled write succeeded")
	}
}
