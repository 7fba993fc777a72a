package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/problem"
)

// UIFiles is the built SPA: index.html and its assets.
type UIFiles = fs.FS

// spaCSP is the dashboard's policy; %s is the script-src sources.
const spaCSP = "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob:; " +
	"style-src 'self' 'unsafe-inline'; script-src %s; connect-src 'self'; font-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// inlineScript is an attribute-less inline <script> of index.html (the
// theme set before first paint: inline, it costs no request before the
// page can paint).
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// indexCSP allows 'self' and, by hash, exactly the inline scripts of the
// index.html it is sent with: no 'unsafe-inline', so an injected script
// still does not run.
func indexCSP(index []byte) string {
	src := []string{"'self'"}
	for _, m := range inlineScript.FindAllSubmatch(index, -1) {
		sum := sha256.Sum256(m[1])
		src = append(src, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return fmt.Sprintf(spaCSP, strings.Join(src, " "))
}

// assetCSP is the policy of every response but index.html: no inline
// script at all.
var assetCSP = indexCSP(nil)

// spa serves the dashboard: real files as they are, and index.html for
// every other path so the SPA's router can take it (history fallback).
func (s *Server) spa(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", assetCSP)
	ui := s.deps.UI
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	if name != "" && name != "index.html" && ui != nil {
		if served, err := s.serveUIFile(c, ui, name); served || err != nil {
			return err
		}
	}
	if path.Ext(name) != "" && name != "index.html" && !strings.Contains(name, "@") {
		// A missing asset is a 404, not the SPA.
		return problem.ErrNotFound.WithDetail("No such file.")
	}
	index, err := readIndex(ui)
	if err != nil {
		h.Set("Cache-Control", "no-store")
		return c.HTML(http.StatusOK, uiMissingPage)
	}
	h.Set("Content-Security-Policy", indexCSP(index))
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(c.Response(), c.Request(), "index.html", time.Time{}, bytes.NewReader(index))
	return nil
}

// sharePost takes a Web Share Target's POST (a share sheet that posts its
// form, url-encoded or multipart) to the SPA's /share page, which asks the
// user before it downloads anything: 303 to GET /share with the same
// title, text and url.
func sharePost(c echo.Context) error {
	r := c.Request()
	if err := r.ParseMultipartForm(64 << 10); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return problem.ErrBadRequest.WithDetail("The shared form could not be read.")
	}
	q := url.Values{}
	for _, k := range []string{"title", "text", "url"} {
		if v := r.PostFormValue(k); v != "" {
			q.Set(k, v)
		}
	}
	return c.Redirect(http.StatusSeeOther, "/share?"+q.Encode())
}

// serveUIFile serves one file of the built UI if it exists: a text asset
// gzipped once at the best compression (uiGzip) to a client that takes
// gzip, as it is to one that does not.
func (s *Server) serveUIFile(c echo.Context, ui fs.FS, name string) (bool, error) {
	f, err := ui.Open(name)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return false, nil
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return false, nil
	}
	h := c.Response().Header()
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every asset name.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	if ct := contentType(name); ct != "" {
		h.Set("Content-Type", ct)
	}
	if compressible(name) {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request()) {
			gz, err := s.uiGzip.get(name, rs)
			if err != nil {
				return true, err
			}
			h.Set("Content-Encoding", "gzip")
			http.ServeContent(c.Response(), c.Request(), name, st.ModTime(), bytes.NewReader(gz))
			return true, nil
		}
	}
	http.ServeContent(c.Response(), c.Request(), name, st.ModTime(), rs)
	return true, nil
}

// isUIFile says whether the request path p names a file of the built UI
// other than index.html (which spa serves for every path it does not
// know).
func isUIFile(ui fs.FS, p string) bool {
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if ui == nil || name == "" || name == "index.html" {
		return false
	}
	st, err := fs.Stat(ui, name)
	return err == nil && !st.IsDir()
}

func readIndex(ui fs.FS) ([]byte, error) {
	if ui == nil {
		return nil, errors.New("no UI")
	}
	return fs.ReadFile(ui, "index.html")
}

const uiMissingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Downlink: build the UI</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#111}
code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}pre{padding:1rem}</style></head>
<body><h1>Downlink is running</h1>
<p>The API works (see <a href="/swagger/">the API docs</a> and <a href="/readyz">/readyz</a>),
but this binary was built without the web dashboard.</p>
<p>Build the UI and the binary together from the repository root:</p>
<pre>make run</pre>
<p>or by hand: <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>, then rebuild with
<code>go build ./api/cmd/downlink</code>.</p></body></html>`
