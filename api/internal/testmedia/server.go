package testmedia

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Built-in paths a Server serves; their media are generated on first use.
const (
	PathVideo  = "/video.mp4"  // Video
	PathBig    = "/big.mp4"    // BigVideo
	PathAudio  = "/audio.m4a"  // Audio
	PathPoster = "/poster.jpg" // Poster
	PathHLS    = "/hls/index.m3u8"
	PathDASH   = "/dash/manifest.mpd" // DASH: H.264 and VP9
)

// Request is one request the server saw.
type Request struct {
	Method string
	Path   string // URL path, without the query
	Query  string // raw query
	Range  string // Range header, if any
	Status int    // status written (200 when the handler wrote none)
	Time   time.Time
}

// Server serves generated media on 127.0.0.1. It is closed when the test ends.
//
// Routes:
//
//	/<file>                  a direct file (PathVideo, PathBig, … or AddFile), Range supported
//	/slow/<bps>/<file>       the same file, throttled to bps bytes per second
//	/page.html?src=<path>    an HTML page with a <video src> (yt-dlp's generic extractor)
//	/hls/index.m3u8          an HLS VOD playlist with four segments
//	/feed.xml?n=<n>[&bps=<b>] an RSS feed with n <enclosure> items (a playlist for yt-dlp), throttled with bps
//	/redirect?to=<url>       a 302 to any URL
//	/status/<code>           an empty response with that status
type Server struct {
	tb     testing.TB
	srv    *httptest.Server
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once

	mu    sync.Mutex
	files map[string]string // URL path → file
	reqs  []Request
}

// NewServer starts a server on 127.0.0.1 and registers its shutdown with
// tb.Cleanup.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, files: map[string]string{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow/{bps}/{file...}", s.serveSlow)
	mux.HandleFunc("GET /page.html", s.servePage)
	mux.HandleFunc("GET /feed.xml", s.serveFeed)
	mux.HandleFunc("GET /redirect", s.serveRedirect)
	mux.HandleFunc("GET /status/{code}", s.serveStatus)
	mux.HandleFunc("GET /", s.serveFile)
	s.srv = httptest.NewServer(s.logged(mux))
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, ending throttled downloads still in flight.
// It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// BaseURL is the server's root, e.g. http://127.0.0.1:41234.
func (s *Server) BaseURL() string { return s.srv.URL }

// URL returns the absolute URL of p. A built-in media path is generated
// first, so the file exists when the URL is used.
func (s *Server) URL(p string) string {
	s.tb.Helper()
	s.ensure(p)
	return s.srv.URL + p
}

// SlowURL returns a URL that serves the file at p at bytesPerSec bytes per
// second (Range still works, so a resumed download is throttled too). For
// PathHLS the segments are throttled as well: their relative URIs resolve
// below the same /slow/<bps>/ prefix.
func (s *Server) SlowURL(p string, bytesPerSec int) string {
	s.tb.Helper()
	if bytesPerSec <= 0 {
		s.tb.Fatalf("testmedia: SlowURL needs a positive rate, got %d", bytesPerSec)
	}
	s.ensure(p)
	return fmt.Sprintf("%s/slow/%d%s", s.srv.URL, bytesPerSec, p)
}

// PageURL returns an HTML page embedding the media at p in a <video> tag,
// with a poster image and the og:title DefaultTitle (or the URL's title
// parameter, added by the caller).
func (s *Server) PageURL(p string) string {
	s.tb.Helper()
	s.ensure(p)
	s.ensure(PathPoster)
	return s.srv.URL + "/page.html?src=" + url.QueryEscape(p)
}

// HLSURL returns the HLS playlist's URL.
func (s *Server) HLSURL() string {
	s.tb.Helper()
	s.ensure(PathHLS)
	return s.srv.URL + PathHLS
}

// FeedURL returns an RSS feed with n items, each enclosing the default
// video under its own URL (…/video.mp4?item=i, i from 1).
func (s *Server) FeedURL(n int) string {
	s.tb.Helper()
	s.ensure(PathVideo)
	return fmt.Sprintf("%s/feed.xml?n=%d", s.srv.URL, n)
}

