// Package instagramtest runs a local stand-in for Instagram's web API on
// 127.0.0.1, speaking the shapes yt-dlp's and gallery-dl's extractors read
// (no recording could be redistributed, so the JSON is built from their
// documented reading of it):
//
//   - GET / — the home page, carrying the LSD token as
//     ["LSD",[],{"token":"…"},…] and setting csrftoken;
//   - POST /api/graphql — the logged-out PolarisLoggedOutDesktopWWWPostRootContentQuery
//     (form: lsd, doc_id, variables={"media_id":…}) answering
//     {"data":{"xig_polaris_media":{"if_not_gated_logged_out":<media>}}};
//   - GET /api/v1/media/{pk}/info/ — the signed-in API (sessionid cookie),
//     answering {"items":[<media>],"num_results":1,"status":"ok"}; without a
//     session, a redirect to /accounts/login/;
//   - GET /p/{shortcode}/ — the post page (a redirect to the login page
//     while the login wall is up);
//   - the media files a test registers.
//
// A media object has media_type 1 (photo), 2 (video) or 8 (carousel with
// carousel_media), photos in image_versions2.candidates (largest first)
// and videos in video_versions.
package instagramtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/instagram"
)

// Options configures a Server.
type Options struct {
	// SessionID is the sessionid cookie the signed-in API accepts
	// (default "test-session").
	SessionID string
}

// Media is one item of a post.
type Media struct {
	Kind instagram.Kind
	// Path is where the server serves Body (e.g. "/media/1.jpg"); the
	// post's URL for the item is the server's URL + Path, unless URL is set
	// (another host, or a file that is not there).
	Path        string
	Body        []byte
	ContentType string
	URL         string
	Width       int
	Height      int
	// Duration is a video's length in seconds.
	Duration float64
}

// Post is a post a test registers.
type Post struct {
	Shortcode string
	Username  string
	FullName  string
	Caption   string
	TakenAt   time.Time
	Items     []Media
	// LoggedInOnly: visitors without a session get no data (a private
	// account's post).
	LoggedInOnly bool
}

// Server is the stand-in. Its methods are safe to call while it serves.
type Server struct {
	URL string

	opts Options
	srv  *httptest.Server
	lsd  string

	mu        sync.Mutex
	posts     map[string]Post // by media pk
	media     map[string]Media
	hits      map[string]int
	requests  []string
	mediaBase string
	loginWall bool
	cookies   []string // Cookie headers seen on API requests
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.SessionID == "" {
		opts.SessionID = "test-session"
	}
	s := &Server{opts: opts, lsd: "AVqbxe3J_YA", posts: map[string]Post{}, media: map[string]Media{}, hits: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// SessionCookies is a Netscape cookies.txt with a signed-in session for
// instagram.com, as an admin exports it from the browser.
func (s *Server) SessionCookies() string {
	exp := time.Now().Add(365 * 24 * time.Hour).Unix()
	return "# Netscape HTTP Cookie File\n" +
		fmt.Sprintf(".instagram.com\tTRUE\t/\tTRUE\t%d\tsessionid\t%s\n", exp, s.opts.SessionID) +
		fmt.Sprintf(".instagram.com\tTRUE\t/\tTRUE\t%d\tcsrftoken\tcsrf-from-browser\n", exp) +
		fmt.Sprintf(".instagram.com\tTRUE\t/\tTRUE\t%d\tds_user_id\t4242\n", exp)
}

// AddPost registers a post and serves its media.
func (s *Server) AddPost(p Post) {
	pk, err := instagram.MediaID(p.Shortcode)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts[pk] = p
	for _, m := range p.Items {
		if m.Path != "" && m.Body != nil {
			s.media[m.Path] = m
		}
	}
}

// SetMediaBase sets the origin written into the posts' media addresses
// (default the server's own URL): a public-looking name that a test's
// resolver maps to this server.
func (s *Server) SetMediaBase(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mediaBase = base
}

// SetLoginWall makes Instagram refuse visitors without a session: the
// GraphQL query answers no data and the post page redirects to the login
// page (its anonymous rate limit).
func (s *Server) SetLoginWall(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loginWall = on
}

// Hits counts requests for a path.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// Requests lists the requests served as "METHOD /path".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// APICookies lists the Cookie headers the API requests carried.
func (s *Server) APICookies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cookies...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.hits[r.URL.Path]++
	m, isMedia := s.media[r.URL.Path]
	s.mu.Unlock()
	switch {
	case isMedia:
		w.Header().Set("Content-Type", m.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(m.Body)))
		_, _ = w.Write(m.Body)
	case r.URL.Path == "/":
		http.SetCookie(w, &http.Cookie{Name: "csrftoken", Value: "csrf-" + s.lsd, Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, `<!DOCTYPE html><html><head><script>requireLazy(["ServerJS"],function(s){s.handle({"define":[["LSD",[],{"token":"%s"},323]]})});</script></head><body></body></html>`, s.lsd)
	case r.URL.Path == "/api/graphql":
		s.serveGraphQL(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/v1/media/") && strings.HasSuffix(r.URL.Path, "/info/"):
		s.serveInfo(w, r, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/media/"), "/info/"))
	case strings.HasPrefix(r.URL.Path, "/p/"):
		s.servePostPage(w, r, strings.Trim(strings.TrimPrefix(r.URL.Path, "/p/"), "/"))
	default:
		http.NotFound(w, r)
	}
}

// webClient checks what Instagram's web API insists on.
func (s *Server) webClient(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	s.cookies = append(s.cookies, r.Header.Get("Cookie"))
	s.mu.Unlock()
	if r.Header.Get("X-IG-App-ID") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "useragent mismatch", "status": "fail"})
		return false
	}
	return true
}

