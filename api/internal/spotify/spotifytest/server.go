package spotifytest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/spotify"
)

// PlaylistShape selects how playlist entries are served.
type PlaylistShape int

const (
	// ShapeTransitional is Spotify since Feb 2026: the playlist object has
	// both "tracks" and "items", each entry both "track" and "item", and
	// /items and /tracks both answer.
	ShapeTransitional PlaylistShape = iota
	// ShapeItemsOnly is where Spotify is heading: only "items"/"item", and
	// /tracks answers 404.
	ShapeItemsOnly
	// ShapeLegacy is Spotify before 2026: only "tracks"/"track", and /items
	// answers 404.
	ShapeLegacy
)

// Options configures a Server. Zero values take the defaults.
type Options struct {
	// Fixtures holds the recorded responses (a spotify/ folder); nil:
	// Recorded(). Set NoFixtures to start empty (synthetic items only).
	Fixtures   fs.FS
	NoFixtures bool
	// ClientID / ClientSecret the token endpoint accepts (default
	// "test-client-id" / "test-client-secret").
	ClientID, ClientSecret string
	// TokenLifetime is expires_in of issued tokens (default 3600 s).
	TokenLifetime time.Duration
	// MaxLimit caps the limit a page may have (Spotify: 50; 100 for
	// /tracks). Set it low to force multi-page paging on small fixtures.
	MaxLimit int
	// Shape of playlist responses.
	Shape PlaylistShape
	// DevMode answers as Spotify does a Development-Mode app since 2026: a
	// playlist's entries only to a user token of its owner (403 to an app
	// token); its details to anyone.
	DevMode bool
	// RedirectURI, when set, is the only redirect_uri /authorize accepts
	// (the app's registered one).
	RedirectURI string
}

// Server is the stand-in. Its methods are safe to call while it serves.
type Server struct {
	// URL is the base URL (http://127.0.0.1:port); it serves the Web API
	// under /v1, the accounts service at /authorize and /api/token, and the
	// public embed pages at /embed/{track,album,playlist}/{id}.
	URL string

	opts Options
	srv  *httptest.Server
	errs map[string][]byte

	mu        sync.Mutex
	tracks    map[string]map[string]any
	albums    map[string]map[string]any
	albumRows map[string][]map[string]any // simplified tracks per album
	playlists map[string]map[string]any
	entries   map[string][]map[string]any // normalised entries: track object (or nil/episode) per row
	artists   map[string]map[string]any
	tokens    map[string]time.Time
	pending   []rateLimit
	requests  []string
	// embed pages
	recorded     map[string][]byte
	embedChanged bool
	// accounts
	users      map[string]User
	signedIn   string
	denyNext   bool
	tokenUsers map[string]string // access token → user id
	codes      map[string]codeGrant
	refresh    map[string]refreshGrant
	access     map[string]playlistAccess
	premium    bool
	grants     map[string]int // token requests per grant_type
}

type rateLimit struct {
	retryAfter int
	plain      bool
}

// New loads the fixtures and starts the server on 127.0.0.1.
func New(opts Options) (*Server, error) {
	if opts.ClientID == "" {
		opts.ClientID = "test-client-id"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "test-client-secret"
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	s := &Server{
		opts:   opts,
		errs:   map[string][]byte{},
		tracks: map[string]map[string]any{}, albums: map[string]map[string]any{},
		albumRows: map[string][]map[string]any{}, playlists: map[string]map[string]any{},
		entries: map[string][]map[string]any{}, artists: map[string]map[string]any{},
		tokens: map[string]time.Time{}, recorded: EmbedRecordings(),
		users: map[string]User{}, tokenUsers: map[string]string{}, codes: map[string]codeGrant{},
		refresh: map[string]refreshGrant{}, access: map[string]playlistAccess{}, grants: map[string]int{},
	}
	s.errs["401"] = []byte(`{"error":{"status":401,"message":"The access token expired"}}`)
	s.errs["404"] = []byte(`{"error":{"status":404,"message":"Resource not found"}}`)
	s.errs["429"] = []byte(`{"error":{"status":429,"message":"API rate limit exceeded"}}`)
	s.errs["429txt"] = []byte("Too many requests")
	if !opts.NoFixtures {
		fixtures := opts.Fixtures
		if fixtures == nil {
			fixtures = Recorded()
		}
		if err := s.load(fixtures); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("spotifytest: listen: %w", err)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

// Start is New for tests: it fails the test on error and closes the server
// when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Config returns a client configuration pointed at this server with valid
// credentials; tests adjust it (e.g. Sleep) before spotify.New.
func (s *Server) Config() spotify.Config {
	return spotify.Config{
		ClientID: s.opts.ClientID, ClientSecret: s.opts.ClientSecret,
		BaseURL: s.URL, TokenURL: s.URL + "/api/token",
	}
}

// RateLimitNext makes the next n API requests (token requests excluded)
// answer 429 with Retry-After: retryAfter seconds, with Spotify's JSON error
// body or, when plain is set, the plain-text body Spotify has also sent.
func (s *Server) RateLimitNext(n, retryAfter int, plain bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.pending = append(s.pending, rateLimit{retryAfter: retryAfter, plain: plain})
	}
}

// ExpireTokens revokes every issued token: the next API request answers 401
// "The access token expired", as Spotify does.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Requests returns the requests served so far as "METHOD /path?query".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// CountRequests counts served requests whose "METHOD /path" starts with prefix.
func (s *Server) CountRequests(prefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	s.mu.Unlock()
	switch {
	case r.URL.Path == "/api/token":
		s.serveToken(w, r)
	case r.URL.Path == "/authorize":
		s.serveAuthorize(w, r)
	case strings.HasPrefix(r.URL.Path, "/embed/"):
		s.serveEmbed(w, r)
	case strings.HasPrefix(r.URL.Path, "/v1/"):
		if !s.authorised(w, r) || s.rateLimited(w) || s.premiumLapsed(w) {
			return
		}
		s.serveAPI(w, r)
	default:
		s.writeRaw(w, http.StatusNotFound, s.errs["404"])
	}
}

func (s *Server) authorised(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	exp, known := s.tokens[tok]
	s.mu.Unlock()
	if !ok || !known {
		s.writeRaw(w, http.StatusUnauthorized, s.errs["401"])
		return false
	}
	if time.Now().After(exp) {
		s.writeRaw(w, http.StatusUnauthorized, s.errs["401"])
		return false
	}
	return true
}

func (s *Server) rateLimited(w http.ResponseWriter) bool {
	s.mu.Lock()
	if len(s.pending) == 0 {
		s.mu.Unlock()
		return false
	}
	rl := s.pending[0]
	s.pending = s.pending[1:]
	s.mu.Unlock()
	w.Header().Set("Retry-After", strconv.Itoa(rl.retryAfter))
	if rl.plain {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write(s.errs["429txt"])
		return true
	}
	s.writeRaw(w, http.StatusTooManyRequests, s.errs["429"])
	return true
}

// premiumLapsed answers Spotify's 403 while RequirePremium is on.
func (s *Server) premiumLapsed(w http.ResponseWriter) bool {
	s.mu.Lock()
	on := s.premium
	s.mu.Unlock()
	if !on {
		return false
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(PremiumMessage))
	return true
}

func (s *Server) writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ID derives a valid 22-character Spotify id from any seed, so tests can
// name synthetic items readably ("album-1") and still pass id validation.
func ID(seed string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte(seed))
	out := make([]byte, 22)
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(out)
}
