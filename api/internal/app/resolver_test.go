package app

import (
	"net/netip"
	"testing"
)

// The egress guard's one exception is the PO-token provider's host and
// port; every other private destination stays refused.
func TestLiveGuardPOTokenException(t *testing.T) {
	provider := "http://bgutil:4416"
	g := liveGuard{allowPrivate: func() bool { return false }, exception: func() string { return provider }}
	sidecar := netip.MustParseAddrPort("172.18.0.5:4416")
	if err := g.CheckDestination("bgutil", sidecar); err != nil {
		t.Errorf("provider refused: %v", err)
	}
	for _, tc := range []struct {
		host string
		dst  string
	}{
		{"bgutil", "172.18.0.5:4417"},   // another port on the provider
		{"postgres", "172.18.0.5:4416"}, // another name, same address
		{"", "172.18.0.5:4416"},         // an address asked for directly
		{"metadata", "169.254.169.254:80"},
	} {
		if err := g.CheckDestination(tc.host, netip.MustParseAddrPort(tc.dst)); err == nil {
			t.Errorf("%s %s allowed", tc.host, tc.dst)
		}
	}
	provider = "http://localhost:4416"
	if err := g.CheckHostName("localhost"); err != nil {
		t.Errorf("provider name refused: %v", err)
	}
	provider = ""
	if err := g.CheckDestination("bgutil", sidecar); err == nil {
		t.Error("no provider configured, still allowed")
	}
	if err := g.CheckHostName("localhost"); err == nil {
		t.Error("localhost allowed without a provider")
	}
}
