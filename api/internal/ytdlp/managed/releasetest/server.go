package releasetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// Release is one release as the stand-in serves it.
type Release struct {
	Channel managed.Channel
	Version string
	// Files are the release's files by asset name.
	Files map[string][]byte
	// Published is its published_at.
	Published time.Time

	// Faults.
	// NoSizes leaves every asset's size at 0 in the JSON, as a mirror
	// that does not know sizes might.
	NoSizes bool
	// Truncate serves only the first n bytes of a file (its
	// Content-Length still says the whole size).
	Truncate map[string]int
	// Hang answers nothing for these files (or for the release JSON, under
	// the name "json") until the client gives up.
	Hang map[string]bool
}

// Asset is this machine's build name (yt-dlp_linux on x86-64).
func Asset() string { return managed.AssetName(runtime.GOARCH) }

// otherFiles are the rest of a real release's files (placeholders here:
// Downlink must never download them).
var otherFiles = []string{"yt-dlp", "yt-dlp.exe", "yt-dlp.tar.gz", "yt-dlp_macos", "yt-dlp_musllinux", "yt-dlp_x86.exe"}

// NewRelease returns release version on the stable channel, with build
// (nil: Build(t, version)) as this machine's file, the other files a
// yt-dlp release has, and SHA2-256SUMS signed with key.
func NewRelease(t TB, key *Key, version string, build []byte) *Release {
	t.Helper()
	if build == nil {
		build = Build(t, version)
	}
	r := &Release{Channel: managed.ChannelStable, Version: version, Files: map[string][]byte{Asset(): build},
		Published: time.Now().UTC().Truncate(time.Second)}
	for _, name := range otherFiles {
		r.Files[name] = []byte("placeholder for " + name + " " + version + "\n")
	}
	r.Sign(t, key)
	return r
}

// Sign (re)writes SHA2-256SUMS over the files and signs it with key.
func (r *Release) Sign(t TB, key *Key) {
	t.Helper()
	sums := r.Sums()
	r.Files["SHA2-256SUMS"] = sums
	r.Files["SHA2-256SUMS.sig"] = key.Sign(t, sums)
}

// Sums is SHA2-256SUMS as `sha256sum -- *` writes it over the builds.
func (r *Release) Sums() []byte {
	var names []string
	for n := range r.Files {
		if !strings.HasPrefix(n, "SHA2-") && n != "_update_spec" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		sum := sha256.Sum256(r.Files[n])
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	return []byte(b.String())
}

// Server is the stand-in. Its URL is both the release API base and the
// download base.
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	releases map[string]map[string]*Release // repo → tag → release
	latest   map[string]string              // repo → tag
	requests []string
}

// NewServer starts an empty stand-in on 127.0.0.1, stopped when the test
// ends.
func NewServer(t TB) *Server {
	t.Helper()
	s := &Server{releases: map[string]map[string]*Release{}, latest: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}/releases/latest", s.serveLatest)
	mux.HandleFunc("GET /repos/{owner}/{repo}/releases/tags/{tag}", s.serveTag)
	mux.HandleFunc("GET /{owner}/{repo}/releases/download/{tag}/{name}", s.serveFile)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(func() {
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

// Publish adds r; it becomes its channel's latest release.
func (s *Server) Publish(r *Release) { s.add(r, true) }

// PublishOld adds r without making it the latest (reachable by tag).
func (s *Server) PublishOld(r *Release) { s.add(r, false) }

func (s *Server) add(r *Release, latest bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := r.Channel.Repo()
	if s.releases[repo] == nil {
		s.releases[repo] = map[string]*Release{}
	}
	s.releases[repo][r.Version] = r
	if latest {
		s.latest[repo] = r.Version
	}
}

// Requests lists the paths asked so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) find(r *http.Request, tag string) *Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.URL.Path)
	repo := r.PathValue("owner") + "/" + r.PathValue("repo")
	if tag == "latest" {
		tag = s.latest[repo]
	}
	return s.releases[repo][tag]
}

func (s *Server) serveLatest(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.find(r, "latest"))
}

func (s *Server) serveTag(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.find(r, r.PathValue("tag")))
}

// serveJSON answers in the shape of GitHub's "get a release".
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, rel *Release) {
	if rel == nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name","status":"404"}`))
		return
	}
	if rel.Hang["json"] {
		<-r.Context().Done()
		return
	}
	repo := r.PathValue("owner") + "/" + r.PathValue("repo")
	base := "http://" + r.Host
	var names []string
	for n := range rel.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	assets := make([]map[string]any, 0, len(names))
	for i, n := range names {
		size := len(rel.Files[n])
		if rel.NoSizes {
			size = 0
		}
		assets = append(assets, map[string]any{
			"url":                  fmt.Sprintf("%s/repos/%s/releases/assets/%d", base, repo, 1000+i),
			"id":                   1000 + i,
			"name":                 n,
			"label":                "",
			"content_type":         "application/octet-stream",
			"state":                "uploaded",
			"size":                 size,
			"download_count":       0,
			"created_at":           rel.Published,
			"updated_at":           rel.Published,
			"browser_download_url": fmt.Sprintf("%s/%s/releases/download/%s/%s", base, repo, rel.Version, n),
		})
	}
	body := map[string]any{
		"url":              fmt.Sprintf("%s/repos/%s/releases/%s", base, repo, rel.Version),
		"html_url":         fmt.Sprintf("%s/%s/releases/tag/%s", base, repo, rel.Version),
		"id":               1,
		"tag_name":         rel.Version,
		"target_commitish": "master",
		"name":             "yt-dlp " + rel.Version,
		"draft":            false,
		"prerelease":       false,
		"created_at":       rel.Published,
		"published_at":     rel.Published,
		"assets":           assets,
		"tarball_url":      fmt.Sprintf("%s/repos/%s/tarball/%s", base, repo, rel.Version),
		"zipball_url":      fmt.Sprintf("%s/repos/%s/zipball/%s", base, repo, rel.Version),
		"body":             "#### A description of the various files is in the [README](https://github.com/yt-dlp/yt-dlp#release-files)",
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rel := s.find(r, r.PathValue("tag"))
	name := r.PathValue("name")
	if rel == nil || rel.Files[name] == nil {
		http.NotFound(w, r)
		return
	}
	if rel.Hang[name] {
		<-r.Context().Done()
		return
	}
	data := rel.Files[name]
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	if n, ok := rel.Truncate[name]; ok {
		_, _ = w.Write(data[:n])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		// Ending the handler short of Content-Length makes the server close
		// the connection: the client sees the body end early.
		return
	}
	_, _ = w.Write(data)
}
