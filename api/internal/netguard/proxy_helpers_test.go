package netguard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// startProxy runs a proxy for the test and returns it with a lease.
func startProxy(t *testing.T, cfg ProxyConfig) (*Proxy, *Lease) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.Policy == nil {
		cfg.Policy = Guard{}
	}
	p, err := NewProxy(cfg)
	if err != nil {
		t.Fatalf("NewProxy: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	lease, err := p.Lease("test-1")
	if err != nil {
		t.Fatalf("Lease: %v", err)
	}
	return p, lease
}

// proxyClient is an HTTP client that goes through the lease's proxy URL.
func proxyClient(t *testing.T, lease *Lease) *http.Client {
	t.Helper()
	pu, err := url.Parse(lease.URL())
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{Proxy: http.ProxyURL(pu), DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// rawConnect sends a CONNECT for target on a fresh connection to the proxy and
// returns the response and the connection (open when the answer was 200).
func rawConnect(t *testing.T, proxyAddr, target, auth string) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", proxyAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if auth != "" {
		req += "Proxy-Authorization: " + auth + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatalf("reading CONNECT answer: %v", err)
	}
	return resp, conn, br
}

// leaseAuth is the Proxy-Authorization value for a lease.
func leaseAuth(t *testing.T, l *Lease) string {
	t.Helper()
	u, _ := url.Parse(l.URL())
	req := &http.Request{Header: http.Header{}}
	pass, _ := u.User.Password()
	req.SetBasicAuth(u.User.Username(), pass)
	return req.Header.Get("Authorization")
}

// mapDialer records what the proxy dials and routes chosen addresses to
// local listeners, so a "public" address can be served by a test server.
type mapDialer struct {
	mu     sync.Mutex
	routes map[string]string
	dialed []string
}

func (m *mapDialer) route(from, to string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.routes == nil {
		m.routes = map[string]string{}
	}
	m.routes[from] = to
}

func (m *mapDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	m.mu.Lock()
	m.dialed = append(m.dialed, addr)
	to, ok := m.routes[addr]
	m.mu.Unlock()
	if ok {
		addr = to
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (m *mapDialer) dials() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.dialed...)
}

// fakeUpstream is a minimal CONNECT proxy that records what it was asked.
type fakeUpstream struct {
	ln       net.Listener
	mu       sync.Mutex
	targets  []string
	auths    []string
	wg       sync.WaitGroup
	requests int
}

func startFakeUpstream(t *testing.T) *fakeUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &fakeUpstream{ln: ln}
	u.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u.wg.Go(func() { u.serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); u.wg.Wait() })
	return u
}

func (u *fakeUpstream) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	u.mu.Lock()
	u.requests++
	u.targets = append(u.targets, req.Host)
	u.auths = append(u.auths, req.Header.Get("Proxy-Authorization"))
	u.mu.Unlock()
	if req.Method != http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	dst, err := net.Dial("tcp", req.Host)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer dst.Close()
	io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\n")
	splice(c, br, dst)
}

func (u *fakeUpstream) seen() ([]string, []string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.targets...), append([]string(nil), u.auths...)
}

// startFakeSOCKS5 is a minimal SOCKS5 server (no auth or user/password) that
// records the CONNECT targets it was asked for.
func startFakeSOCKS5(t *testing.T, user, pass string) (addr string, targets func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	var wg sync.WaitGroup
	serve := func(c net.Conn) error {
		defer c.Close()
		br := bufio.NewReader(c)
		head := make([]byte, 2)
		if _, err := io.ReadFull(br, head); err != nil {
			return err
		}
		methods := make([]byte, head[1])
		if _, err := io.ReadFull(br, methods); err != nil {
			return err
		}
		if user == "" {
			c.Write([]byte{5, 0})
		} else {
			c.Write([]byte{5, 2})
			b := make([]byte, 2)
			io.ReadFull(br, b)
			u := make([]byte, b[1])
			io.ReadFull(br, u)
			io.ReadFull(br, b[:1])
			pw := make([]byte, b[0])
			io.ReadFull(br, pw)
			if string(u) != user || string(pw) != pass {
				c.Write([]byte{1, 1})
				return errors.New("bad credentials")
			}
			c.Write([]byte{1, 0})
		}
		req := make([]byte, 4)
		if _, err := io.ReadFull(br, req); err != nil {
			return err
		}
		var ip net.IP
		switch req[3] {
		case 1:
			ip = make(net.IP, 4)
		case 4:
			ip = make(net.IP, 16)
		default:
			c.Write([]byte{5, 8, 0, 1, 0, 0, 0, 0, 0, 0}) // names are not for us
			return errors.New("name request")
		}
		io.ReadFull(br, ip)
		port := make([]byte, 2)
		io.ReadFull(br, port)
		target := net.JoinHostPort(ip.String(), fmt.Sprint(int(port[0])<<8|int(port[1])))
		mu.Lock()
		seen = append(seen, target)
		mu.Unlock()
		dst, err := net.Dial("tcp", target)
		if err != nil {
			c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
			return err
		}
		defer dst.Close()
		c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
		splice(c, br, dst)
		return nil
	}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { _ = serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// splice copies both ways until either side ends.
func splice(c net.Conn, br *bufio.Reader, dst net.Conn) {
	done := make(chan struct{}, 2)
	go func() { io.Copy(dst, br); done <- struct{}{} }()
	go func() { io.Copy(c, dst); done <- struct{}{} }()
	<-done
	c.Close()
	dst.Close()
	<-done
}

// hostPort returns the host:port of a test server URL.
func hostPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func portOf(hostport string) string {
	_, port, _ := net.SplitHostPort(hostport)
	return port
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
