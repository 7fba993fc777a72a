package files_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// library is one backend under test with the means to reach behind the
// service: put a file no row knows, remove one a row knows.
type library struct {
	svc *files.Service
	// stray stores data under key as if copied in by hand, last modified
	// age ago.
	stray func(t *testing.T, key string, data []byte, age time.Duration)
	// remove deletes key's data behind the service's back.
	remove func(t *testing.T, key string)
	fake   *fakeS3 // nil for the local folder
}

// eachBackend runs the same test on a local folder and on S3 (gofakes3 in
// this process), each with a fresh database.
func eachBackend(t *testing.T, run func(t *testing.T, lib *library)) {
	eachBackendWith(t, files.Deps{}, run)
}

// eachBackendWith is eachBackend with the service's optional
// collaborators (quotas, retention) taken from d.
func eachBackendWith(t *testing.T, d files.Deps, run func(t *testing.T, lib *library)) {
	t.Run("local", func(t *testing.T) { run(t, newLocalLibrary(t, d)) })
	t.Run("s3", func(t *testing.T) { run(t, newS3Library(t, 0, d)) })
}

func newLocalLibrary(t *testing.T, d files.Deps) *library {
	st := storetest.New(t)
	b, err := files.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d.DB, d.Backend, d.Logger = st.DB, b, storetest.Logger()
	svc := files.New(d)
	root := svc.Root()
	return &library{svc: svc,
		stray: func(t *testing.T, key string, data []byte, age time.Duration) {
			p := filepath.Join(root, filepath.FromSlash(key))
			if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o640); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-age)
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		},
		remove: func(t *testing.T, key string) {
			if err := os.Remove(filepath.Join(root, filepath.FromSlash(key))); err != nil {
				t.Fatal(err)
			}
		}}
}

// fakeS3 is an S3 server in the test process, recording what it is asked.
type fakeS3 struct {
	srv    *httptest.Server
	clock  *shiftClock
	raw    *minio.Client // straight to the bucket, bypassing the service
	bucket string
	prefix string

	mu   sync.Mutex
	reqs []fakeRequest
}

type fakeRequest struct {
	Method, Path, Range, IfNoneMatch string
}

func (f *fakeS3) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.reqs...)
}

// shiftClock is the fake server's clock for object times, set back to make
// objects look old.
type shiftClock struct {
	mu    sync.Mutex
	shift time.Duration
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(-c.shift)
}

func (c *shiftClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

func (c *shiftClock) set(d time.Duration) {
	c.mu.Lock()
	c.shift = d
	c.mu.Unlock()
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{clock: &shiftClock{}, bucket: "library", prefix: "downlink/"}
	be := s3mem.New(s3mem.WithTimeSource(f.clock))
	if err := be.CreateBucket(f.bucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(be).Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, fakeRequest{Method: r.Method, Path: r.URL.Path, Range: r.Header.Get("Range"),
			IfNoneMatch: r.Header.Get("If-None-Match")})
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	raw, err := minio.New(f.host(), &minio.Options{Creds: credentials.NewStaticV4("test", "test", ""),
		Region: "us-east-1", BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	f.raw = raw
	return f
}

func (f *fakeS3) host() string {
	u, _ := url.Parse(f.srv.URL)
	return u.Host
}

func (f *fakeS3) options(presign time.Duration) files.S3Options {
	return files.S3Options{Endpoint: f.host(), Bucket: f.bucket, Region: "us-east-1", AccessKey: "test",
		SecretKey: "test", PathStyle: true, Prefix: f.prefix, PresignTTL: presign}
}

func newS3Library(t *testing.T, presign time.Duration, d files.Deps) *library {
	t.Helper()
	f := newFakeS3(t)
	st := storetest.New(t)
	b, err := files.NewS3(context.Background(), f.options(presign))
	if err != nil {
		t.Fatal(err)
	}
	d.DB, d.Backend, d.Logger = st.DB, b, storetest.Logger()
	svc := files.New(d)
	return &library{svc: svc, fake: f,
		stray: func(t *testing.T, key string, data []byte, age time.Duration) {
			f.clock.set(age)
			defer f.clock.set(0)
			_, err := f.raw.PutObject(context.Background(), f.bucket, f.prefix+key, bytes.NewReader(data), int64(len(data)),
				minio.PutObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
		},
		remove: func(t *testing.T, key string) {
			if err := f.raw.RemoveObject(context.Background(), f.bucket, f.prefix+key, minio.RemoveObjectOptions{}); err != nil {
				t.Fatal(err)
			}
		}}
}

func dbOf(lib *library) *gorm.DB { return lib.svc.DB() }
