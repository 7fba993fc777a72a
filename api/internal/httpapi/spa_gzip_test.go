package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/app"
)

// TestUIAssetsGzippedOnce: the dashboard's text files go to a browser that
// takes gzip compressed at gzip's best level (the size the build reports),
// in one layer; to one that does not, as they are; images as they are.
// The API's own compression (level 1, for JSON) made the entry chunk a
// fifth larger than this, most of a phone's first load.
func TestUIAssetsGzippedOnce(t *testing.T) {
	t.Parallel()
	var js strings.Builder
	for i := range 4000 {
		fmt.Fprintf(&js, "export function f%d(a,b){return a.map((x)=>x*%d+b).filter(Boolean)}\n", i, i%97)
	}
	png := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 1, 2, 3, 4}, 1000)
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">` + strings.Repeat(`<path d="M12 13v8l-4-4"/>`, 100) + `</svg>`
	manifest := `{"name":"Downlink","icons":[` + strings.Repeat(`{"src":"/icon-192.png","sizes":"192x192"},`, 50) + `{}]}`
	ui := fstest.MapFS{
		"index.html":           {Data: []byte(`<!doctype html><html><head><script type="module" src="/assets/index-abc.js"></script></head><body></body></html>`)},
		"assets/index-abc.js":  {Data: []byte(js.String())},
		"assets/logo-abc.png":  {Data: png},
		"favicon.svg":          {Data: []byte(svg)},
		"manifest.webmanifest": {Data: []byte(manifest)},
	}
	env := apitest.New(t, apitest.WithApp(app.WithUI(ui)))
	c := env.Client()

	best := func(b []byte) int {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return buf.Len()
	}
	gunzip := func(t *testing.T, b []byte) []byte {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		path, contentType string
		want              []byte
		compress          bool
	}{
		{"/assets/index-abc.js", "text/javascript; charset=utf-8", []byte(js.String()), true},
		{"/favicon.svg", "image/svg+xml", []byte(svg), true},
		{"/manifest.webmanifest", "application/manifest+json", []byte(manifest), true},
		{"/assets/logo-abc.png", "image/png", png, false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			for _, ae := range []string{"gzip, deflate", "gzip", "br;q=1.0, gzip;q=0.8, *;q=0.1"} {
				r := c.Get(tc.path, "Accept-Encoding", ae).Expect(http.StatusOK)
				if got := r.Header.Get("Content-Type"); got != tc.contentType {
					t.Errorf("Content-Type %q, want %q", got, tc.contentType)
				}
				if !tc.compress {
					if r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, tc.want) {
						t.Fatalf("%s: Content-Encoding %q, %d bytes: want the file as it is", ae, r.Header.Get("Content-Encoding"), len(r.Body))
					}
					continue
				}
				if r.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
					t.Fatalf("%s: Content-Encoding %q, Vary %q", ae, r.Header.Get("Content-Encoding"), r.Header.Get("Vary"))
				}
				if got := gunzip(t, r.Body); !bytes.Equal(got, tc.want) {
					t.Fatalf("%s: gunzipped once, %d bytes that are not the file (%d)", ae, len(got), len(tc.want))
				}
				if len(r.Body) > best(tc.want) {
					t.Errorf("%s: %d bytes gzipped, gzip -9 makes %d", ae, len(r.Body), best(tc.want))
				}
			}
			for _, ae := range []string{"identity", "gzip;q=0", "br"} {
				r := c.Get(tc.path, "Accept-Encoding", ae).Expect(http.StatusOK)
				if r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, tc.want) {
					t.Fatalf("%s: Content-Encoding %q, %d bytes: want the file as it is", ae, r.Header.Get("Content-Encoding"), len(r.Body))
				}
			}
		})
	}
	// The assets' names carry their content's hash: cached for good.
	if cc := c.Get("/assets/index-abc.js").Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("asset Cache-Control %q", cc)
	}
	// Every other path is the SPA.
	if r := c.Get("/downloads", "Accept-Encoding", "gzip").Expect(http.StatusOK); !strings.Contains(string(maybeGunzip(t, r)), "index-abc.js") {
		t.Errorf("/downloads did not answer index.html")
	}
}

// maybeGunzip is r's body, gunzipped if it says it is gzip.
func maybeGunzip(t *testing.T, r *apitest.Response) []byte {
	t.Helper()
	if r.Header.Get("Content-Encoding") != "gzip" {
		return r.Body
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
