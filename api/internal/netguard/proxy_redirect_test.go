package netguard

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestProxyRedirectToBlockedHost plays the real attack: an allowed, public
// looking host answers with a redirect to a local one. The resolver and
// dialer seams make "good.test" public (93.184.215.14, served by a local
// test server) while "evil.test" resolves to loopback.
func TestProxyRedirectToBlockedHost(t *testing.T) {
	t.Parallel()
	secret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the redirect reached the blocked host")
	}))
	defer secret.Close()
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "http://evil.test:"+portOf(hostPort(t, secret.URL))+"/latest/meta-data/", http.StatusFound)
		case "/ok":
			w.Write([]byte("fine"))
		}
	}))
	defer good.Close()

	res := newFakeResolver(map[string]string{"good.test": "93.184.215.14", "evil.test": "127.0.0.1"})
	dialer := &mapDialer{}
	dialer.route("93.184.215.14:80", hostPort(t, good.URL))
	_, lease := startProxy(t, ProxyConfig{Policy: Guard{}, Resolver: res, Dialer: dialer})
	c := proxyClient(t, lease) // follows redirects, each through the proxy

	resp, err := c.Get("http://good.test/ok")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp.Body); body != "fine" {
		t.Fatalf("allowed host answered %d %q", resp.StatusCode, body)
	}
	resp.Body.Close()

	resp, err = c.Get("http://good.test/start")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Request.URL.Host != "evil.test:"+portOf(hostPort(t, secret.URL)) {
		t.Errorf("last hop = %s, want the redirect target", resp.Request.URL)
	}
	assertBlocked(t, resp, ReasonLoopback)
	for _, d := range dialer.dials() {
		if _, err := netip.ParseAddrPort(d); err != nil {
			t.Errorf("proxy dialed %q, not a checked address", d)
		}
	}
}

// TestProxyCustomPolicy shows the Policy seam: one loopback port allowed,
// another refused, and a redirect from the first to the second.
func TestProxyCustomPolicy(t *testing.T) {
	t.Parallel()
	blocked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("reached the refused port")
	}))
	defer blocked.Close()
	allowed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, blocked.URL+"/x", http.StatusMovedPermanently)
	}))
	defer allowed.Close()
	allowedPort := portOf(hostPort(t, allowed.URL))
	policy := PolicyFunc(func(host string, dst netip.AddrPort) error {
		if dst.Addr().IsLoopback() && portOf(dst.String()) == allowedPort {
			return nil
		}
		return &BlockedError{Host: host, Addr: dst.Addr(), Reason: ReasonPolicy}
	})
	_, lease := startProxy(t, ProxyConfig{Policy: policy})
	resp, err := proxyClient(t, lease).Get(allowed.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	assertBlocked(t, resp, ReasonPolicy)
}

// TestProxyDNSRebinding: the same name first resolves to a public address,
// then to loopback. Each tunnel is checked against its own answer and
// connects to exactly the address it checked.
func TestProxyDNSRebinding(t *testing.T) {
	t.Parallel()
	local := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer local.Close()
	res := newFakeResolver(nil)
	res.add("rebind.test", "93.184.215.14")
	res.add("rebind.test", "127.0.0.1")
	dialer := &mapDialer{}
	dialer.route("93.184.215.14:443", hostPort(t, local.URL))
	p, lease := startProxy(t, ProxyConfig{Policy: Guard{}, Resolver: res, Dialer: dialer})

	resp, _, _ := rawConnect(t, p.Addr(), "rebind.test:443", leaseAuth(t, lease))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first CONNECT = %s", resp.Status)
	}
	resp, _, _ = rawConnect(t, p.Addr(), "rebind.test:443", leaseAuth(t, lease))
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get(BlockedHeader) != string(ReasonLoopback) {
		t.Fatalf("second CONNECT = %s, want refused as loopback", resp.Status)
	}
	if got := dialer.dials(); len(got) != 1 || got[0] != "93.184.215.14:443" {
		t.Errorf("dialed %v, want only the checked public address", got)
	}
}

func TestProxyRefusesItself(t *testing.T) {
	t.Parallel()
	p, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}})
	resp, err := proxyClient(t, lease).Get("http://" + p.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	assertBlocked(t, resp, ReasonProxySelf)
}

func TestProxyBadTargets(t *testing.T) {
	t.Parallel()
	p, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}, Resolver: newFakeResolver(nil)})
	for _, tt := range []struct {
		target string
		want   int
	}{
		{"no-port", http.StatusBadRequest},
		{"example.test:0", http.StatusBadRequest},
		{"unknown.test:443", http.StatusBadGateway},
	} {
		resp, _, _ := rawConnect(t, p.Addr(), tt.target, leaseAuth(t, lease))
		if resp.StatusCode != tt.want {
			t.Errorf("CONNECT %s = %s, want %d", tt.target, resp.Status, tt.want)
		}
	}
}

// TestProxyFallsBackToNextAddress: when the first checked address does not
// answer, the next one is tried.
func TestProxyFallsBackToNextAddress(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("second address"))
	}))
	defer target.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	res := newFakeResolver(map[string]string{"multi.test": "93.184.215.14,2606:2800:21f:cb07:6820:80da:af6b:8b2c"})
	dialer := &mapDialer{}
	dialer.route("93.184.215.14:80", closedAddr)
	dialer.route("[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:80", hostPort(t, target.URL))
	_, lease := startProxy(t, ProxyConfig{Policy: Guard{}, Resolver: res, Dialer: dialer})
	resp, err := proxyClient(t, lease).Get("http://multi.test/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body := readAll(t, resp.Body); body != "second address" {
		t.Fatalf("answer = %s %q", resp.Status, body)
	}
	if got := dialer.dials(); len(got) != 2 {
		t.Errorf("dialed %v, want both addresses in order", got)
	}
}
