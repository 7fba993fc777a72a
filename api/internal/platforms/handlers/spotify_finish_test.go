package handlers_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// copyFile copies src into dir and returns the copy's path.
func copyFile(t *testing.T, src, dir, name string) string {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	p := filepath.Join(dir, name)
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSpotifyFinishWritesTagsAndCover(t *testing.T) {
	w := newSpotifyWorld(t)
	ctx := context.Background()
	it := w.child(t, 1) // "Midnight Run", track 2 of 3
	src, err := w.h.Source(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mp3 := copyFile(t, testmedia.GenerateAudio(t, testmedia.AudioSpec{Format: "mp3"}), dir, "a.mp3")
	flac := copyFile(t, testmedia.GenerateAudio(t, testmedia.AudioSpec{Format: "flac"}), dir, "b.flac")
	notAudio := copyFile(t, testmedia.Poster(t), dir, "c.en.vtt")
	if err := w.h.Finish(ctx, it, src, []string{mp3, flac, notAudio}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ path, isrcKey, track string }{{mp3, "tsrc", "2/3"}, {flac, "isrc", "2"}} {
		info := testmedia.FFprobe(t, f.path)
		want := map[string]string{"title": "Midnight Run", "artist": "Synthwave Test, Guest Singer", "album": "Night Drive",
			"track": f.track, "date": "2024-05-01", f.isrcKey: "QZTEST000002"}
		for k, v := range want {
			if info.Tags[k] != v {
				t.Errorf("%s: tag %s = %q, want %q (all %v)", filepath.Ext(f.path), k, info.Tags[k], v, info.Tags)
			}
		}
		pics := 0
		for _, s := range info.Streams {
			if s.AttachedPic {
				pics++
			}
		}
		if pics != 1 {
			t.Errorf("%s: %d cover pictures, want 1: %+v", filepath.Ext(f.path), pics, info.Streams)
		}
	}
	// Without a track in the meta there is nothing to write.
	if err := w.h.Finish(ctx, it, downloads.Source{}, []string{mp3}); err != nil {
		t.Error(err)
	}
}
