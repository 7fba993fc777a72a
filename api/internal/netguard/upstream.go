package netguard

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"golang.org/x/net/proxy"
)

// errUpstream marks failures of the configured upstream proxy (502).
var errUpstream = errors.New("netguard: upstream proxy")

// upstream is a proxy the guarded dialer chains through. The destination
// has already been checked; the upstream is asked for the checked address
// (CONNECT ip:port, or a SOCKS5 request for the address), never for the
// name, so it cannot resolve the name to somewhere else.
type upstream struct {
	scheme     string // http, https or socks5
	addr       string // host:port of the upstream proxy
	serverName string // TLS name for https upstreams
	user, pass string // credentials, if the URL has them
	authHeader string // Proxy-Authorization for http(s) upstreams
}

// newUpstream checks and parses an upstream proxy URL:
// http://, https:// (CONNECT) or socks5://, socks5h:// (SOCKS5), with
// optional user:password.
func newUpstream(u *url.URL) (*upstream, error) {
	up := &upstream{scheme: u.Scheme, serverName: u.Hostname()}
	defaultPort := ""
	switch u.Scheme {
	case "http":
		defaultPort = "80"
	case "https":
		defaultPort = "443"
	case "socks5", "socks5h":
		up.scheme, defaultPort = "socks5", "1080"
	default:
		return nil, fmt.Errorf("netguard: upstream proxy scheme %q is not http, https, socks5 or socks5h", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("netguard: upstream proxy URL has no host")
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	up.addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		pass, _ := u.User.Password()
		up.user, up.pass = u.User.Username(), pass
		cred := up.user + ":" + pass
		up.authHeader = "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
	}
	return up, nil
}

// String names the upstream without its credentials, for logs.
func (up *upstream) String() string { return up.scheme + "://" + up.addr }

func (up *upstream) dial(ctx context.Context, d ContextDialer, dst netip.AddrPort) (net.Conn, error) {
	if up.scheme != "socks5" {
		return up.connect(ctx, d, dst)
	}
	// golang.org/x/net/proxy speaks SOCKS5 (RFC 1928, user/password of RFC
	// 1929); given an IP:port it asks for the address, never a name.
	var auth *proxy.Auth
	if up.user != "" {
		auth = &proxy.Auth{User: up.user, Password: up.pass}
	}
	socks, err := proxy.SOCKS5("tcp", up.addr, auth, forwardDialer{d})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errUpstream, up.addr, err)
	}
	conn, err := socks.(proxy.ContextDialer).DialContext(ctx, "tcp", dst.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errUpstream, up.addr, err)
	}
	return conn, nil
}

// forwardDialer lets proxy.SOCKS5 reach the upstream through our dialer
// (it calls DialContext when there is one).
type forwardDialer struct{ d ContextDialer }

func (f forwardDialer) Dial(network, addr string) (net.Conn, error) {
	return f.d.DialContext(context.Background(), network, addr)
}

func (f forwardDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f.d.DialContext(ctx, network, addr)
}

// connect opens a CONNECT tunnel to dst through an http(s) upstream.
func (up *upstream) connect(ctx context.Context, d ContextDialer, dst netip.AddrPort) (net.Conn, error) {
	conn, err := d.DialContext(ctx, "tcp", up.addr)
	if err != nil {
		return nil, fmt.Errorf("%w: dial %s: %w", errUpstream, up.addr, err)
	}
	if up.scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: up.serverName, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%w: tls %s: %w", errUpstream, up.addr, err)
		}
		conn = tc
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	target := dst.String()
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if up.authHeader != "" {
		req += "Proxy-Authorization: " + up.authHeader + "\r\n"
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: write CONNECT: %w", errUpstream, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: read CONNECT answer: %w", errUpstream, err)
	}
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, fmt.Errorf("%w: %s answered CONNECT with %s", errUpstream, up.addr, resp.Status)
	}
	_ = conn.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn keeps bytes an upstream sent right after its CONNECT answer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// CloseWrite passes half-closes through to the wrapped connection.
func (c *bufferedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
