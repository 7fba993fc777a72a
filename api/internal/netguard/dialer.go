package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// ContextDialer opens network connections; *net.Dialer satisfies it.
type ContextDialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// errBadTarget marks a destination the proxy cannot even try (no host, bad
// port): the client's mistake, answered with 400.
var errBadTarget = errors.New("netguard: bad proxy target")

// guardedDialer is the only way the proxy reaches the outside: it resolves
// the name itself, checks every address and connects to a checked address,
// never to the name, so a second DNS answer cannot differ from the checked
// one (DNS rebinding).
type guardedDialer struct {
	policy   Policy
	resolver Resolver
	dialer   ContextDialer
	upstream *upstream // nil: connect directly
	self     netip.AddrPort
	timeout  time.Duration
}

// dial connects to hostport ("host:port", host possibly bracketed IPv6).
func (d *guardedDialer) dial(ctx context.Context, hostport string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil || host == "" {
		return nil, fmt.Errorf("%w: %q", errBadTarget, hostport)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return nil, fmt.Errorf("%w: port %q", errBadTarget, portText)
	}
	if hc, ok := d.policy.(HostNameChecker); ok {
		if err := hc.CheckHostName(host); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()

	addrs, err := d.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	dsts := make([]netip.AddrPort, 0, len(addrs))
	for _, a := range addrs {
		dst := netip.AddrPortFrom(a.Unmap().WithZone(""), uint16(port))
		if dst == d.self {
			return nil, &BlockedError{Host: host, Addr: dst.Addr(), Reason: ReasonProxySelf}
		}
		// Any refused address refuses the name: a mix of public and private
		// answers is how rebinding attacks pick their moment.
		if err := d.policy.CheckDestination(host, dst); err != nil {
			return nil, err
		}
		dsts = append(dsts, dst)
	}
	var lastErr error
	for i, dst := range dsts {
		conn, err := d.connectWithin(ctx, dst, len(dsts)-i)
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

// connectWithin gives one attempt its share of the time left, so an
// unreachable first address (IPv6 without a route) cannot use it all up.
func (d *guardedDialer) connectWithin(ctx context.Context, dst netip.AddrPort, attemptsLeft int) (net.Conn, error) {
	if deadline, ok := ctx.Deadline(); ok && attemptsLeft > 1 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/time.Duration(attemptsLeft))
		defer cancel()
	}
	return d.connect(ctx, dst)
}

func (d *guardedDialer) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, ok := ParseHost(host); ok {
		return []netip.Addr{a}, nil
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("netguard: resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return addrs, nil
}

func (d *guardedDialer) connect(ctx context.Context, dst netip.AddrPort) (net.Conn, error) {
	if up, ok := ctx.Value(upstreamKey{}).(*upstream); ok && up != nil {
		return up.dial(ctx, d.dialer, dst)
	}
	if d.upstream != nil {
		return d.upstream.dial(ctx, d.dialer, dst)
	}
	return d.dialer.DialContext(ctx, "tcp", dst.String())
}

// upstreamKey carries a lease's own upstream through a request's context.
type upstreamKey struct{}
