package netguard

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"time"
)

// ProxyConfig configures the egress proxy. Policy and Logger are required.
type ProxyConfig struct {
	// Policy checks every address before the proxy connects; usually a Guard.
	Policy Policy
	Logger *slog.Logger

	// Resolver and Dialer default to the system's; tests swap them to map
	// names to fixed addresses and those addresses to local listeners.
	Resolver Resolver
	Dialer   ContextDialer

	// Upstream is an optional proxy to chain through: http://, https://,
	// socks5:// or socks5h://, with optional credentials. Destinations are
	// still resolved and checked here, and the upstream is asked for the
	// checked address.
	Upstream *url.URL

	// ListenAddr must be a loopback address; default 127.0.0.1:0 (any port).
	ListenAddr string

	DialTimeout           time.Duration // resolve + connect, default 15s
	ResponseHeaderTimeout time.Duration // forwarded HTTP requests, default 60s
	TunnelIdleTimeout     time.Duration // CONNECT tunnels with no traffic, default 5m
}

// Proxy is the egress HTTP proxy yt-dlp is pointed at. It serves CONNECT
// tunnels and absolute-form HTTP requests for holders of a Lease, connects
// only where the Policy allows, and does not follow redirects itself: the
// client follows them, and every hop comes back through the proxy.
type Proxy struct {
	log       *slog.Logger
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport
	dialer    *guardedDialer
	idle      time.Duration

	mu     sync.Mutex
	leases map[[32]byte]*Lease
	conns  map[net.Conn]struct{} // hijacked connections, closed by Close
	closed bool
	// viaTransports are the forwarding transports of leases with their
	// own upstream, one per upstream.
	viaTransports map[string]*http.Transport
	tunnels       sync.WaitGroup
	// childServers are the leases' child ports being served.
	childServers sync.WaitGroup

	closeOnce sync.Once
}

// NewProxy listens on a loopback port and returns the proxy; call Run to
// serve and Close (or cancel Run's context) to stop.
func NewProxy(cfg ProxyConfig) (*Proxy, error) {
	if cfg.Policy == nil || cfg.Logger == nil {
		return nil, errors.New("netguard: ProxyConfig needs a Policy and a Logger")
	}
	if cfg.Resolver == nil {
		cfg.Resolver = &net.Resolver{}
	}
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{KeepAlive: 30 * time.Second}
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	cfg.DialTimeout = orDefault(cfg.DialTimeout, 15*time.Second)
	cfg.ResponseHeaderTimeout = orDefault(cfg.ResponseHeaderTimeout, 60*time.Second)
	cfg.TunnelIdleTimeout = orDefault(cfg.TunnelIdleTimeout, 5*time.Minute)

	var up *upstream
	if cfg.Upstream != nil {
		var err error
		if up, err = newUpstream(cfg.Upstream); err != nil {
			return nil, err
		}
	}
	listen, err := netip.ParseAddrPort(cfg.ListenAddr)
	if err != nil || !listen.Addr().IsLoopback() {
		return nil, fmt.Errorf("netguard: proxy listen address %q must be a loopback ip:port", cfg.ListenAddr)
	}
	ln, err := net.Listen("tcp", listen.String())
	if err != nil {
		return nil, fmt.Errorf("netguard: listen: %w", err)
	}
	p := &Proxy{
		log:    cfg.Logger.With("component", "egress-proxy"),
		ln:     ln,
		idle:   cfg.TunnelIdleTimeout,
		leases: make(map[[32]byte]*Lease),
		conns:  make(map[net.Conn]struct{}),
	}
	p.dialer = &guardedDialer{
		policy:   cfg.Policy,
		resolver: cfg.Resolver,
		dialer:   cfg.Dialer,
		upstream: up,
		self:     ln.Addr().(*net.TCPAddr).AddrPort(),
		timeout:  cfg.DialTimeout,
	}
	p.transport = &http.Transport{
		Proxy: nil, // never the environment's: everything goes through the guarded dialer
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return p.dialer.dial(ctx, addr)
		},
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: cfg.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		DisableCompression:    true, // pass encodings through untouched
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 15 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(p.log.Handler(), slog.LevelDebug),
	}
	if up != nil {
		p.log.Info("egress proxy chains through an upstream proxy", "upstream", up.String())
	}
	return p, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Addr is the proxy's listen address, "127.0.0.1:PORT".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Run serves until ctx is canceled or Close is called, then returns nil; it
// returns an error only if serving fails.
func (p *Proxy) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- p.srv.Serve(p.ln) }()
	select {
	case <-ctx.Done():
		_ = p.Close()
		<-errc
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("netguard: serve: %w", err)
	}
}

// Close stops the proxy: the listener, every open connection and tunnel.
// It waits for tunnels to wind down and revokes all leases.
func (p *Proxy) Close() error {
	var err error
	p.closeOnce.Do(func() {
		err = p.srv.Close()
		if lerr := p.ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) && err == nil {
			err = lerr
		}
		p.mu.Lock()
		p.closed = true
		for c := range p.conns {
			_ = c.Close()
		}
		leases := make([]*Lease, 0, len(p.leases))
		for _, l := range p.leases {
			leases = append(leases, l)
		}
		clear(p.leases)
		p.mu.Unlock()
		for _, l := range leases {
			l.closeChild()
		}
		p.childServers.Wait()
		p.transport.CloseIdleConnections()
		p.tunnels.Wait()
	})
	return err
}

// ServeHTTP authenticates the lease and serves CONNECT or forwards.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lease := p.authenticate(r)
	if lease == nil {
		w.Header().Set("Proxy-Authenticate", `Basic realm="downlink egress"`)
		http.Error(w, "proxy authentication required", http.StatusProxyAuthRequired)
		return
	}
	p.serveLease(w, r, lease)
}

// serveLease serves one request of lease: through the main port with its
// credentials, or through its child port.
func (p *Proxy) serveLease(w http.ResponseWriter, r *http.Request, lease *Lease) {
	lease.requests.Add(1)
	if lease.up != nil {
		r = r.WithContext(context.WithValue(r.Context(), upstreamKey{}, lease.up))
	}
	switch {
	case r.Method == http.MethodConnect:
		p.serveConnect(w, r, lease)
	case r.URL.IsAbs() && (r.URL.Scheme == "http" || r.URL.Scheme == "https"):
		p.serveForward(w, r, lease)
	default:
		http.Error(w, "this is a proxy: send CONNECT or an absolute http(s) URL", http.StatusBadRequest)
	}
}

// track registers a hijacked connection so Close can end it; false when the
// proxy is already closed (the caller closes the connection).
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	p.tunnels.Add(1)
	return true
}

func (p *Proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	for _, c := range conns {
		delete(p.conns, c)
	}
	p.mu.Unlock()
	p.tunnels.Done()
}
