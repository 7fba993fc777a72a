package httpapi_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestOtherSiteVideoGetsAThumbnail: a video from a site that gives no
// thumbnail (a plain .mp4 on 127.0.0.1) gets a still grabbed with ffmpeg,
// kept in the library and served as a JPEG to its owner; another user
// gets 404; the download shows the real duration.
func TestOtherSiteVideoGetsAThumbnail(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	d := submitURL(t, w.c, srv.URL(testmedia.PathVideo))
	d = waitCompleted(t, w.env, w.c, d.ID)
	f := checkOneLibraryFile(t, w, d)

	got := f
	want := "/api/v1/files/" + f.ID.String() + "/thumbnail"
	if got.ThumbnailURL == nil || *got.ThumbnailURL != want {
		t.Fatalf("thumbnail_url %v, want %s", got.ThumbnailURL, want)
	}
	r := expectStatus(t, w.c.Get(want), http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type %q", ct)
	}
	img, err := jpeg.Decode(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("thumbnail is not a JPEG: %v", err)
	}
	if img.Bounds().Dx() == 0 {
		t.Error("empty image")
	}

	wantDur := testmedia.FFprobe(t, testmedia.Video(t)).DurationSeconds
	if d.DurationSeconds == nil || math.Abs(*d.DurationSeconds-wantDur) > 0.5 {
		t.Errorf("duration %v, want about %.1f s", d.DurationSeconds, wantDur)
	}

	other := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other)
	resp := oc.Get(want)
	expectProblem(t, resp, http.StatusNotFound)
	if bytes.Contains(resp.Body, r.Body[:16]) {
		t.Error("another user got the thumbnail's bytes")
	}

	// The still goes with its file.
	expectStatus(t, w.c.Do("DELETE", "/api/v1/files/"+f.ID.String(), nil), http.StatusNoContent)
	names, _ := readDirNames(libraryPath(w.env, w.user.ID, "generic", ""))
	if len(names) != 0 {
		t.Errorf("left in the library after the file was deleted: %v", names)
	}
}

// giveThumbnail gives a registered file a grabbed still at key (a tiny
// JPEG written into the library).
func giveThumbnail(t *testing.T, env *apitest.Env, fileID uuid.UUID, key string) {
	t.Helper()
	p := filepath.Join(env.Cfg.DataDir, "library", filepath.FromSlash(key))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Store.DB.Model(&files.Row{}).Where("id = ?", fileID).Update("thumb_key", key).Error; err != nil {
		t.Fatal(err)
	}
}
