package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/downlink/downlink/api/internal/netguard"
)

// policyKey carries the connect-time policy of one attempt to the dialer.
type policyKey struct{}

// newClient builds the HTTP client deliveries go through. Its dialer
// refuses local names before DNS, resolves the host itself, checks every
// address with the attempt's policy and connects to a checked address,
// never to the name, so a second DNS answer cannot differ from the checked
// one (DNS rebinding). Redirects are not followed (a 3xx is a failed
// attempt), proxies from the environment are ignored (a proxy would connect
// on our behalf, unchecked), and connections are not kept alive, so each
// attempt dials under the policy in force for it.
func (s *Service) newClient() *http.Client {
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           s.dial,
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

// dial connects to hostport after checking where it leads.
func (s *Service) dial(ctx context.Context, network, hostport string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return nil, fmt.Errorf("bad port %q", portText)
	}
	policy := policyFrom(ctx)
	if hc, ok := policy.(netguard.HostNameChecker); ok {
		if err := hc.CheckHostName(host); err != nil {
			return nil, err
		}
	}
	addrs, err := s.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	dsts := make([]netip.AddrPort, 0, len(addrs))
	for _, a := range addrs {
		dst := netip.AddrPortFrom(a.Unmap().WithZone(""), uint16(port))
		// One refused address refuses the name: a mix of public and private
		// answers is how rebinding attacks pick their moment.
		if err := policy.CheckDestination(host, dst); err != nil {
			return nil, err
		}
		dsts = append(dsts, dst)
	}
	var lastErr error
	for _, dst := range dsts {
		conn, err := s.dialer.DialContext(ctx, "tcp", dst.String())
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func (s *Service) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, ok := netguard.ParseHost(host); ok {
		return []netip.Addr{a}, nil
	}
	addrs, err := s.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return nil, fmt.Errorf("host %s not found", host)
		}
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("host %s has no addresses", host)
	}
	return addrs, nil
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
