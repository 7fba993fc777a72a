package app

import (
	"context"
	"net"
	"net/netip"

	"github.com/downlink/downlink/api/internal/netguard"
)

// netDefaultResolver resolves with the system resolver.
type netDefaultResolver struct{}

func (netDefaultResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}

// liveGuard is the egress policy with the allow-private switch read from
// the settings at every connection, so changing it needs no restart.
type liveGuard struct{ allowPrivate func() bool }

func (g liveGuard) guard() netguard.Guard { return netguard.Guard{AllowPrivate: g.allowPrivate()} }

// CheckDestination implements netguard.Policy.
func (g liveGuard) CheckDestination(host string, dst netip.AddrPort) error {
	return g.guard().CheckDestination(host, dst)
}

// CheckHostName implements netguard.HostNameChecker.
func (g liveGuard) CheckHostName(host string) error { return g.guard().CheckHostName(host) }
