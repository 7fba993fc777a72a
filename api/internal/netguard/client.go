package netguard

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"time"
)

// ClientConfig configures NewClient. Policy is required.
type ClientConfig struct {
	// Policy checks every address before a connection; usually a Guard.
	Policy Policy
	// Resolver and Dialer default to the system's (tests swap them).
	Resolver Resolver
	Dialer   ContextDialer
	// Timeout bounds a whole request (default 30s); DialTimeout a resolve
	// and connect (default 15s).
	Timeout, DialTimeout time.Duration
}

// NewClient returns an HTTP client for requests Downlink makes itself to
// addresses an admin configured (the Spotify Web API and accounts
// service): every connection, redirects included, goes through the same
// guarded dialer as the egress proxy — the name resolved here, every
// address checked by the policy, the connection made to a checked
// address — and never through the environment's proxy. A refused
// destination fails the request before a byte is sent; the error wraps
// the *BlockedError.
func NewClient(cfg ClientConfig) (*http.Client, error) {
	if cfg.Policy == nil {
		return nil, errors.New("netguard: ClientConfig needs a Policy")
	}
	if cfg.Resolver == nil {
		cfg.Resolver = &net.Resolver{}
	}
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{KeepAlive: 30 * time.Second}
	}
	d := &guardedDialer{policy: cfg.Policy, resolver: cfg.Resolver, dialer: cfg.Dialer,
		timeout: orDefault(cfg.DialTimeout, 15*time.Second)}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return d.dial(ctx, addr)
		},
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 15 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{Transport: tr, Timeout: orDefault(cfg.Timeout, 30*time.Second)}, nil
}
