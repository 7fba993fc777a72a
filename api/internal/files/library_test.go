package files_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/files"
)

// The library suite: every test runs on the local folder and on S3.

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// importFile imports data as the worker does and registers its row.
func importFile(t *testing.T, lib *library, userID uuid.UUID, stem string, data []byte, created time.Time, pinned bool) files.Row {
	t.Helper()
	src := filepath.Join(t.TempDir(), "done.mp4")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	im, err := lib.svc.ImportContext(context.Background(), src, userID, "generic", stem, "abcd1234", ".mp4")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the source is still there after import: %v", err)
	}
	mt, kind := files.TypeOf(im.Name)
	r := files.Row{ID: uuid.New(), UserID: userID, Name: im.Name, RelPath: im.RelPath, SizeBytes: im.Size,
		MimeType: mt, Kind: kind, Platform: "generic", Pinned: pinned, CreatedAt: created.UTC()}
	if err := dbOf(lib).Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func user(id uuid.UUID) *authz.Principal { return &authz.Principal{UserID: id, Role: authz.RoleUser} }

func serve(t *testing.T, lib *library, caller *authz.Principal, id uuid.UUID, headers ...string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/files/"+id.String()+"/content", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	err := lib.svc.Serve(context.Background(), rec, req, caller, id, false)
	return rec, err
}

func TestLibraryImportAndServe(t *testing.T) {
	eachBackend(t, func(t *testing.T, lib *library) {
		alice := uuid.New()
		data := pattern(1000)
		r := importFile(t, lib, alice, "clip", data, time.Now(), false)
		if want := alice.String() + "/generic/clip [abcd1234].mp4"; r.RelPath != want || r.SizeBytes != 1000 {
			t.Fatalf("imported %q (%d bytes), want %q", r.RelPath, r.SizeBytes, want)
		}
		// The same name again never replaces the first.
		again := importFile(t, lib, alice, "clip", pattern(10), time.Now(), false)
		if again.Name != "clip [abcd1234-2].mp4" {
			t.Fatalf("second import named %q", again.Name)
		}
		if f := lib.svc.View(context.Background(), r); f.Missing || f.SizeBytes != 1000 {
			t.Fatalf("view = %+v", f)
		}
		cases := []struct {
			name         string
			headers      []string
			status       int
			body         []byte
			contentRange string
		}{
			{"whole", nil, http.StatusOK, data, ""},
			{"a range", []string{"Range", "bytes=100-199"}, http.StatusPartialContent, data[100:200], "bytes 100-199/1000"},
			{"a suffix", []string{"Range", "bytes=-10"}, http.StatusPartialContent, data[990:], "bytes 990-999/1000"},
			{"open-ended", []string{"Range", "bytes=900-"}, http.StatusPartialContent, data[900:], "bytes 900-999/1000"},
			{"outside", []string{"Range", "bytes=5000-"}, http.StatusRequestedRangeNotSatisfiable, nil, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				rec, err := serve(t, lib, user(alice), r.ID, tc.headers...)
				if err != nil {
					t.Fatal(err)
				}
				if rec.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body.String())
				}
				if tc.body != nil && !bytes.Equal(rec.Body.Bytes(), tc.body) {
					t.Fatalf("body: %d bytes, want %d", rec.Body.Len(), len(tc.body))
				}
				if got := rec.Header().Get("Content-Range"); tc.contentRange != "" && got != tc.contentRange {
					t.Fatalf("Content-Range %q, want %q", got, tc.contentRange)
				}
				if tc.status == http.StatusRequestedRangeNotSatisfiable {
					if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
						t.Fatalf("416 is not a problem: %v", rec.Header())
					}
					return
				}
				h := rec.Header()
				if h.Get("Content-Type") != "video/mp4" || h.Get("Content-Security-Policy") != "sandbox" ||
					h.Get("X-Content-Type-Options") != "nosniff" || h.Get("ETag") == "" ||
					!strings.HasPrefix(h.Get("Content-Disposition"), "inline;") {
					t.Fatalf("headers %v", h)
				}
			})
		}
		t.Run("etag revalidates", func(t *testing.T) {
			rec, _ := serve(t, lib, user(alice), r.ID)
			rec2, err := serve(t, lib, user(alice), r.ID, "If-None-Match", rec.Header().Get("ETag"))
			if err != nil || rec2.Code != http.StatusNotModified {
				t.Fatalf("revalidation: %d, %v", rec2.Code, err)
			}
		})
		t.Run("someone else's file is not found", func(t *testing.T) {
			if _, err := serve(t, lib, user(uuid.New()), r.ID); !errors.Is(err, files.ErrNotFound) {
				t.Fatalf("err = %v", err)
			}
		})
	})
}

func TestLibraryDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, lib *library) {
		alice := uuid.New()
		r := importFile(t, lib, alice, "to delete", pattern(300), time.Now(), false)
		if err := lib.svc.Delete(context.Background(), user(uuid.New()), r.ID); !errors.Is(err, files.ErrNotFound) {
			t.Fatalf("a stranger's delete: %v", err)
		}
		if err := lib.svc.Delete(context.Background(), user(alice), r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := lib.svc.Backend().Stat(context.Background(), r.RelPath); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("data still there: %v", err)
		}
		if _, err := lib.svc.Get(context.Background(), user(alice), r.ID); !errors.Is(err, files.ErrNotFound) {
			t.Fatalf("row still there: %v", err)
		}
		// Data already gone is not an error for the row's deletion.
		gone := importFile(t, lib, alice, "gone", pattern(10), time.Now(), false)
		lib.remove(t, gone.RelPath)
		if err := lib.svc.DeleteRows(context.Background(), []files.Row{gone}); err != nil {
			t.Fatal(err)
		}
	})
}

// A file whose data is deleted behind the library's back is shown missing
// once the library has looked: at once to whoever opens it or its details,
// in lists after the orphan check (lists never look at the disk or the
// bucket per row); data put back is shown present again the same ways.
func TestLibraryMissingData(t *testing.T) {
	eachBackend(t, func(t *testing.T, lib *library) {
		ctx := context.Background()
		alice := uuid.New()
		missingInList := func() map[string]bool {
			t.Helper()
			page, err := lib.svc.List(ctx, user(alice), files.ListParams{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, f := range page.Items {
				out[f.ID.String()] = f.Missing
			}
			return out
		}
		kept := importFile(t, lib, alice, "kept", pattern(10), time.Now(), false)
		opened := importFile(t, lib, alice, "opened", pattern(10), time.Now(), false)
		listed := importFile(t, lib, alice, "listed", pattern(10), time.Now(), false)
		lib.remove(t, opened.RelPath)
		lib.remove(t, listed.RelPath)

		// Opening the data, or asking for one file's details, looks.
		if _, err := serve(t, lib, user(alice), opened.ID); !errors.Is(err, files.ErrMissingData) {
			t.Fatalf("serving a missing file: %v", err)
		}
		if f, err := lib.svc.Get(ctx, user(alice), listed.ID); err != nil || !f.Missing {
			t.Fatalf("details of a missing file: missing=%v, %v", f.Missing, err)
		}
		if got := missingInList(); got[kept.ID.String()] || !got[opened.ID.String()] || !got[listed.ID.String()] {
			t.Fatalf("list after access: %v", got)
		}

		// Deleted and nobody looked: the orphan check finds it.
		lib.remove(t, kept.RelPath)
		if got := missingInList(); got[kept.ID.String()] {
			t.Fatalf("the list looked at the disk: %v", got)
		}
		if _, err := lib.svc.CheckOrphans(ctx); err != nil {
			t.Fatal(err)
		}
		if got := missingInList(); !got[kept.ID.String()] || !got[opened.ID.String()] || !got[listed.ID.String()] {
			t.Fatalf("list after the orphan check: %v", got)
		}

		// Put back: present again after the check, and after an access.
		lib.stray(t, kept.RelPath, pattern(10), time.Hour)
		lib.stray(t, opened.RelPath, pattern(10), time.Hour)
		if _, err := lib.svc.CheckOrphans(ctx); err != nil {
			t.Fatal(err)
		}
		if rec, err := serve(t, lib, user(alice), listed.ID); !errors.Is(err, files.ErrMissingData) {
			t.Fatalf("serving a still missing file: %d %v", rec.Code, err)
		}
		lib.stray(t, listed.RelPath, pattern(10), time.Hour)
		if rec, err := serve(t, lib, user(alice), listed.ID); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("serving a file put back: %d %v", rec.Code, err)
		}
		if got := missingInList(); got[kept.ID.String()] || got[opened.ID.String()] || got[listed.ID.String()] {
			t.Fatalf("list after the data came back: %v", got)
		}
	})
}

func TestLibraryQuota(t *testing.T) {
	quota := int64(1500)
	quotas := func(context.Context, uuid.UUID) *int64 { return &quota }
	eachBackendWith(t, files.Deps{Quotas: quotas}, func(t *testing.T, lib *library) {
		alice := uuid.New()
		importFile(t, lib, alice, "one", pattern(1000), time.Now(), false)
		if err := lib.svc.CheckQuota(context.Background(), alice); err != nil {
			t.Fatalf("under quota: %v", err)
		}
		importFile(t, lib, alice, "two", pattern(1000), time.Now(), false)
		if err := lib.svc.CheckQuota(context.Background(), alice); !errors.Is(err, files.ErrOverQuota) {
			t.Fatalf("over quota: %v", err)
		}
		st, err := lib.svc.Storage(context.Background(), user(alice), 0)
		if err != nil {
			t.Fatal(err)
		}
		if st.UsedBytes != 2000 || st.FilesCount != 2 || !st.OverQuota {
			t.Fatalf("storage = %+v", st)
		}
	})
}

func TestLibraryRetention(t *testing.T) {
	week := 7 * 24 * time.Hour
	retention := func(context.Context) *time.Duration { return &week }
	eachBackendWith(t, files.Deps{Retention: retention}, func(t *testing.T, lib *library) {
		alice := uuid.New()
		old := time.Now().Add(-30 * 24 * time.Hour)
		expired1 := importFile(t, lib, alice, "old one", pattern(100), old, false)
		expired2 := importFile(t, lib, alice, "old two", pattern(200), old.Add(time.Hour), false)
		pinned := importFile(t, lib, alice, "old pinned", pattern(300), old, true)
		fresh := importFile(t, lib, alice, "fresh", pattern(400), time.Now(), false)
		prev, err := lib.svc.PreviewRetention(context.Background(), user(alice), nil, 50, "")
		if err != nil || prev.TotalCount != 2 || prev.TotalBytes != 300 {
			t.Fatalf("preview = %+v, %v", prev, err)
		}
		res, err := lib.svc.RunRetention(context.Background(), nil)
		if err != nil || res.DeletedCount != 2 || res.FreedBytes != 300 || res.FailedCount != 0 {
			t.Fatalf("run = %+v, %v", res, err)
		}
		for _, r := range []files.Row{expired1, expired2} {
			if _, err := lib.svc.Backend().Stat(context.Background(), r.RelPath); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s survived retention: %v", r.Name, err)
			}
		}
		for _, r := range []files.Row{pinned, fresh} {
			if _, err := lib.svc.Backend().Stat(context.Background(), r.RelPath); err != nil {
				t.Errorf("%s was removed: %v", r.Name, err)
			}
		}
	})
}

func TestLibraryOrphans(t *testing.T) {
	eachBackend(t, func(t *testing.T, lib *library) {
		alice := uuid.New()
		importFile(t, lib, alice, "registered", pattern(10), time.Now(), false)
		base := alice.String() + "/generic/"
		lib.stray(t, base+"copied by hand.mp4", pattern(77), time.Hour)
		lib.stray(t, base+"being moved in.mp4", pattern(5), 0)              // too young to judge
		lib.stray(t, base+"half copied.mp4.partial", pattern(5), time.Hour) // a copy in progress
		n, err := lib.svc.CheckOrphans(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("orphans found %d, %v; want 1", n, err)
		}
		list, err := lib.svc.Orphans(context.Background(), 50, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 1 || list.Items[0].Path != filepath.FromSlash(base+"copied by hand.mp4") ||
			list.Items[0].SizeBytes != 77 || list.Items[0].UserID == nil || *list.Items[0].UserID != alice {
			t.Fatalf("orphans = %+v", list.Items)
		}
		// Listing never deletes.
		if _, err := lib.svc.Backend().Stat(context.Background(), base+"copied by hand.mp4"); err != nil {
			t.Fatalf("the check removed the orphan: %v", err)
		}
	})
}