// SlowFeedURL is FeedURL with every item served at bytesPerSec
// (…/slow/<bps>/video.mp4?item=i).
func (s *Server) SlowFeedURL(n, bytesPerSec int) string {
	return fmt.Sprintf("%s&bps=%d", s.FeedURL(n), bytesPerSec)
}

// RedirectURL returns a URL that answers 302 Found pointing at target.
func (s *Server) RedirectURL(target string) string {
	return s.srv.URL + "/redirect?to=" + url.QueryEscape(target)
}

// StatusURL returns a URL that answers with the given status code.
func (s *Server) StatusURL(code int) string {
	return fmt.Sprintf("%s/status/%d", s.srv.URL, code)
}

// AddFile serves file at the URL path p (which must start with "/").
func (s *Server) AddFile(p, file string) {
	s.tb.Helper()
	if !strings.HasPrefix(p, "/") {
		s.tb.Fatalf("testmedia: AddFile path %q must start with /", p)
	}
	if _, err := os.Stat(file); err != nil {
		s.tb.Fatalf("testmedia: AddFile: %v", err)
	}
	s.mu.Lock()
	s.files[p] = file
	s.mu.Unlock()
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Count returns how many requests had the URL path p (query ignored).
func (s *Server) Count(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if r.Path == p {
			n++
		}
	}
	return n
}

// ensure generates the built-in media behind p, if p is one.
func (s *Server) ensure(p string) {
	s.tb.Helper()
	p, _, _ = strings.Cut(p, "?")
	var file string
	switch p {
	case PathVideo:
		file = Video(s.tb)
	case PathBig:
		file = BigVideo(s.tb)
	case PathAudio:
		file = Audio(s.tb)
	case PathPoster:
		file = Poster(s.tb)
	case PathHLS, PathDASH:
		dir, prefix := HLS, "/hls/"
		if p == PathDASH {
			dir, prefix = DASH, "/dash/"
		}
		d := dir(s.tb)
		entries, err := os.ReadDir(d)
		if err != nil {
			s.tb.Fatalf("testmedia: %v", err)
		}
		s.mu.Lock()
		for _, e := range entries {
			s.files[prefix+e.Name()] = filepath.Join(d, e.Name())
		}
		s.mu.Unlock()
		return
	default:
		return
	}
	s.mu.Lock()
	s.files[p] = file
	s.mu.Unlock()
}

func (s *Server) lookup(p string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[path.Clean(p)]
	return f, ok
}

var contentTypes = map[string]string{
	".mp4":  "video/mp4",
	".m4a":  "audio/mp4",
	".mp3":  "audio/mpeg",
	".opus": "audio/ogg",
	".flac": "audio/flac",
	".jpg":  "image/jpeg",
	".m3u8": "application/vnd.apple.mpegurl",
	".ts":   "video/mp2t",
	".mpd":  "application/dash+xml",
	".m4s":  "video/iso.segment",
	".webm": "video/webm",
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	s.serveContent(w, r, r.URL.Path)
}

func (s *Server) serveContent(w http.ResponseWriter, r *http.Request, p string) {
	file, ok := s.lookup(p)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if ct, ok := contentTypes[filepath.Ext(file)]; ok {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeContent(w, r, filepath.Base(file), st.ModTime(), f)
}

func (s *Server) serveSlow(w http.ResponseWriter, r *http.Request) {
	bps, err := strconv.Atoi(r.PathValue("bps"))
	if err != nil || bps <= 0 {
		http.Error(w, "bad rate", http.StatusBadRequest)
		return
	}
	tw := &throttledWriter{ResponseWriter: w, bps: bps, start: time.Now(), stop: s.ctx.Done(), gone: r.Context().Done()}
	s.serveContent(tw, r, "/"+r.PathValue("file"))
}

func (s *Server) serveRedirect(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" {
		http.Error(w, "missing to", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(r.PathValue("code"))
	if err != nil || code < 200 || code > 599 {
		http.Error(w, "bad status", http.StatusBadRequest)
		return
	}
	http.Error(w, http.StatusText(code), code)
}

// logged records every request after it was answered.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Range: r.Header.Get("Range"), Status: sw.status, Time: start,
		})
		s.mu.Unlock()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
