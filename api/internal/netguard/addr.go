package netguard

import (
	"net/netip"
	"strings"
)

// Reason says why a destination is refused. Its value is the stable text that
// follows BlockedMarker in refusals ("blocked destination: loopback").
type Reason string

// Reasons a destination can be refused for.
const (
	ReasonLoopback      Reason = "loopback"
	ReasonPrivate       Reason = "private"
	ReasonLinkLocal     Reason = "link-local"
	ReasonSharedAddress Reason = "cgnat"
	ReasonBenchmark     Reason = "benchmark"
	ReasonDocumentation Reason = "documentation"
	ReasonUnspecified   Reason = "unspecified"
	ReasonThisNetwork   Reason = "this-network"
	ReasonMulticast     Reason = "multicast"
	ReasonBroadcast     Reason = "broadcast"
	ReasonReserved      Reason = "reserved"
	ReasonMetadata      Reason = "metadata"
	ReasonLocalName     Reason = "local-name"
	ReasonProxySelf     Reason = "proxy-self"
	ReasonPolicy        Reason = "policy"
)

// LiftedByAllowPrivate reports whether Guard.AllowPrivate lifts the refusal.
// Home labs and tests need their own networks; nobody needs to fetch media
// from a cloud metadata service, a multicast group or 0.0.0.0.
func (r Reason) LiftedByAllowPrivate() bool {
	switch r {
	case ReasonLoopback, ReasonPrivate, ReasonLinkLocal, ReasonSharedAddress,
		ReasonBenchmark, ReasonDocumentation, ReasonLocalName:
		return true
	}
	return false
}

type classifiedPrefix struct {
	prefix netip.Prefix
	reason Reason
}

func p(s string, r Reason) classifiedPrefix {
	return classifiedPrefix{netip.MustParsePrefix(s), r}
}

// metadataAddrs are cloud instance-metadata endpoints: refused even when
// private networks are allowed, because they hand out credentials.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OCI, OpenStack
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("169.254.169.123"), // AWS time sync
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("168.63.129.16"),   // Azure WireServer
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IPv6 IMDS
	netip.MustParseAddr("fd00:ec2::23"),    // AWS IPv6 DNS
}

// blocked4 lists the IPv4 special-purpose ranges (RFC 6890 and successors)
// that are not globally reachable. Order matters only for readability: they
// do not overlap except 255.255.255.255 inside 240/4, checked first.
var blocked4 = []classifiedPrefix{
	p("255.255.255.255/32", ReasonBroadcast),
	p("0.0.0.0/32", ReasonUnspecified),
	p("0.0.0.0/8", ReasonThisNetwork),
	p("10.0.0.0/8", ReasonPrivate),
	p("100.64.0.0/10", ReasonSharedAddress),
	p("127.0.0.0/8", ReasonLoopback),
	p("169.254.0.0/16", ReasonLinkLocal),
	p("172.16.0.0/12", ReasonPrivate),
	p("192.0.0.0/24", ReasonReserved),
	p("192.0.2.0/24", ReasonDocumentation),
	p("192.88.99.0/24", ReasonReserved),
	p("192.168.0.0/16", ReasonPrivate),
	p("198.18.0.0/15", ReasonBenchmark),
	p("198.51.100.0/24", ReasonDocumentation),
	p("203.0.113.0/24", ReasonDocumentation),
	p("224.0.0.0/4", ReasonMulticast),
	p("240.0.0.0/4", ReasonReserved),
}

