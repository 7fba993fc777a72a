package netguard

import (
	"net/netip"
	"testing"
)

func TestParseHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host string
		want string // "" means: a host name, not an address
	}{
		{"169.254.169.254", "169.254.169.254"},
		{"2852039166", "169.254.169.254"},
		{"0xa9fea9fe", "169.254.169.254"},
		{"0XA9FEA9FE", "169.254.169.254"},
		{"0251.0376.0251.0376", "169.254.169.254"},
		{"0xa9.0xfe.0xa9.0xfe", "169.254.169.254"},
		{"169.254.43518", "169.254.169.254"},
		{"169.16689662", "169.254.169.254"},
		{"0x7f000001", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"0", "0.0.0.0"},
		{"00", "0.0.0.0"},
		{"127.0.0.1.", "127.0.0.1"},
		{"::1", "::1"},
		{"::ffff:169.254.169.254", "::ffff:169.254.169.254"},
		{"fe80::1%eth0", "fe80::1"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", ""},         // overflows 32 bits
		{"1.2.3.4.5", ""},          // five parts
		{"256.1.1.1", ""},          // a leading part over 255
		{"1.2.65536", ""},          // a.b.c with c over 16 bits
		{"08", ""},                 // 8 is not octal
		{"0x", ""},                 // hex without digits
		{"0xg", ""},                // not hex
		{"1..1", ""},               // empty part
		{".1.1.1", ""},             // empty part
		{"1e100", ""},              // a name that starts with a digit
		{"123abc.example.com", ""}, // ditto
		{"example.com", ""},
		{"localhost", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			a, ok := ParseHost(tt.host)
			if tt.want == "" {
				if ok {
					t.Fatalf("ParseHost(%q) = %v, want a host name", tt.host, a)
				}
				return
			}
			if !ok || a != netip.MustParseAddr(tt.want) {
				t.Fatalf("ParseHost(%q) = %v, %v; want %s", tt.host, a, ok, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		want Reason // "" means public
	}{
		{"127.0.0.1", ReasonLoopback},
		{"127.255.255.254", ReasonLoopback},
		{"10.0.0.1", ReasonPrivate},
		{"172.16.0.1", ReasonPrivate},
		{"172.31.255.255", ReasonPrivate},
		{"192.168.1.1", ReasonPrivate},
		{"169.254.1.1", ReasonLinkLocal},
		{"169.254.169.254", ReasonMetadata},
		{"169.254.170.2", ReasonMetadata},
		{"100.100.100.200", ReasonMetadata},
		{"168.63.129.16", ReasonMetadata},
		{"100.64.0.1", ReasonSharedAddress},
		{"100.127.255.255", ReasonSharedAddress},
		{"0.0.0.0", ReasonUnspecified},
		{"0.1.2.3", ReasonThisNetwork},
		{"224.0.0.1", ReasonMulticast},
		{"239.255.255.250", ReasonMulticast},
		{"255.255.255.255", ReasonBroadcast},
		{"240.0.0.1", ReasonReserved},
		{"198.18.0.1", ReasonBenchmark},
		{"198.19.255.255", ReasonBenchmark},
		{"192.0.2.1", ReasonDocumentation},
		{"198.51.100.1", ReasonDocumentation},
		{"203.0.113.1", ReasonDocumentation},
		{"192.0.0.170", ReasonReserved},
		{"::", ReasonUnspecified},
		{"::1", ReasonLoopback},
		{"fc00::1", ReasonPrivate},
		{"fd00::1", ReasonPrivate},
		{"fd00:ec2::254", ReasonMetadata},
		{"fe80::1", ReasonLinkLocal},
		{"fe80::1%eth0", ReasonLinkLocal},
		{"fec0::1", ReasonPrivate},
		{"ff02::1", ReasonMulticast},
		{"2001:db8::1", ReasonDocumentation},
		{"3fff::1", ReasonDocumentation},
		{"2001::1", ReasonReserved}, // Teredo
		{"100::1", ReasonReserved},
		{"4000::1", ReasonReserved}, // unassigned
		{"64:ff9b:1::1", ReasonPrivate},
		// IPv4 embedded in IPv6 is classified by the IPv4 address.
		{"::ffff:169.254.169.254", ReasonMetadata},
		{"::ffff:a9fe:a9fe", ReasonMetadata},
		{"::ffff:127.0.0.1", ReasonLoopback},
		{"::ffff:10.0.0.1", ReasonPrivate},
		{"::a9fe:a9fe", ReasonMetadata},        // IPv4-compatible
		{"::127.0.0.1", ReasonLoopback},        // IPv4-compatible
		{"::8.8.8.8", ReasonReserved},          // IPv4-compatible is deprecated
		{"64:ff9b::a9fe:a9fe", ReasonMetadata}, // NAT64
		{"64:ff9b::127.0.0.1", ReasonLoopback}, // NAT64
		{"64:ff9b::10.1.2.3", ReasonPrivate},   // NAT64
		{"2002:a9fe:a9fe::1", ReasonMetadata},  // 6to4
		{"2002:7f00:1::", ReasonLoopback},      // 6to4
		{"2002:c0a8:101::1", ReasonPrivate},    // 6to4
		// Public.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"93.184.215.14", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"172.32.0.1", ""},
		{"2606:4700:4700::1111", ""},
		{"2a00:1450:4001:82a::200e", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::8.8.8.8", ""}, // NAT64 of a public address is how IPv6-only hosts reach IPv4
		{"2002:808:808::1", ""},  // 6to4 of a public address
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, blocked := Classify(netip.MustParseAddr(tt.addr))
			if got != tt.want || blocked != (tt.want != "") {
				t.Fatalf("Classify(%s) = %q, %v; want %q", tt.addr, got, blocked, tt.want)
			}
		})
	}
	if r, blocked := Classify(netip.Addr{}); !blocked || r != ReasonReserved {
		t.Errorf("Classify(zero) = %q, %v; want reserved", r, blocked)
	}
}

func TestIsLocalName(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"localhost", "LOCALHOST", "localhost.", "foo.localhost", "a.b.LocalHost.", "printer.local", "metadata.google.internal", "nas.home.arpa", "box.localdomain"} {
		if !isLocalName(h) {
			t.Errorf("isLocalName(%q) = false", h)
		}
	}
	for _, h := range []string{"example.com", "localhost.example.com", "notlocalhost", "local.example", "internal.example.org"} {
		if isLocalName(h) {
			t.Errorf("isLocalName(%q) = true", h)
		}
	}
}
