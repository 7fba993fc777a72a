package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// registerFile writes data into the user's library folder under name (or
// uses what is there when data is nil) and inserts its row directly, as
// the worker would have.
func registerFile(t *testing.T, w dlWorld, rel string, data []byte) dlFile {
	t.Helper()
	if data != nil {
		p := filepath.Join(w.env.Cfg.DataDir, "library", rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	name := filepath.Base(rel)
	mt, kind := files.TypeOf(name)
	r := files.Row{ID: uuid.New(), UserID: w.user.ID, Name: name, RelPath: rel, SizeBytes: int64(len(data)),
		MimeType: mt, Kind: kind, Platform: "generic", CreatedAt: time.Now().UTC()}
	if err := w.env.App.Store.DB.Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	return dlFile{ID: r.ID, Name: name, MimeType: mt}
}

func contentPath(f dlFile) string { return "/api/v1/files/" + f.ID.String() + "/content" }

// TestFileServing serves a downloaded file with ranges, conditional
// requests and dispositions, and refuses what is not the caller's or not
// inside the library.
func TestFileServing(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	d := waitCompleted(t, w.env, w.c, submitURL(t, w.c, srv.URL(testmedia.PathVideo)).ID)
	video := checkOneLibraryFile(t, w, d)
	whole, err := os.ReadFile(libraryPath(w.env, w.user.ID, "generic", video.Name))
	if err != nil {
		t.Fatal(err)
	}
	size := len(whole)
	path := contentPath(video)

	t.Run("whole file inline with safe headers", func(t *testing.T) {
		r := expectStatus(t, w.c.Get(path), http.StatusOK)
		if !bytes.Equal(r.Body, whole) {
			t.Errorf("body differs")
		}
		checkFileHeaders(t, r.Header, "video/mp4", "inline")
		if r.Header.Get("Accept-Ranges") != "bytes" || r.Header.Get("ETag") == "" {
			t.Errorf("headers %v", r.Header)
		}
	})
	t.Run("download=true forces attachment", func(t *testing.T) {
		r := expectStatus(t, w.c.Get(path+"?download=true"), http.StatusOK)
		checkFileHeaders(t, r.Header, "video/mp4", "attachment")
		if !strings.Contains(r.Header.Get("Content-Disposition"), `filename*=UTF-8''`) {
			t.Errorf("no RFC 6266 filename: %q", r.Header.Get("Content-Disposition"))
		}
	})
	t.Run("first 100 bytes", func(t *testing.T) {
		r := expectStatus(t, w.c.Get(path, "Range", "bytes=0-99"), http.StatusPartialContent)
		if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes 0-99/%d", size); got != want {
			t.Errorf("Content-Range %q, want %q", got, want)
		}
		if !bytes.Equal(r.Body, whole[:100]) {
			t.Errorf("range body differs (%d bytes)", len(r.Body))
		}
		checkFileHeaders(t, r.Header, "video/mp4", "inline")
	})
	t.Run("last 5 bytes", func(t *testing.T) {
		r := expectStatus(t, w.c.Get(path, "Range", "bytes=-5"), http.StatusPartialContent)
		if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", size-5, size-1, size); got != want {
			t.Errorf("Content-Range %q, want %q", got, want)
		}
		if !bytes.Equal(r.Body, whole[size-5:]) {
			t.Errorf("suffix body %x, want %x", r.Body, whole[size-5:])
		}
	})
	t.Run("range past the end", func(t *testing.T) {
		r := w.c.Get(path, "Range", "bytes="+strconv.Itoa(size+10)+"-")
		expectProblem(t, r, http.StatusRequestedRangeNotSatisfiable)
		if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes */%d", size); got != want {
			t.Errorf("Content-Range %q, want %q", got, want)
		}
		if bytes.Contains(r.Body, whole[:16]) {
			t.Errorf("416 carries file bytes")
		}
	})
	t.Run("if-none-match", func(t *testing.T) {
		etag := expectStatus(t, w.c.Get(path), http.StatusOK).Header.Get("ETag")
		r := expectStatus(t, w.c.Get(path, "If-None-Match", etag), http.StatusNotModified)
		if len(r.Body) != 0 {
			t.Errorf("304 with a body")
		}
		expectStatus(t, w.c.Get(path, "If-None-Match", `"something-else"`), http.StatusOK)
	})
	t.Run("if-range with a stale etag sends the whole file", func(t *testing.T) {
		r := expectStatus(t, w.c.Get(path, "Range", "bytes=0-9", "If-Range", `"stale"`), http.StatusOK)
		if len(r.Body) != size {
			t.Errorf("%d bytes", len(r.Body))
		}
	})

	t.Run("another user's file is not found", func(t *testing.T) {
		other := newAccount(t, w.env, authz.RoleUser)
		oc, _ := signIn(t, w.env, other)
		for _, r := range []*responseCase{
			{"GET", "/api/v1/files/" + video.ID.String()},
			{"GET", path},
			{"PATCH", "/api/v1/files/" + video.ID.String()},
			{"DELETE", "/api/v1/files/" + video.ID.String()},
		} {
			var body any
			if r.method == "PATCH" {
				body = map[string]any{"pinned": true}
			}
			resp := oc.Do(r.method, r.path, body)
			expectProblem(t, resp, http.StatusNotFound)
			if bytes.Contains(resp.Body, whole[:16]) {
				t.Errorf("%s %s leaked bytes", r.method, r.path)
			}
		}
		if len(listFilesOf(t, oc, "")) != 0 {
			t.Errorf("another user lists the file")
		}
		// The owner still has it, and an admin may read it.
		expectStatus(t, w.c.Get("/api/v1/files/"+video.ID.String()), http.StatusOK)
		admin := newAccount(t, w.env, authz.RoleAdmin)
		ac, _ := signIn(t, w.env, admin)
		expectStatus(t, ac.Get(path, "Range", "bytes=0-0"), http.StatusPartialContent)
	})

	t.Run("path tricks", func(t *testing.T) {
		for _, p := range []string{
			"/api/v1/files/..%2f..%2fetc%2fpasswd/content",
			"/api/v1/files/..%2F..%2F..%2Fetc%2Fpasswd",
			"/api/v1/files/not-a-uuid/content",
			"/api/v1/files/" + strings.ToUpper(video.ID.String()[:8]) + "/content",
			"/api/v1/files/%00/content",
		} {
			r := w.c.Get(p)
			if r.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, r.Status)
			}
			if bytes.Contains(r.Body, []byte("root:")) {
				t.Errorf("GET %s served /etc/passwd", p)
			}
		}
	})
}

