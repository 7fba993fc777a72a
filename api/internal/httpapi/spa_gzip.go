package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// uiGzip keeps the gzip of each text asset of the UI, made once, at the
// best compression, the first time one is asked for: the assets never
// change while the binary runs (their names carry a content hash), so
// each is compressed once instead of at every request, and smaller than
// the API's per-response level 1 makes (the dashboard's 588 KB entry
// chunk: 179 KB instead of 215 KB, most of the first load on a phone).
type uiGzip struct {
	mu sync.Mutex
	m  map[string][]byte
}

// compressible says whether an asset is worth compressing (images and
// fonts are compressed already).
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".mjs", ".css", ".svg", ".json", ".webmanifest", ".txt", ".map":
		return true
	}
	return false
}

// get returns the gzip of the asset name, read from r, compressing it the
// first time.
func (g *uiGzip) get(name string, r io.Reader) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if b, ok := g.m[name]; ok {
		return b, nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(zw, r); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if g.m == nil {
		g.m = map[string][]byte{}
	}
	g.m[name] = buf.Bytes()
	return g.m[name], nil
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a quality above 0.
func acceptsGzip(r *http.Request) bool {
	for _, header := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(header, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "*" {
				continue
			}
			q := 1.0
			if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
			return q > 0
		}
	}
	return false
}

// contentType is the type of a UI file by its extension (what
// http.ServeContent would say for the uncompressed file).
func contentType(name string) string {
	if strings.HasSuffix(name, ".webmanifest") {
		// Not in Go's MIME table; sniffing would say text/plain.
		return "application/manifest+json"
	}
	return mime.TypeByExtension(path.Ext(name))
}
