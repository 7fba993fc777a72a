package files_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/files"
)

// TestLibraryThumbnails: a grabbed still kept beside a file (in a folder
// and in a bucket) is served to the file's owner as image/jpeg, is
// "not found" to anyone else, is never reported as an orphan, and goes
// when its file is deleted.
func TestLibraryThumbnails(t *testing.T) {
	eachBackend(t, func(t *testing.T, lib *library) {
		ctx := context.Background()
		alice := uuid.New()
		r := importFile(t, lib, alice, "clip", pattern(100), time.Now(), false)
		key := alice.String() + "/generic/clip [abcd1234].thumb.jpg"
		still := append([]byte{0xff, 0xd8, 0xff, 0xe0}, pattern(60)...)
		lib.stray(t, key, still, time.Hour)
		if err := dbOf(lib).Model(&files.Row{}).Where("id = ?", r.ID).Update("thumb_key", key).Error; err != nil {
			t.Fatal(err)
		}
		r.ThumbKey = &key

		if f := lib.svc.View(ctx, r); f.ThumbnailURL == nil || *f.ThumbnailURL != "/api/v1/files/"+r.ID.String()+"/thumbnail" {
			t.Fatalf("thumbnail_url %v", f.ThumbnailURL)
		}
		thumb := func(caller uuid.UUID) (*httptest.ResponseRecorder, error) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/api/v1/files/"+r.ID.String()+"/thumbnail", nil)
			return rec, lib.svc.ServeThumbnail(ctx, rec, req, user(caller), r.ID)
		}
		rec, err := thumb(alice)
		if err != nil || rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" || !bytes.Equal(rec.Body.Bytes(), still) {
			t.Fatalf("owner: %v, %d %q, %d bytes", err, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
		if rec, err := thumb(uuid.New()); !errors.Is(err, files.ErrNotFound) || rec.Body.Len() != 0 {
			t.Fatalf("a stranger: %v, %d bytes", err, rec.Body.Len())
		}
		if n, err := lib.svc.CheckOrphans(ctx); err != nil || n != 0 {
			t.Fatalf("orphans %d, %v: the thumbnail counted as one", n, err)
		}
		if err := lib.svc.Delete(ctx, user(alice), r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := lib.svc.Backend().Stat(ctx, key); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the thumbnail outlived its file: %v", err)
		}
	})
}

// TestLibraryNoThumbnail: a file without a grabbed still answers 404.
func TestLibraryNoThumbnail(t *testing.T) {
	eachBackend(t, func(t *testing.T, lib *library) {
		alice := uuid.New()
		r := importFile(t, lib, alice, "clip", pattern(10), time.Now(), false)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/files/"+r.ID.String()+"/thumbnail", nil)
		if err := lib.svc.ServeThumbnail(context.Background(), rec, req, user(alice), r.ID); !errors.Is(err, files.ErrNoThumbnail) {
			t.Fatalf("err %v, want ErrNoThumbnail", err)
		}
	})
}
