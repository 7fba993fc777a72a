package webhooks

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/downlink/downlink/api/internal/netguard"
)

// policyKey carries the connect-time policy of one attempt to the dialer.
type policyKey struct{}

// hostKey carries the host name being dialled to the address check, so a
// refusal names it.
type hostKey struct{}

// newClient builds the HTTP client deliveries go through. Its dialer
// refuses local names before DNS and checks each resolved address in the
// socket's Control hook, right before connect(2): what is checked is what
// is connected to, so DNS rebinding cannot slip past. Redirects are not
// followed (a 3xx is a failed attempt) and proxies from the environment
// are ignored, since a proxy would connect on our behalf unchecked.
// Connections are not kept alive: each attempt dials (and is checked)
// under the policy in force for it.
func (s *Service) newClient() *http.Client {
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		ControlContext: func(ctx context.Context, network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			host, _ := ctx.Value(hostKey{}).(string)
			return policyFrom(ctx).CheckDestination(host, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
		},
	}
	transport := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if hc, ok := policyFrom(ctx).(netguard.HostNameChecker); ok {
				if err := hc.CheckHostName(host); err != nil {
					return nil, err
				}
			}
			return dialer.DialContext(context.WithValue(ctx, hostKey{}, host), network, addr)
		},
		ForceAttemptHTTP2:     true,
		DisableKeepAlives:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: s.timeout,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// policyFrom returns the attempt's policy; without one, everything
// non-public is refused.
func policyFrom(ctx context.Context) netguard.Policy {
	if p, ok := ctx.Value(policyKey{}).(netguard.Policy); ok && p != nil {
		return p
	}
	return netguard.Guard{}
}

// withPolicy sets the connect-time policy for an attempt: the guard as
// configured now, or the tests' override.
func (s *Service) withPolicy(ctx context.Context) context.Context {
	var p netguard.Policy = s.guard(ctx)
	if s.dialPolicy != nil {
		p = s.dialPolicy
	}
	return context.WithValue(ctx, policyKey{}, p)
}
