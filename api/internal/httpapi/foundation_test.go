package httpapi_test

import (
	"compress/gzip"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) {
	// The test binary is its own yt-dlp guard, as the downlink binary is.
	proc.RunGuardIfRequested()
	storetest.Main(m)
}

func TestOperationalEndpoints(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	c := env.Client()
	tests := []struct {
		name        string
		path        string
		status      int
		contentType string
		contains    []string
		lacks       []string
	}{
		{"liveness", "/healthz", 200, "application/json", []string{`"status":"ok"`}, nil},
		{"readiness names the tools", "/readyz", 200, "application/json", []string{`"ytdlp"`, `"version":"20`, `"ffmpeg"`, `"database"`}, nil},
		{"metrics", "/metrics", 200, "text/plain", []string{"downlink_http_requests_total", "go_goroutines"}, nil},
		{"spec", "/openapi.yaml", 200, "application/yaml", []string{"openapi: 3.0.3"}, nil},
		// The page must load our contract and nothing else (swag's default
		// doc.json is a 500 here, and Swagger UI opens the first URL).
		{"swagger ui", "/swagger/index.html", 200, "text/html", []string{"swagger", `url: "\/openapi.yaml"`}, []string{"doc.json", "doc.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Get(tt.path).Expect(tt.status)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Fatalf("Content-Type %q, want %s", ct, tt.contentType)
			}
			for _, f := range tt.contains {
				if !r.Contains(f) {
					t.Fatalf("body lacks %q:\n%.600s", f, r.Body)
				}
			}
			for _, f := range tt.lacks {
				if r.Contains(f) {
					t.Fatalf("body has %q", f)
				}
			}
		})
	}
}

// TestGzipOnlyWhereItPays: a large response is gzipped for a client that
// asks, a response under a packet is sent as it is, and both read back
// whole.
func TestGzipOnlyWhereItPays(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, env.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // set by hand: Go then leaves the body as sent
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("%s: gzip: %v", path, err)
			}
			r = zr
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return resp, body
	}
	spec, body := get("/openapi.yaml")
	if spec.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(string(body), "\nopenapi: 3.0.3\n") {
		t.Fatalf("/openapi.yaml: Content-Encoding %q, body %.40q", spec.Header.Get("Content-Encoding"), body)
	}
	health, body := get("/healthz")
	if ce := health.Header.Get("Content-Encoding"); ce != "" || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("/healthz (%d bytes): Content-Encoding %q, body %q", len(body), ce, body)
	}
}

func TestUnknownAPIPathsAreProblems(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	c := env.Client()
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		r := c.Do(method, "/api/v1/does-not-exist", nil).Expect(http.StatusNotFound)
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("%s: Content-Type %q", method, ct)
		}
		p := r.Map()
		if p["status"] != float64(404) || p["title"] == "" || p["type"] == "" || p["request_id"] == "" {
			t.Fatalf("%s: problem body %v", method, p)
		}
	}
}

func TestSPAFallbackAndPlaceholder(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	c := env.Client()
	for _, path := range []string{"/", "/downloads", "/settings/platforms"} {
		r := c.Get(path).Expect(http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: Content-Type %q", path, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("%s: no CSP on the SPA", path)
		}
	}
	if r := c.Get("/assets/missing-file.js"); r.Status != http.StatusNotFound {
		t.Fatalf("missing asset: %d, want 404", r.Status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	r := env.Client().Get("/healthz")
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
}

// TestDebugProfiles: with DOWNLINK_DEBUG_ADDR set, Go's profiles are
// served there, and never on the public listener.
func TestDebugProfiles(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) { c.DebugAddr = addr }))
	var resp *http.Response
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("profile listener: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("goroutine profile: %d %.200s", resp.StatusCode, body)
	}
	// The public listener has no profiles: the path is just the SPA.
	if r := env.Client().Get("/debug/pprof/goroutine?debug=1"); strings.Contains(string(r.Body), "goroutine profile") {
		t.Fatal("the public listener serves profiles")
	}
}

// TestShutdownClosesSilentConnections: a connection that was opened and
// never sent a request (a browser's preconnect, a client's spare dial) does
// not hold a graceful shutdown up. It used to, until it was 5 s old: with a
// 5 s shutdown timeout the server then reported "context deadline exceeded".
func TestShutdownClosesSilentConnections(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	env.Client().Get("/healthz") // the silent connection is accepted by now
	env.Stop()                   // reports an error if shutdown failed
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("silent connection after shutdown: read %d, %v; want it closed", n, err)
	}
}

// TestSharePostGoesToTheSharePage: a share sheet that POSTs its form
// (url-encoded or multipart) lands on the SPA's /share page with the same
// fields, which asks the user before anything is downloaded.
func TestSharePostGoesToTheSharePage(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var multi strings.Builder
	mw := multipart.NewWriter(&multi)
	_ = mw.WriteField("title", "A video")
	_ = mw.WriteField("text", "Look at this https://example.com/v?a=1&b=2")
	_ = mw.Close()
	tests := []struct {
		name, contentType, body string
	}{
		{"url-encoded", "application/x-www-form-urlencoded", url.Values{"title": {"A video"}, "text": {"Look at this https://example.com/v?a=1&b=2"}}.Encode()},
		{"multipart", mw.FormDataContentType(), multi.String()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := hc.Post(env.URL+"/share", tc.contentType, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != "/share" ||
				loc.Query().Get("title") != "A video" || loc.Query().Get("text") != "Look at this https://example.com/v?a=1&b=2" {
				t.Fatalf("POST /share: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}
