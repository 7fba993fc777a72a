package netguard

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
	"time"
)

// TestChildURL: a lease's child port carries no credentials (a command
// line is public), serves the lease's requests under the same guard, and
// is closed with the lease.
func TestChildURL(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
	}))
	defer target.Close()
	p, lease := startProxy(t, ProxyConfig{Policy: PolicyFunc(func(host string, dst netip.AddrPort) error {
		if dst.Port() == 9 {
			return &BlockedError{Host: host, Addr: dst.Addr(), Reason: ReasonLoopback}
		}
		return nil
	})})
	raw, err := lease.ChildURL()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.User != nil || u.Host == p.Addr() {
		t.Fatalf("child URL %s: want a port of its own without credentials", raw)
	}
	if again, _ := lease.ChildURL(); again != raw {
		t.Fatalf("second ChildURL %s, first %s", again, raw)
	}
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u), DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Get(target.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello" || lease.Stats().Requests != 1 {
		t.Fatalf("through the child port: %d %q, %d requests counted", resp.StatusCode, body, lease.Stats().Requests)
	}
	resp, err = c.Get("http://127.0.0.1:9/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || lease.Stats().Blocked != 1 {
		t.Fatalf("a refused destination through the child port: %d, %d blocked", resp.StatusCode, lease.Stats().Blocked)
	}

	lease.Close()
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		t.Fatal("the child port still accepts connections after the lease closed")
	}
	if _, err := lease.ChildURL(); err == nil {
		t.Fatal("a closed lease opened a child port")
	}
}

func TestParseProcAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000000000000000000001000000:0050": "[::1]:80",
		"0000000000000000FFFF00000100007F:0016": "127.0.0.1:22",
	} {
		got, err := parseProcAddr(in)
		if err != nil || got.String() != want {
			t.Errorf("parseProcAddr(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}
