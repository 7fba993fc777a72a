package netguard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProxyRequiresLease(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("an unauthenticated request reached the target")
	}))
	defer target.Close()
	p, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}})
	revoked, _ := p.Lease("revoked")
	revoked.Close()

	good, _ := url.Parse(lease.URL())
	goodPass, _ := good.User.Password()
	tests := []struct {
		name string
		user *url.Userinfo
	}{
		{"no credentials", nil},
		{"wrong token", url.UserPassword("job-test-1", "nope")},
		{"token under another job", url.UserPassword("job-other", goodPass)},
		{"revoked lease", mustUser(revoked.URL())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pu := &url.URL{Scheme: "http", Host: p.Addr(), User: tt.user}
			c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
			resp, err := c.Get(target.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusProxyAuthRequired {
				t.Errorf("status = %d, want 407", resp.StatusCode)
			}
			if !strings.HasPrefix(resp.Header.Get("Proxy-Authenticate"), "Basic ") {
				t.Errorf("Proxy-Authenticate = %q", resp.Header.Get("Proxy-Authenticate"))
			}
		})
	}
	t.Run("CONNECT without credentials", func(t *testing.T) {
		resp, _, _ := rawConnect(t, p.Addr(), hostPort(t, target.URL), "")
		if resp.StatusCode != http.StatusProxyAuthRequired {
			t.Errorf("status = %d, want 407", resp.StatusCode)
		}
	})
	t.Run("origin-form request", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+p.Addr()+"/", nil)
		req.Header.Set("Proxy-Authorization", leaseAuth(t, lease))
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status = %d, want 400", resp.StatusCode)
		}
	})
}

func mustUser(raw string) *url.Userinfo {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u.User
}

// assertBlocked checks a refusal: status line, header and body all carry the
// reason, in the exact form the yt-dlp error classifier looks for.
func assertBlocked(t *testing.T, resp *http.Response, want Reason) {
	t.Helper()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status = %q, want 403", resp.Status)
	}
	if resp.Status != "403 "+BlockedMessage(want) {
		t.Errorf("status line = %q, want %q", resp.Status, "403 "+BlockedMessage(want))
	}
	if got := resp.Header.Get(BlockedHeader); got != string(want) {
		t.Errorf("%s = %q, want %q", BlockedHeader, got, want)
	}
	if body := readAll(t, resp.Body); body != BlockedMessage(want) {
		t.Errorf("body = %q, want %q", body, BlockedMessage(want))
	}
}

