// Package searchtest runs a local stand-in for the YouTube Music and
// YouTube innertube search endpoints on 127.0.0.1. It answers the recorded
// queries with the recorded bodies in spotifytest's testdata (ytmusic/,
// youtube/) and lets a test register "query → candidates" whose URLs point
// at media the test serves itself.
package searchtest

import (
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/spotifytest"
)

// Client names which innertube client a registration answers.
type Client string

// Innertube clients.
const (
	YTMusic Client = "WEB_REMIX"
	YouTube Client = "WEB"
)

// recorded maps (client, normalised query) to a fixture file.
var recorded = []struct {
	client Client
	query  string
	file   string
}{
	{YTMusic, "GB2LD2210007", "ytmusic/search_isrc_GB2LD2210007.json"},
	{YTMusic, "Lost Identities Moments", "ytmusic/search_lost_identities_moments.json"},
	{YouTube, "abstrakt - nobody else", "youtube/search_abstrakt_nobody_else.json"},
	{YouTube, "Lost Identities Moments", "youtube/search_lost_identities_moments.json"},
}

// Server is the search stand-in. Both clients post to
// /youtubei/v1/search; the body's context.client.clientName tells them apart.
type Server struct {
	// URL is the base URL for YTMusicConfig.BaseURL and YouTubeConfig.BaseURL.
	URL string

	srv *httptest.Server

	mu       sync.Mutex
	bodies   map[string][]byte // client + "\x00" + query
	urls     map[string]string // video id → URL
	queries  []string
	failNext int
}

// Options configures a Server.
type Options struct {
	// Fixtures holds the recorded responses (ytmusic/, youtube/); nil:
	// spotifytest.Recorded(). NoFixtures starts without recorded answers.
	Fixtures   fs.FS
	NoFixtures bool
}

// New starts the stand-in on 127.0.0.1.
func New(opts Options) (*Server, error) {
	s := &Server{bodies: map[string][]byte{}, urls: map[string]string{}}
	if !opts.NoFixtures {
		fixtures := opts.Fixtures
		if fixtures == nil {
			fixtures = spotifytest.Recorded()
		}
		for _, r := range recorded {
			b, err := fs.ReadFile(fixtures, r.file)
			if err != nil {
				return nil, err
			}
			s.bodies[key(r.client, r.query)] = b
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

// Start is New for tests, closed when the test ends.
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

// Register makes the client's search for query answer with these
// candidates, rendered in that client's real response shape (so the real
// parsers read them). A candidate's URL is remembered for WatchURL; empty
// video ids are derived from the URL.
func (s *Server) Register(client Client, query string, cands []search.Candidate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range cands {
		if cands[i].VideoID == "" {
			cands[i].VideoID = spotifytest.ID(cands[i].URL)[:11]
		}
		if cands[i].URL != "" {
			s.urls[cands[i].VideoID] = cands[i].URL
		}
	}
	if client == YTMusic {
		s.bodies[key(client, query)] = renderYTMusic(cands)
	} else {
		s.bodies[key(client, query)] = renderYouTube(cands)
	}
}

// WatchURL maps a registered video id to its URL, else to the usual watch
// URL; give it to YTMusicConfig.WatchURL / YouTubeConfig.WatchURL.
func (s *Server) WatchURL(videoID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.urls[videoID]; ok {
		return u
	}
	return "https://www.youtube.com/watch?v=" + videoID
}

// FailNext makes the next n searches answer 500.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext += n
	s.mu.Unlock()
}

// Queries returns the searches served so far as "CLIENT: query".
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/youtubei/v1/search" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Query   string `json:"query"`
		Context struct {
			Client struct {
				ClientName string `json:"clientName"`
			} `json:"client"`
		} `json:"context"`
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(b, &req); err != nil {
		http.Error(w, `{"error":{"code":400,"message":"Invalid JSON payload"}}`, http.StatusBadRequest)
		return
	}
	if req.Query == "" {
		req.Query = r.URL.Query().Get("query") // older clients put it in the URL
	}
	client := Client(req.Context.Client.ClientName)
	s.mu.Lock()
	s.queries = append(s.queries, string(client)+": "+req.Query)
	fail := s.failNext > 0
	if fail {
		s.failNext--
	}
	body, ok := s.bodies[key(client, req.Query)]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":500,"message":"Internal error encountered."}}`))
		return
	}
	if !ok {
		body = []byte(`{"contents":{}}`)
	}
	_, _ = w.Write(body)
}

func key(c Client, query string) string {
	return string(c) + "\x00" + strings.Join(strings.Fields(strings.ToLower(query)), " ")
}