// IPv6 is checked against an allow-list (2000::/3 global unicast plus the
// IPv4 embeddings below) so unassigned space is refused by default; these are
// the carve-outs inside 2000::/3 and the named ranges outside it.
var blocked6 = []classifiedPrefix{
	p("::/128", ReasonUnspecified),
	p("::1/128", ReasonLoopback),
	p("64:ff9b:1::/48", ReasonPrivate), // local-use NAT64 (RFC 8215)
	p("100::/64", ReasonReserved),      // discard-only
	p("2001::/23", ReasonReserved),     // IETF protocol assignments, Teredo
	p("2001:db8::/32", ReasonDocumentation),
	p("3fff::/20", ReasonDocumentation),
	p("5f00::/16", ReasonReserved), // SRv6 SIDs
	p("fc00::/7", ReasonPrivate),
	p("fe80::/10", ReasonLinkLocal),
	p("fec0::/10", ReasonPrivate), // deprecated site-local
	p("ff00::/8", ReasonMulticast),
}

var (
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	v4Compatible   = netip.MustParsePrefix("::/96")
)

// Classify returns why a is not a public destination, or "" and false when it
// is one. IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64, 6to4)
// are classified by the embedded address, so ::ffff:169.254.169.254 is
// "metadata" like 169.254.169.254.
func Classify(a netip.Addr) (Reason, bool) {
	if !a.IsValid() {
		return ReasonReserved, true
	}
	a = a.WithZone("")
	for _, m := range metadataAddrs {
		if a == m {
			return ReasonMetadata, true
		}
	}
	if a.Is4In6() {
		return Classify(a.Unmap())
	}
	if a.Is4() {
		for _, c := range blocked4 {
			if c.prefix.Contains(a) {
				return c.reason, true
			}
		}
		return "", false
	}
	for _, c := range blocked6 {
		if c.prefix.Contains(a) {
			return c.reason, true
		}
	}
	if v4, ok := embeddedIPv4(a); ok {
		if r, blocked := Classify(v4); blocked {
			return r, true
		}
		if v4Compatible.Contains(a) {
			// Deprecated (RFC 4291); nothing legitimate is reached this way.
			return ReasonReserved, true
		}
		return "", false
	}
	if !globalUnicast6.Contains(a) {
		return ReasonReserved, true
	}
	return "", false
}

// embeddedIPv4 extracts the IPv4 address carried by a NAT64, 6to4 or
// IPv4-compatible IPv6 address.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case nat64WellKnown.Contains(a), v4Compatible.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// ParseHost interprets a URL host (without port or brackets) as an IP address
// the way a C resolver would: standard IPv4 and IPv6 literals, and also the
// inet_aton forms "2852039166", "0xa9fea9fe", "0251.0376.0251.0376",
// "169.254.43518" and "127.1". One trailing dot is ignored. It reports false
// for anything that is a host name.
func ParseHost(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.WithZone(""), true
	}
	return parseInetAton(host)
}

// parseInetAton follows glibc's inet_aton: one to four parts, each decimal,
// octal (leading 0) or hex (0x); the last part fills the remaining bytes.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, part := range parts {
		v, ok := parseAtonPart(part)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	last := vals[len(vals)-1]
	lead := vals[:len(vals)-1]
	for _, v := range lead {
		if v > 0xff {
			return netip.Addr{}, false
		}
	}
	if last > uint64(0xffffffff)>>(8*len(lead)) {
		return netip.Addr{}, false
	}
	n := uint32(last)
	for i, v := range lead {
		n |= uint32(v) << (24 - 8*i)
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

func parseAtonPart(s string) (uint64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	base := uint64(10)
	digits := s
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, digits = 16, s[2:]
		if digits == "" {
			return 0, false
		}
	case s[0] == '0':
		base = 8
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		d, ok := digitValue(digits[i])
		if !ok || d >= base {
			return 0, false
		}
		v = v*base + d
		if v > 0xffffffff {
			return 0, false
		}
	}
	return v, true
}

func digitValue(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}

// localSuffixes are names that by definition stay on this machine or the
// local network (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal).
var localSuffixes = []string{"localhost", "local", "internal", "home.arpa", "localdomain"}

// isLocalName reports whether host names this machine or a private network.
func isLocalName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, s := range localSuffixes {
		if h == s || strings.HasSuffix(h, "."+s) {
			return true
		}
	}
	return false
}
