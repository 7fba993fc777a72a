package httpapi_test

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
)

// TestFileServingCapsRanges: one request may ask for at most 16 byte
// ranges. Each part of a multipart answer carries its own headers, so a
// thousand one-byte ranges would turn a tiny request into a large
// response; past the cap the answer is a 416 problem with no file bytes.
func TestFileServingCapsRanges(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	data := []byte(strings.Repeat("0123456789abcdef", 4096))
	f := registerFile(t, w, w.user.ID.String()+"/generic/ranges.bin", data)

	// A plain client: the contract describes single ranges only.
	get := func(n int) *http.Response {
		t.Helper()
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", i*10, i*10)
		}
		req, _ := http.NewRequest(http.MethodGet, w.env.URL+contentPath(f), nil)
		req.Header.Set("Range", "bytes="+strings.Join(parts, ","))
		resp, err := (&http.Client{Jar: w.c.Jar()}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	ok := get(16)
	if mt, _, _ := mime.ParseMediaType(ok.Header.Get("Content-Type")); ok.StatusCode != http.StatusPartialContent ||
		mt != "multipart/byteranges" {
		t.Fatalf("16 ranges: %d %s", ok.StatusCode, ok.Header.Get("Content-Type"))
	}
	for _, n := range []int{17, 1000} {
		r := get(n)
		body, _ := io.ReadAll(r.Body)
		if r.StatusCode != http.StatusRequestedRangeNotSatisfiable || r.Header.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(string(body), "at most 16 byte ranges") {
			t.Fatalf("%d ranges: %d %s %s", n, r.StatusCode, r.Header.Get("Content-Type"), body)
		}
		if got, want := r.Header.Get("Content-Range"), fmt.Sprintf("bytes */%d", len(data)); got != want {
			t.Fatalf("Content-Range %q, want %q", got, want)
		}
	}
}