type responseCase struct{ method, path string }

// checkFileHeaders checks the safety headers every file response carries.
func checkFileHeaders(t *testing.T, h http.Header, contentType, disposition string) {
	t.Helper()
	if got := h.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q, want %q", got, contentType)
	}
	if got := h.Get("Content-Disposition"); !strings.HasPrefix(got, disposition+";") {
		t.Errorf("Content-Disposition %q, want %s", got, disposition)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := h.Get("Content-Security-Policy"); !strings.Contains(got, "sandbox") {
		t.Errorf("Content-Security-Policy %q, want sandbox", got)
	}
}

// TestFileServingRefusesEscapes registers rows whose paths lead out of the
// library (a symlinked file, a symlinked folder, "..") and checks that
// none of them serves the target.
func TestFileServingRefusesEscapes(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "secret.mp4")
	if err := os.WriteFile(secret, []byte("TOP-SECRET-BYTES outside the library"), 0o640); err != nil {
		t.Fatal(err)
	}
	userDir := filepath.Join(w.env.Cfg.DataDir, "library", w.user.ID.String())
	if err := os.MkdirAll(filepath.Join(userDir, "generic"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(userDir, "generic", "link.mp4")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secretDir, filepath.Join(userDir, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	u := w.user.ID.String()
	var linkRow dlFile
	for i, rel := range []string{
		u + "/generic/link.mp4",
		u + "/elsewhere/secret.mp4",
		u + "/../../../../../../../../" + strings.TrimPrefix(secret, "/"),
		secret, // absolute
	} {
		f := registerFile(t, w, rel, nil)
		if i == 0 {
			linkRow = f
		}
		for _, h := range [][]string{nil, {"Range", "bytes=0-9"}} {
			r := w.c.Get(contentPath(f), h...)
			if r.Status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", rel, r.Status)
			}
			if bytes.Contains(r.Body, []byte("TOP-SECRET")) {
				t.Errorf("%s: served the target outside the library", rel)
			}
		}
		var got dlFile
		expectStatus(t, w.c.Get("/api/v1/files/"+f.ID.String()), http.StatusOK).JSON(&got)
		if !got.Missing {
			t.Errorf("%s: not shown as missing", rel)
		}
	}
	// Deleting such a row never removes the target.
	expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/files/"+linkRow.ID.String(), nil), http.StatusNoContent)
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("deleting a row removed the file outside the library: %v", err)
	}
}

// TestFileServingActiveContent serves files a browser could run (HTML,
// SVG with script) only as sandboxed, nosniff attachments.
func TestFileServingActiveContent(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	u := w.user.ID.String()
	tests := []struct {
		name string
		data string
	}{
		{"page.html", `<html><script>alert(document.cookie)</script></html>`},
		{"image.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
		{"page.xhtml", `<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>`},
		{"data.json", `{"a": "<script>alert(1)</script>"}`},
		{"noext", `<script>alert(1)</script>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := registerFile(t, w, u+"/generic/"+tc.name, []byte(tc.data))
			for _, q := range []string{"", "?download=false"} {
				r := expectStatus(t, w.c.Get(contentPath(f)+q), http.StatusOK)
				if string(r.Body) != tc.data {
					t.Errorf("body %q", r.Body)
				}
				ct := r.Header.Get("Content-Type")
				checkFileHeaders(t, r.Header, ct, "attachment")
				if ct == "" {
					t.Errorf("no Content-Type")
				}
				if !strings.Contains(r.Header.Get("Content-Disposition"), tc.name) {
					t.Errorf("Content-Disposition %q lacks the name", r.Header.Get("Content-Disposition"))
				}
			}
		})
	}
}