func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	if !s.webClient(w, r) {
		return
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("lsd") != s.lsd ||
		r.Header.Get("X-FB-LSD") != s.lsd || r.PostForm.Get("doc_id") == "" ||
		r.PostForm.Get("fb_api_req_friendly_name") != "PolarisLoggedOutDesktopWWWPostRootContentQuery" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{"message": "Invalid request"}}})
		return
	}
	var vars struct {
		MediaID string `json:"media_id"`
	}
	_ = json.Unmarshal([]byte(r.PostForm.Get("variables")), &vars)
	s.mu.Lock()
	p, ok := s.posts[vars.MediaID]
	wall := s.loginWall
	s.mu.Unlock()
	if !ok || wall || p.LoggedInOnly {
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"xig_polaris_media": nil}, "extensions": map[string]any{"is_final": true}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"xig_polaris_media": map[string]any{
		"if_not_gated_logged_out": s.mediaObject(vars.MediaID, p)}}, "extensions": map[string]any{"is_final": true}})
}

func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request, pk string) {
	if !s.webClient(w, r) {
		return
	}
	if c, err := r.Cookie("sessionid"); err != nil || c.Value != s.opts.SessionID {
		http.Redirect(w, r, "/accounts/login/?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
		return
	}
	s.mu.Lock()
	p, ok := s.posts[pk]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Media not found or unavailable", "status": "fail"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": []any{s.mediaObject(pk, p)}, "num_results": 1,
		"more_available": false, "auto_load_more_enabled": false, "status": "ok"})
}

func (s *Server) servePostPage(w http.ResponseWriter, r *http.Request, code string) {
	pk, err := instagram.MediaID(code)
	s.mu.Lock()
	_, ok := s.posts[pk]
	wall := s.loginWall
	s.mu.Unlock()
	switch {
	case wall:
		http.Redirect(w, r, "/accounts/login/?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
	case err != nil || !ok:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html><html><body></body></html>`))
	}
}

// mediaObject renders a post as the web API does.
func (s *Server) mediaObject(pk string, p Post) map[string]any {
	userPK := "4242"
	obj := map[string]any{
		"pk": pk, "id": pk + "_" + userPK, "code": p.Shortcode, "taken_at": p.TakenAt.Unix(),
		"user":       map[string]any{"pk": userPK, "username": p.Username, "full_name": p.FullName, "is_private": p.LoggedInOnly},
		"caption":    map[string]any{"text": p.Caption, "pk": pk + "1", "created_at": p.TakenAt.Unix()},
		"like_count": 17, "comment_count": 2, "product_type": "feed",
	}
	if len(p.Items) == 1 {
		for k, v := range s.itemObject(pk, p.Items[0]) {
			if k != "pk" && k != "id" {
				obj[k] = v
			}
		}
		return obj
	}
	obj["media_type"] = 8
	obj["product_type"] = "carousel_container"
	obj["carousel_media_count"] = len(p.Items)
	items := make([]any, 0, len(p.Items))
	for i, m := range p.Items {
		items = append(items, s.itemObject(pk+strconv.Itoa(i+1), m))
	}
	obj["carousel_media"] = items
	return obj
}

func (s *Server) itemObject(pk string, m Media) map[string]any {
	s.mu.Lock()
	base := s.mediaBase
	s.mu.Unlock()
	if base == "" {
		base = s.URL
	}
	u := m.URL
	if u == "" {
		u = base + m.Path
	}
	small := base + "/small" + m.Path
	w, h := m.Width, m.Height
	if w == 0 || h == 0 {
		w, h = 1080, 1350
	}
	// Largest first, as Instagram lists them; the smaller copies are
	// never served, so a client that picks one fails.
	images := []any{map[string]any{"width": w, "height": h, "url": u}, map[string]any{"width": w / 2, "height": h / 2, "url": small}}
	obj := map[string]any{"pk": pk, "id": pk + "_4242", "media_type": 1, "original_width": w, "original_height": h,
		"image_versions2": map[string]any{"candidates": images}}
	if m.Kind == instagram.KindVideo {
		// A video's image is its cover: another, small picture.
		obj["image_versions2"] = map[string]any{"candidates": []any{map[string]any{"width": w, "height": h, "url": small + ".cover.jpg"}}}
		obj["media_type"] = 2
		obj["video_duration"] = m.Duration
		obj["has_audio"] = true
		obj["video_versions"] = []any{
			map[string]any{"type": 102, "width": w / 2, "height": h / 2, "url": small, "id": pk + "2"},
			map[string]any{"type": 101, "width": w, "height": h, "url": u, "id": pk + "1"},
		}
	}
	return obj
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
