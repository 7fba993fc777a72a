package files_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"

	"github.com/downlink/downlink/api/internal/files"
)

// What only S3 does: the wire requests behind the library suite.

func TestS3RangedReadsAndConditionalUploads(t *testing.T) {
	lib := newS3Library(t, 0, files.Deps{})
	alice := uuid.New()
	data := pattern(4096)
	r := importFile(t, lib, alice, "ranged", data, time.Now(), false)

	var putSeen bool
	for _, q := range lib.fake.requests() {
		if q.Method == http.MethodPut && strings.HasPrefix(q.Path, "/library/downlink/"+alice.String()+"/generic/ranged") {
			putSeen = true
			if q.IfNoneMatch != "*" {
				t.Errorf("upload without If-None-Match: *: %+v", q)
			}
		}
	}
	if !putSeen {
		t.Fatalf("no upload under the prefix: %+v", lib.fake.requests())
	}

	before := len(lib.fake.requests())
	rec, err := serve(t, lib, user(alice), r.ID, "Range", "bytes=1000-1099")
	if err != nil || rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[1000:1100]) {
		t.Fatalf("ranged serve: %d, %v", rec.Code, err)
	}
	var gets []string
	for _, q := range lib.fake.requests()[before:] {
		if q.Method == http.MethodGet {
			gets = append(gets, q.Range)
		}
	}
	if len(gets) != 1 || gets[0] != "bytes=1000-" {
		t.Fatalf("GETs sent for one range: %q; want one from the offset", gets)
	}

	// The backend never replaces an object.
	src := filepath.Join(t.TempDir(), "x")
	if err := os.WriteFile(src, []byte("other"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := lib.svc.Backend().Put(context.Background(), r.RelPath, src, "video/mp4"); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Put over an existing key: %v", err)
	}
	obj, err := lib.fake.raw.GetObject(context.Background(), lib.fake.bucket, lib.fake.prefix+r.RelPath, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj)
	if !bytes.Equal(got, data) {
		t.Fatal("the object was replaced")
	}
}

func TestS3PresignedRedirect(t *testing.T) {
	lib := newS3Library(t, 5*time.Minute, files.Deps{})
	alice := uuid.New()
	data := pattern(500)
	r := importFile(t, lib, alice, "shared clip", data, time.Now(), false)
	rec, err := serve(t, lib, user(alice), r.ID)
	if err != nil || rec.Code != http.StatusFound {
		t.Fatalf("serve: %d, %v", rec.Code, err)
	}
	loc := rec.Header().Get("Location")
	if !strings.Contains(loc, "X-Amz-Signature=") || !strings.Contains(loc, "response-content-disposition=") {
		t.Fatalf("Location %q is not a presigned URL with our disposition", loc)
	}
	if rec.Header().Get("Cache-Control") != "private, no-store" {
		t.Fatalf("a presigned redirect may be cached: %v", rec.Header())
	}
	resp, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("following the redirect: %d, %d bytes", resp.StatusCode, len(body))
	}
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "video/mp4" || !strings.HasPrefix(cd, "inline;") {
		t.Fatalf("the bucket answered Content-Type %q, Content-Disposition %q", ct, cd)
	}
	// A missing object is the contract's 404, not a redirect to an error.
	lib.remove(t, r.RelPath)
	if _, err := serve(t, lib, user(alice), r.ID); !errors.Is(err, files.ErrMissingData) {
		t.Fatalf("missing object: %v", err)
	}
}

func TestS3KeepsToItsPrefixAndBucket(t *testing.T) {
	f := newFakeS3(t)
	opts := f.options(0)
	opts.Bucket = "nope"
	if _, err := files.NewS3(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("a missing bucket: %v", err)
	}
	lib := newS3Library(t, 0, files.Deps{})
	// Objects beside the prefix belong to someone else: never orphans.
	_, err := lib.fake.raw.PutObject(context.Background(), lib.fake.bucket, "someone-else/file.bin",
		bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lib.stray(t, uuid.NewString()+"/generic/ours.mp4", []byte("y"), time.Hour)
	if n, err := lib.svc.CheckOrphans(context.Background()); err != nil || n != 1 {
		t.Fatalf("orphans = %d, %v; want only ours", n, err)
	}
}
