package app

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/downlink/downlink/api/internal/netguard"
)

// netDefaultResolver resolves with the system resolver.
type netDefaultResolver struct{}

func (netDefaultResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}

// liveGuard is the egress policy with the allow-private switch read from
// the settings at every connection, so changing it needs no restart.
// exception, when set, names the one PO-token provider base URL (the
// YouTube settings' po_token_provider_url) that yt-dlp may reach even on
// a private address: exactly its host and port, nothing else there.
type liveGuard struct {
	allowPrivate func() bool
	exception    func() string
}

func (g liveGuard) guard() netguard.Guard { return netguard.Guard{AllowPrivate: g.allowPrivate()} }

// excepted reports whether host (as asked for) and port are the
// configured PO-token provider's.
func (g liveGuard) excepted(host string, port uint16) bool {
	if g.exception == nil {
		return false
	}
	raw := g.exception()
	if raw == "" {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return false
	}
	want := u.Port()
	if want == "" {
		want = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return strings.EqualFold(strings.TrimSuffix(host, "."), u.Hostname()) && (port == 0 || strconv.Itoa(int(port)) == want)
}

// CheckDestination implements netguard.Policy.
func (g liveGuard) CheckDestination(host string, dst netip.AddrPort) error {
	if g.excepted(host, dst.Port()) {
		return nil
	}
	return g.guard().CheckDestination(host, dst)
}

// CheckHostName implements netguard.HostNameChecker.
func (g liveGuard) CheckHostName(host string) error {
	if g.excepted(host, 0) {
		return nil
	}
	return g.guard().CheckHostName(host)
}