func TestProxyRefusesLocalTargets(t *testing.T) {
	t.Parallel()
	var hits int
	var mu sync.Mutex
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer target.Close()
	port := portOf(hostPort(t, target.URL))
	res := newFakeResolver(map[string]string{
		"localhost":     "127.0.0.1",
		"rebound.test":  "127.0.0.1",
		"metadata.test": "169.254.169.254",
		"mixed.test":    "93.184.215.14,127.0.0.1",
	})
	p, lease := startProxy(t, ProxyConfig{Policy: Guard{}, Resolver: res})
	c := proxyClient(t, lease)

	tests := []struct {
		url  string
		want Reason
	}{
		{target.URL + "/video.mp4", ReasonLoopback},
		{"http://localhost:" + port + "/", ReasonLocalName},
		{"http://foo.localhost:" + port + "/", ReasonLocalName},
		{"http://rebound.test:" + port + "/", ReasonLoopback},
		{"http://mixed.test:" + port + "/", ReasonLoopback},
		{"http://0x7f000001:" + port + "/", ReasonLoopback},
		{"http://2130706433:" + port + "/", ReasonLoopback},
		{"http://127.1:" + port + "/", ReasonLoopback},
		{"http://[::ffff:127.0.0.1]:" + port + "/", ReasonLoopback},
		{"http://[::1]:" + port + "/", ReasonLoopback},
		{"http://169.254.169.254/latest/meta-data/", ReasonMetadata},
		{"http://2852039166/", ReasonMetadata},
		{"http://metadata.test/", ReasonMetadata},
		{"http://[64:ff9b::a9fe:a9fe]/", ReasonMetadata},
		{"http://10.0.0.1/", ReasonPrivate},
		{"http://0.0.0.0:" + port + "/", ReasonUnspecified},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			resp, err := c.Get(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			assertBlocked(t, resp, tt.want)
		})
	}
	t.Run("HEAD", func(t *testing.T) {
		resp, err := c.Head(target.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get(BlockedHeader) != "loopback" {
			t.Errorf("HEAD answer = %s %v", resp.Status, resp.Header)
		}
	})
	for _, target := range []string{hostPort(t, target.URL), "localhost:" + port, "[::ffff:7f00:1]:" + port, "169.254.169.254:443"} {
		t.Run("CONNECT "+target, func(t *testing.T) {
			resp, _, _ := rawConnect(t, p.Addr(), target, leaseAuth(t, lease))
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Status, "403 "+BlockedMarker+": ") {
				t.Fatalf("CONNECT answer = %q, want 403 with the marker", resp.Status)
			}
			if !strings.HasPrefix(readAll(t, resp.Body), BlockedMarker+": ") {
				t.Error("body lacks the marker")
			}
		})
	}
	if hits != 0 {
		t.Errorf("the target was reached %d times", hits)
	}
	if st := lease.Stats(); st.Blocked != st.Requests || st.Blocked < int64(len(tests)) {
		t.Errorf("stats = %+v, want every request blocked", st)
	}
}

func TestProxyAllowPrivateForwards(t *testing.T) {
	t.Parallel()
	var seen http.Header
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/video.mp4", http.StatusFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "must not pass")
		w.Header().Set("Content-Type", "video/mp4")
		w.Write([]byte("media bytes:" + string(body)))
	}))
	defer target.Close()
	_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}})
	c := proxyClient(t, lease)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	req, _ := http.NewRequest(http.MethodPost, target.URL+"/video.mp4?sig=secret", strings.NewReader("up"))
	req.Header.Set("Connection", "X-Drop-Me")
	req.Header.Set("X-Drop-Me", "hop")
	req.Header.Set("X-Keep", "end-to-end")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body := readAll(t, resp.Body); resp.StatusCode != 200 || body != "media bytes:up" {
		t.Fatalf("answer = %d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Hop") != "" || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("response headers = %v", resp.Header)
	}
	for _, h := range []string{"Proxy-Authorization", "Proxy-Connection", "X-Drop-Me"} {
		if seen.Get(h) != "" {
			t.Errorf("target saw hop-by-hop header %s", h)
		}
	}
	if seen.Get("X-Keep") != "end-to-end" {
		t.Error("target lost an end-to-end header")
	}

	// The proxy hands redirects back instead of following them.
	resp, err = c.Get(target.URL + "/redirect")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/video.mp4" {
		t.Errorf("redirect answer = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if st := lease.Stats(); st.Requests != 2 || st.Blocked != 0 || st.BytesSent != 2 || st.BytesReceived <= int64(len("media bytes:up")) {
		t.Errorf("stats = %+v", st)
	}
}

func TestProxyAllowPrivateTunnels(t *testing.T) {
	t.Parallel()
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("over tls"))
	}))
	defer target.Close()
	_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}})
	pu, _ := url.Parse(lease.URL())
	tr := &http.Transport{
		Proxy:           http.ProxyURL(pu),
		TLSClientConfig: target.Client().Transport.(*http.Transport).TLSClientConfig.Clone(),
	}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for range 2 { // a second request reuses the tunnel
		resp, err := c.Get(target.URL)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp.Body); body != "over tls" {
			t.Errorf("body = %q", body)
		}
		resp.Body.Close()
	}
	if st := lease.Stats(); st.BytesSent == 0 || st.BytesReceived == 0 {
		t.Errorf("tunnel bytes not counted: %+v", st)
	}
}
