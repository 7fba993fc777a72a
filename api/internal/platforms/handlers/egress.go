package handlers

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/netguard"
)

// Egress hands out leases on the SSRF-guarding egress proxy.
type Egress interface {
	LeaseVia(jobID string, upstream *url.URL) (*netguard.Lease, error)
}

// Policy gives a platform's settings (its upstream proxy).
type Policy interface {
	Platform(ctx context.Context, platform string) downloads.PlatformPolicy
}

// egressConn is an HTTP client whose requests leave through the egress
// proxy under one lease, with the proxy URL for a yt-dlp child process.
type egressConn struct {
	Client *http.Client
	// ProxyURL is the lease's child port for a child process (no
	// credentials; "" without a proxy).
	ProxyURL string
	release  func()
}

// Close revokes the lease.
func (c *egressConn) Close() { c.release() }

// dialEgress leases the egress proxy for jobID (chained through the
// platform's own proxy when one is set). Without an egress proxy (unit
// tests) the client goes direct.
func dialEgress(ctx context.Context, egress Egress, policy Policy, platform, jobID string, timeout time.Duration) (*egressConn, error) {
	if egress == nil {
		return &egressConn{Client: &http.Client{Timeout: timeout}, release: func() {}}, nil
	}
	var upstream *url.URL
	if policy != nil {
		upstream = policy.Platform(ctx, platform).Proxy
	}
	lease, err := egress.LeaseVia(jobID, upstream)
	if err != nil {
		return nil, err
	}
	proxy, err := url.Parse(lease.URL())
	if err != nil {
		lease.Close()
		return nil, err
	}
	child, err := lease.ChildURL()
	if err != nil {
		lease.Close()
		return nil, err
	}
	tr := &http.Transport{Proxy: http.ProxyURL(proxy), TLSHandshakeTimeout: 15 * time.Second,
		ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 2}
	return &egressConn{Client: &http.Client{Timeout: timeout, Transport: tr}, ProxyURL: child, release: func() {
		tr.CloseIdleConnections()
		lease.Close()
	}}, nil
}

// leasedClient is an HTTP client whose requests leave through a lease the
// engine already holds (a MediaFetcher's FetchRun.Settings.ProxyURL);
// without one (unit tests) it goes direct. The caller closes idle
// connections with the returned func.
func leasedClient(proxyURL string, timeout time.Duration) (*http.Client, func(), error) {
	tr := &http.Transport{TLSHandshakeTimeout: 15 * time.Second, ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 2}
	if proxyURL != "" {
		proxy, err := url.Parse(proxyURL)
		if err != nil {
			return nil, nil, err
		}
		tr.Proxy = http.ProxyURL(proxy)
	}
	return &http.Client{Transport: tr}, tr.CloseIdleConnections, nil
}
