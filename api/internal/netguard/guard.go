package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/downlink/downlink/api/internal/problem"
)

// Resolver looks up the addresses of a host name. *net.Resolver satisfies
// it; tests hand in fixed answers.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Policy decides whether the proxy may connect to dst, one of the addresses
// host resolved to (host is the name as requested, or the address literal).
// It returns an error wrapping a *BlockedError to refuse.
type Policy interface {
	CheckDestination(host string, dst netip.AddrPort) error
}

// HostNameChecker is implemented by policies that can refuse a name before
// it is resolved (Guard refuses localhost and friends), so refused names
// never reach DNS.
type HostNameChecker interface {
	CheckHostName(host string) error
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(host string, dst netip.AddrPort) error

// CheckDestination calls f.
func (f PolicyFunc) CheckDestination(host string, dst netip.AddrPort) error { return f(host, dst) }

// Guard refuses hosts and addresses that are not public. The zero value is
// the safe production setting.
type Guard struct {
	// AllowPrivate lifts the refusals a home lab or a test needs lifted
	// (loopback, private, link-local, CGNAT, … see Reason.LiftedByAllowPrivate).
	// Metadata endpoints, multicast and unspecified addresses stay refused.
	AllowPrivate bool
}

// CheckAddr returns a *BlockedError when a may not be connected to.
func (g Guard) CheckAddr(a netip.Addr) error {
	r, blocked := Classify(a)
	if !blocked || (g.AllowPrivate && r.LiftedByAllowPrivate()) {
		return nil
	}
	return &BlockedError{Addr: a, Reason: r}
}

// CheckHostName refuses names that by definition are local (localhost,
// *.localhost, *.local, *.internal, …) and host literals in any address form
// (including inet_aton forms) that CheckAddr refuses. Other names pass: their
// addresses are what counts, see CheckURL and Proxy.
func (g Guard) CheckHostName(host string) error {
	if a, ok := ParseHost(host); ok {
		if err := g.CheckAddr(a); err != nil {
			var be *BlockedError
			errors.As(err, &be)
			be.Host = host
			return be
		}
		return nil
	}
	if !g.AllowPrivate && isLocalName(host) {
		return &BlockedError{Host: host, Reason: ReasonLocalName}
	}
	return nil
}

// CheckDestination implements Policy: the name, then the resolved address.
func (g Guard) CheckDestination(host string, dst netip.AddrPort) error {
	if err := g.CheckHostName(host); err != nil {
		return err
	}
	if err := g.CheckAddr(dst.Addr()); err != nil {
		var be *BlockedError
		errors.As(err, &be)
		be.Host = host
		return be
	}
	return nil
}

// CheckURL is the submission-time check of a URL that passed ValidateURL: it
// resolves the host and refuses when any of its addresses is refused, so a
// name with one public and one private address cannot slip through. Spotify
// URIs have no host and pass.
//
// Refusals are 422 problems naming the "url" field, with the *BlockedError
// (or the resolver's error) as the cause for the log. A resolver failure
// other than "no such host" is a 503: it says nothing about the URL.
func (g Guard) CheckURL(ctx context.Context, u *url.URL, r Resolver) error {
	if URLKind(u) == KindSpotifyURI {
		return nil
	}
	host := u.Hostname()
	if host == "" {
		return problem.Invalid("url", "The URL has no host.")
	}
	if err := g.CheckHostName(host); err != nil {
		return refusedURL(err)
	}
	if _, literal := ParseHost(host); literal {
		return nil
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return problem.Invalid("url", "The URL's host name does not exist.").WithCause(err)
		}
		return problem.ErrUnavailable.WithDetail("Could not resolve the URL's host name; try again later.").WithCause(err)
	}
	if len(addrs) == 0 {
		return problem.Invalid("url", "The URL's host name has no addresses.")
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			var be *BlockedError
			errors.As(err, &be)
			be.Host = host
			return refusedURL(be)
		}
	}
	return nil
}

// FixAllowPrivate is the setting that lifts the refusals LiftedByAllowPrivate names.
var FixAllowPrivate = problem.Fix{Setting: "allow_private_networks", Label: "Private networks", Href: "/settings?tab=general"}

// refusedURL says why a URL was refused and, when a setting would allow
// it, which one an administrator changes.
func refusedURL(err error) error {
	msg := "The URL points to a private or reserved network address, which is not allowed."
	var be *BlockedError
	if errors.As(err, &be) {
		switch {
		case be.Reason == ReasonMetadata:
			msg = "The URL points to a cloud metadata address, which is never allowed."
		case be.Reason.LiftedByAllowPrivate():
			msg = "The URL points at a " + string(be.Reason) + " address (this server, or a machine on its network). Downloads may not reach it unless an administrator turns on \"Private networks\" in Settings → General, for a home lab."
			return problem.Invalid("url", msg).WithFix(FixAllowPrivate).WithCause(err)
		}
	}
	return problem.Invalid("url", msg).WithCause(err)
}

// BlockedMarker starts the text of every refusal the proxy sends (status
// line reason and body): "blocked destination: <reason>". yt-dlp repeats the
// status line in its error, which is how a failed job learns it was blocked.
// Keep it stable: the yt-dlp error classifier looks for it.
const BlockedMarker = "blocked destination"

// BlockedHeader carries the Reason on the proxy's 403 refusals.
const BlockedHeader = "X-Downlink-Blocked"

// BlockedMessage returns the refusal text for r: "blocked destination: r".
func BlockedMessage(r Reason) string { return BlockedMarker + ": " + string(r) }

// ParseBlocked finds a refusal in text (such as yt-dlp's stderr) and returns
// its reason.
func ParseBlocked(text string) (Reason, bool) {
	i := strings.Index(text, BlockedMarker+": ")
	if i < 0 {
		return "", false
	}
	rest := text[i+len(BlockedMarker)+2:]
	end := strings.IndexFunc(rest, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c == '-')
	})
	if end >= 0 {
		rest = rest[:end]
	}
	return Reason(rest), rest != ""
}

// BlockedError says a destination was refused. Host and Addr are for the log;
// clients only ever see Reason.
type BlockedError struct {
	Host   string     // as requested; empty when only an address was checked
	Addr   netip.Addr // the refused address; zero when refused by name
	Reason Reason
}

// Error implements error.
func (e *BlockedError) Error() string {
	var b strings.Builder
	b.WriteString(BlockedMessage(e.Reason))
	switch {
	case e.Host != "" && e.Addr.IsValid() && e.Host != e.Addr.String():
		fmt.Fprintf(&b, " (%s resolves to %s)", e.Host, e.Addr)
	case e.Addr.IsValid():
		fmt.Fprintf(&b, " (%s)", e.Addr)
	case e.Host != "":
		fmt.Fprintf(&b, " (%s)", e.Host)
	}
	return b.String()
}
