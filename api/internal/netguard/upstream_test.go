package netguard

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestProxyChainsThroughHTTPUpstream(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("via upstream"))
	}))
	defer target.Close()
	up := startFakeUpstream(t)
	upURL := &url.URL{Scheme: "http", Host: up.ln.Addr().String(), User: url.UserPassword("corp", "s3cret")}
	port := portOf(hostPort(t, target.URL))

	t.Run("allowed target goes through the upstream by address", func(t *testing.T) {
		res := newFakeResolver(map[string]string{"app.test": "127.0.0.1"})
		_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}, Resolver: res, Upstream: upURL})
		resp, err := proxyClient(t, lease).Get("http://app.test:" + port + "/file")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if body := readAll(t, resp.Body); body != "via upstream" {
			t.Fatalf("answer = %s %q", resp.Status, body)
		}
		targets, auths := up.seen()
		if len(targets) != 1 || targets[0] != "127.0.0.1:"+port {
			t.Errorf("upstream was asked for %v, want the checked address only", targets)
		}
		if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("corp:s3cret")); len(auths) != 1 || auths[0] != want {
			t.Errorf("upstream credentials = %v", auths)
		}
	})

	t.Run("refused target never reaches the upstream", func(t *testing.T) {
		before, _ := up.seen()
		p, lease := startProxy(t, ProxyConfig{Policy: Guard{}, Upstream: upURL})
		resp, err := proxyClient(t, lease).Get(target.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		assertBlocked(t, resp, ReasonLoopback)
		cresp, _, _ := rawConnect(t, p.Addr(), "169.254.169.254:443", leaseAuth(t, lease))
		if cresp.StatusCode != http.StatusForbidden {
			t.Errorf("CONNECT to metadata = %s", cresp.Status)
		}
		if after, _ := up.seen(); len(after) != len(before) {
			t.Errorf("upstream was asked for %v", after[len(before):])
		}
	})

	t.Run("upstream refusal is a 502", func(t *testing.T) {
		_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}, Upstream: upURL})
		resp, err := proxyClient(t, lease).Get("http://127.0.0.1:1/") // nothing listens on port 1
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("status = %s, want 502", resp.Status)
		}
	})
}

func TestProxyChainsThroughSOCKS5(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("via socks"))
	}))
	defer target.Close()
	port := portOf(hostPort(t, target.URL))
	res := newFakeResolver(map[string]string{"app.test": "127.0.0.1"})

	for _, tt := range []struct {
		name, user, pass string
		scheme           string
	}{
		{"no auth", "", "", "socks5"},
		{"user and password", "u", "p", "socks5h"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr, targets := startFakeSOCKS5(t, tt.user, tt.pass)
			upURL := &url.URL{Scheme: tt.scheme, Host: addr}
			if tt.user != "" {
				upURL.User = url.UserPassword(tt.user, tt.pass)
			}
			_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}, Resolver: res, Upstream: upURL})
			resp, err := proxyClient(t, lease).Get("http://app.test:" + port + "/")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if body := readAll(t, resp.Body); body != "via socks" {
				t.Fatalf("answer = %s %q", resp.Status, body)
			}
			if got := targets(); len(got) != 1 || got[0] != "127.0.0.1:"+port {
				t.Errorf("socks server was asked for %v", got)
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		addr, _ := startFakeSOCKS5(t, "u", "p")
		upURL := &url.URL{Scheme: "socks5", Host: addr, User: url.UserPassword("u", "wrong")}
		_, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}, Upstream: upURL})
		resp, err := proxyClient(t, lease).Get(target.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("status = %s, want 502", resp.Status)
		}
	})
}

func TestLeaseViaItsOwnUpstream(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}))
	defer target.Close()
	up := startFakeUpstream(t)
	upURL := &url.URL{Scheme: "http", Host: up.ln.Addr().String()}
	p, plain := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}})
	via, err := p.LeaseVia("job-via", upURL)
	if err != nil {
		t.Fatal(err)
	}
	defer via.Close()

	get := func(l *Lease) {
		t.Helper()
		resp, err := proxyClient(t, l).Get(target.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if body := readAll(t, resp.Body); body != "hello" {
			t.Fatalf("answer = %s %q", resp.Status, body)
		}
	}
	get(plain)
	if targets, _ := up.seen(); len(targets) != 0 {
		t.Fatalf("a lease without an upstream went through one: %v", targets)
	}
	get(via)
	if targets, _ := up.seen(); len(targets) != 1 {
		t.Fatalf("the lease's upstream saw %v, want one request", targets)
	}
	get(plain)
	if targets, _ := up.seen(); len(targets) != 1 {
		t.Fatalf("a pooled connection of the upstream lease was reused without it: %v", targets)
	}
	if _, err := p.LeaseVia("job-bad", &url.URL{Scheme: "ftp", Host: "x:1"}); err == nil {
		t.Fatal("an ftp upstream was accepted")
	}
}
