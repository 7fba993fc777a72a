package httpapi_test

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// guardOn runs the server the production way for URLs: private networks
// refused (generic sites on, so the URL checks are what refuses).
func guardOn() apitest.Option {
	return apitest.WithConfig(func(c *config.Config) {
		c.GenericSites = true
		c.AllowPrivateNetworks = false
	})
}

// publicLiteral is a public address no test connects to: cases that must
// be refused before any network use carry it, so a refusal that went
// missing could not reach anything local.
const publicLiteral = "http://93.184.215.14/watch"

// TestDownloadHostileInput submits what an attacker would: every request
// is a 422 problem naming the field, and nothing is queued or started.
func TestDownloadHostileInput(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, guardOn())
	user := newAccount(t, env, "user")
	c, _ := signIn(t, env, user)
	long := "http://93.184.215.14/" + strings.Repeat("a", 100<<10)
	tests := []struct {
		name  string
		body  any
		field string // the errors[] field named
		in    string // a fragment of that error's message ("" any)
	}{
		{"exec option", map[string]any{"url": "--exec=touch /tmp/pwned"}, "url", ""},
		{"exec option without spaces", map[string]any{"url": "--exec=id"}, "url", ""},
		{"batch file", map[string]any{"url": "--batch-file=/etc/passwd"}, "url", ""},
		{"file scheme", map[string]any{"url": "file:///etc/passwd"}, "url", ""},
		{"ftp scheme", map[string]any{"url": "ftp://x"}, "url", ""},
		{"data scheme", map[string]any{"url": "data:text/html,x"}, "url", ""},
		{"javascript scheme", map[string]any{"url": "javascript:alert(1)"}, "url", ""},
		{"metadata address", map[string]any{"url": "http://169.254.169.254/latest/meta-data/"}, "url", "metadata"},
		{"metadata in ipv4-mapped ipv6", map[string]any{"url": "http://[::ffff:169.254.169.254]/"}, "url", "metadata"},
		{"metadata as a decimal", map[string]any{"url": "http://2852039166/"}, "url", "metadata"},
		{"metadata as hex", map[string]any{"url": "http://0xa9fea9fe/"}, "url", "metadata"},
		{"localhost", map[string]any{"url": "http://localhost/"}, "url", ""},
		{"localhost subdomain", map[string]any{"url": "http://a.localhost:8080/"}, "url", ""},
		{"loopback", map[string]any{"url": "http://127.0.0.1:8080/x.mp4"}, "url", ""},
		{"loopback short form", map[string]any{"url": "http://127.1/"}, "url", ""},
		{"ipv6 loopback", map[string]any{"url": "http://[::1]/"}, "url", ""},
		{"private 10/8", map[string]any{"url": "http://10.0.0.1/"}, "url", ""},
		{"private 172.16/12", map[string]any{"url": "https://172.16.5.4/"}, "url", ""},
		{"private 192.168/16", map[string]any{"url": "http://192.168.1.1/video.mp4"}, "url", ""},
		{"cgnat", map[string]any{"url": "http://100.64.0.1/"}, "url", ""},
		{"ipv6 unique local", map[string]any{"url": "http://[fd00::1]/"}, "url", ""},
		{"link local", map[string]any{"url": "http://169.254.1.1/"}, "url", ""},
		{"unspecified", map[string]any{"url": "http://0.0.0.0/"}, "url", ""},
		{"smuggle fragment", map[string]any{"url": publicLiteral + "#__youtubedl_smuggle=%7B%22http_headers%22%3A%7B%7D%7D"}, "url", ""},
		{"smuggle in the query", map[string]any{"url": publicLiteral + "?x=__youtubedl_smuggle"}, "url", ""},
		{"credentials in the URL", map[string]any{"url": "http://user:pass@93.184.215.14/"}, "url", ""},
		{"empty url", map[string]any{"url": ""}, "url", ""},
		{"blank url", map[string]any{"url": "   "}, "url", ""},
		{"100 KB url", map[string]any{"url": long}, "url", ""},
		{"unknown option", map[string]any{"url": publicLiteral, "options": map[string]any{"exec": "id"}}, "options.exec", ""},
		{"unknown nested option", map[string]any{"url": publicLiteral, "options": map[string]any{"subtitles": map[string]any{"languages": []string{"en"}, "exec": "id"}}}, "options.subtitles.exec", ""},
		{"option of the wrong type", map[string]any{"url": publicLiteral, "options": map[string]any{"embed_thumbnail": "yes"}}, "options.embed_thumbnail", ""},
		{"unknown preset", map[string]any{"url": publicLiteral, "preset": "8k"}, "preset", ""},
		{"preset conflict", map[string]any{"url": publicLiteral, "preset": "720p", "options": map[string]any{"preset": "audio"}}, "preset", ""},
		{"bad audio format", map[string]any{"url": publicLiteral, "preset": "audio", "options": map[string]any{"audio_format": "exe"}}, "options.audio_format", ""},
		{"bad playlist items", map[string]any{"url": publicLiteral, "options": map[string]any{"playlist_items": "1;rm -rf /"}}, "options.playlist_items", ""},
		{"sponsorblock outside youtube", map[string]any{"url": publicLiteral, "options": map[string]any{"sponsorblock_remove": []string{"sponsor"}}}, "options.sponsorblock_remove", ""},
		{"unknown top-level field", map[string]any{"url": publicLiteral, "exec": "id"}, "exec", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Post("/api/v1/downloads", tc.body)
			p := expectProblem(t, r, http.StatusUnprocessableEntity)
			if !problemNames(p, tc.field, tc.in) {
				t.Errorf("problem does not name %q (%q): %s", tc.field, tc.in, r.Body)
			}
			assertNothingQueued(t, env)
		})
	}
}

