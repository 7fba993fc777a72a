package app

import (
	"context"
	"net"
	"net/netip"
)

// netDefaultResolver resolves with the system resolver.
type netDefaultResolver struct{}

func (netDefaultResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}
