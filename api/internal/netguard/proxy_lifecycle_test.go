package netguard

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestProxyLogsNoSecrets(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := NewProxy(ProxyConfig{Policy: Guard{}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	lease, _ := p.Lease("job-42")
	c := proxyClient(t, lease)
	resp, err := c.Get(target.URL + "/path?token=query-secret")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	logger.Info("lease handed out", "lease", lease)
	cancel()
	<-done
	logs := buf.String()
	token, _ := mustUser(lease.URL()).Password()
	for _, secret := range []string{token, "query-secret", "/path"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "job-42") || !strings.Contains(logs, "egress blocked") {
		t.Errorf("logs do not attribute the refusal to the job:\n%s", logs)
	}
}

func TestProxyCloseEndsTunnels(t *testing.T) {
	t.Parallel()
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	p, err := NewProxy(ProxyConfig{Policy: Guard{AllowPrivate: true}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- p.Run(context.Background()) }()
	lease, _ := p.Lease("j")
	resp, conn, br := rawConnect(t, p.Addr(), echo.Addr().String(), leaseAuth(t, lease))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT = %s", resp.Status)
	}
	io.WriteString(conn, "ping")
	buf := make([]byte, 4)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo through tunnel = %q, %v", buf, err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run after Close: %v", err)
	}
	if _, err := br.ReadByte(); err == nil {
		t.Error("tunnel still open after Close")
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Error("still listening after Close")
	}
}

func TestProxyTunnelIdleTimeout(t *testing.T) {
	t.Parallel()
	quiet, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	go func() {
		c, err := quiet.Accept()
		if err == nil {
			defer c.Close()
			io.Copy(io.Discard, c)
		}
	}()
	p, lease := startProxy(t, ProxyConfig{Policy: Guard{AllowPrivate: true}, TunnelIdleTimeout: 200 * time.Millisecond})
	resp, _, br := rawConnect(t, p.Addr(), quiet.Addr().String(), leaseAuth(t, lease))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT = %s", resp.Status)
	}
	start := time.Now()
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("read data from a silent server")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("idle tunnel closed after %v", d)
	}
}

func TestNewProxyConfig(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.DiscardHandler)
	for name, cfg := range map[string]ProxyConfig{
		"no policy":        {Logger: logger},
		"no logger":        {Policy: Guard{}},
		"public listen":    {Policy: Guard{}, Logger: logger, ListenAddr: "0.0.0.0:0"},
		"name listen":      {Policy: Guard{}, Logger: logger, ListenAddr: "localhost:0"},
		"upstream scheme":  {Policy: Guard{}, Logger: logger, Upstream: &url.URL{Scheme: "ftp", Host: "x:1"}},
		"upstream no host": {Policy: Guard{}, Logger: logger, Upstream: &url.URL{Scheme: "http"}},
	} {
		t.Run(name, func(t *testing.T) {
			if p, err := NewProxy(cfg); err == nil {
				p.Close()
				t.Fatal("NewProxy accepted the config")
			}
		})
	}
}

func TestLease(t *testing.T) {
	t.Parallel()
	p, err := NewProxy(ProxyConfig{Policy: Guard{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, id := range []string{"", "a b", "a:b", "a@b", "ä", strings.Repeat("x", 129)} {
		if _, err := p.Lease(id); err != ErrInvalidJobID {
			t.Errorf("Lease(%q) err = %v, want ErrInvalidJobID", id, err)
		}
	}
	a, _ := p.Lease("0193a4b2-7c1d-7e8f-9a0b-1c2d3e4f5a6b")
	b, _ := p.Lease("0193a4b2-7c1d-7e8f-9a0b-1c2d3e4f5a6b")
	u, err := url.Parse(a.URL())
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	if u.Scheme != "http" || u.Host != p.Addr() || u.User.Username() != "job-0193a4b2-7c1d-7e8f-9a0b-1c2d3e4f5a6b" || len(pass) < 20 {
		t.Errorf("lease URL = %s", a.URL())
	}
	if a.URL() == b.URL() {
		t.Error("two leases share a token")
	}
	if strings.Contains(a.String(), pass) || strings.Contains(a.LogValue().String(), pass) {
		t.Error("String/LogValue leak the token")
	}
}

func TestProxyForwardedHTTPS(t *testing.T) {
	t.Parallel()
	// Some clients send absolute https URLs to a plain proxy; the forwarder
	// speaks TLS itself through the guarded dialer.
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("tls upstream"))
	}))
	defer target.Close()
	p, err := NewProxy(ProxyConfig{Policy: Guard{AllowPrivate: true}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	p.transport.TLSClientConfig = target.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	go p.Run(context.Background())
	defer p.Close()
	lease, _ := p.Lease("j")

	req, _ := http.NewRequest(http.MethodGet, target.URL+"/", nil)
	req.Header.Set("Proxy-Authorization", leaseAuth(t, lease))
	conn, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := req.WriteProxy(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body := readAll(t, resp.Body); body != "tls upstream" {
		t.Errorf("body = %q (%s)", body, resp.Status)
	}
}