// problemNames reports whether a problem's errors[] has field (and, when
// in is set, a message containing it).
func problemNames(p map[string]any, field, in string) bool {
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		msg, _ := m["message"].(string)
		if m["field"] == field && strings.Contains(strings.ToLower(msg), in) {
			return true
		}
	}
	return false
}

// assertNothingQueued checks that no download row, no download job and
// no yt-dlp process exists for this server.
func assertNothingQueued(t *testing.T, env *apitest.Env) {
	t.Helper()
	if n := countRows(t, env, "downloads", ""); n != 0 {
		t.Errorf("%d download rows", n)
	}
	if n := downloadJobs(t, env); n != 0 {
		t.Errorf("%d download jobs", n)
	}
	if p := processesMentioning(env.Cfg.DataDir); len(p) != 0 {
		t.Errorf("processes started: %v", p)
	}
}

// fakeNet gives test hosts public-looking addresses and routes those
// addresses to local listeners, through app.WithNetwork.
type fakeNet struct {
	names  map[string]netip.Addr // host name → address
	routes map[string]string     // "addr:port" → local "host:port"

	mu    sync.Mutex
	dials []string
}

func (f *fakeNet) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, ok := f.names[strings.ToLower(host)]; ok {
		return []netip.Addr{a}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (f *fakeNet) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	f.mu.Lock()
	f.dials = append(f.dials, addr)
	f.mu.Unlock()
	if to, ok := f.routes[addr]; ok {
		addr = to
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (f *fakeNet) dialed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.dials...)
}

// TestDownloadRedirectToBlockedDestination plays the real attack with the
// guard on: an allowed, public-looking host answers with a redirect to a
// loopback address. The submission passes (the host is public), the
// egress proxy refuses the second hop, and the job fails as
// blocked_destination without writing a file.
func TestDownloadRedirectToBlockedDestination(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	local := strings.TrimPrefix(srv.BaseURL(), "http://")
	_, port, _ := net.SplitHostPort(local)
	public := netip.MustParseAddr("93.184.215.14")
	fn := &fakeNet{
		names:  map[string]netip.Addr{"media.example.com": public},
		routes: map[string]string{netip.AddrPortFrom(public, mustPort(t, port)).String(): local},
	}
	env := apitest.New(t, guardOn(), apitest.WithApp(app.WithNetwork(fn, fn)))
	user := newAccount(t, env, "user")
	c, _ := signIn(t, env, user)
	w := dlWorld{env: env, user: user, c: c}
	allowed := "http://media.example.com:" + port

	// The seam works: the public-looking host downloads.
	srv.URL(testmedia.PathVideo) // generate it
	ok := waitCompleted(t, env, c, submitURL(t, c, allowed+testmedia.PathVideo).ID)
	checkOneLibraryFile(t, w, ok)
	before := srv.Count(testmedia.PathAudio)

	// The same host redirecting to loopback: refused at the second hop.
	target := srv.URL(testmedia.PathAudio) // http://127.0.0.1:port/audio.m4a
	d := submitURL(t, c, allowed+"/redirect?to="+url.QueryEscape(target))
	d = waitFinal(t, env, c, d.ID)
	if d.Status != "failed" || d.Error == nil || d.Error.Code != "blocked_destination" {
		t.Fatalf("redirect to loopback ended %s, want failed blocked_destination\nlog tail:\n%s", d, logTail(env, 4000))
	}
	t.Logf("blocked: %s", d.Error.Message)
	if strings.Contains(d.Error.Message, "127.0.0.1") {
		t.Errorf("the error shows the internal address: %q", d.Error.Message)
	}
	if len(d.Files) != 0 || countRows(t, env, "files", "download_id = ?", d.ID) != 0 {
		t.Errorf("a blocked download registered files: %s", d)
	}
	if n := srv.Count(testmedia.PathAudio); n != before {
		t.Errorf("the blocked destination was reached %d times", n-before)
	}
	if srv.Count("/redirect") == 0 {
		t.Errorf("the allowed first hop was never asked")
	}
	for _, dial := range fn.dialed() {
		if ap, err := netip.ParseAddrPort(dial); err != nil || ap.Addr() != public {
			t.Errorf("the proxy dialed %q", dial)
		}
	}
	// The allowed download's file, and the still grabbed from it.
	if entries, _ := libraryEntries(env, user); len(entries) != 2 || !slices.ContainsFunc(entries, func(n string) bool { return strings.HasSuffix(n, ".thumb.jpg") }) {
		t.Errorf("library holds %v, want only the allowed download's file and its thumbnail", entries)
	}
}

func mustPort(t *testing.T, s string) uint16 {
	t.Helper()
	ap, err := netip.ParseAddrPort("127.0.0.1:" + s)
	if err != nil {
		t.Fatal(err)
	}
	return ap.Port()
}

// libraryEntries lists a user's generic library folder.
func libraryEntries(env *apitest.Env, user account) ([]string, error) {
	entries, err := readDirNames(libraryPath(env, user.ID, "generic", ""))
	return entries, err
}
