package config

import "testing"

// TestTrustedProxies: DOWNLINK_TRUSTED_PROXIES names the proxies (and
// implies DOWNLINK_TRUST_PROXY); DOWNLINK_TRUST_PROXY=true alone trusts
// loopback only; nothing else is ever a trusted peer.
func TestTrustedProxies(t *testing.T) {
	cases := []struct {
		name, trust, proxies string
		ok                   bool
		trusted, untrusted   []string
	}{
		{name: "none", untrusted: []string{"127.0.0.1:4000", "10.0.0.1:80"}, ok: true},
		{name: "trust proxy alone", trust: "true", ok: true,
			trusted: []string{"127.0.0.1:4000", "127.9.9.9:1", "[::1]:80"}, untrusted: []string{"10.0.0.1:80", "192.168.1.2:80", "172.16.0.1:1", "[fd00::1]:80"}},
		{name: "listed", proxies: "10.42.0.0/16, 192.0.2.7,::ffff:198.51.100.1", ok: true,
			trusted: []string{"10.42.3.4:80", "192.0.2.7:1", "198.51.100.1:5", "[::ffff:10.42.0.9]:80"}, untrusted: []string{"127.0.0.1:80", "10.43.0.1:80", "192.0.2.8:1"}},
		{name: "not an address", proxies: "10.0.0.0/8,proxy.local"},
		{name: "bad prefix", proxies: "10.0.0.0/33"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DOWNLINK_DATA_DIR": t.TempDir(), "DOWNLINK_TRUST_PROXY": tc.trust, "DOWNLINK_TRUSTED_PROXIES": tc.proxies}
			cfg, err := Load("test", nil, func(k string) string { return env[k] })
			if !tc.ok {
				if err == nil {
					t.Fatalf("accepted %q", tc.proxies)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := len(tc.trusted) > 0; cfg.TrustProxy != want {
				t.Errorf("TrustProxy %v, want %v", cfg.TrustProxy, want)
			}
			for _, a := range tc.trusted {
				if !cfg.TrustedPeer(a) {
					t.Errorf("%s is not trusted", a)
				}
			}
			for _, a := range tc.untrusted {
				if cfg.TrustedPeer(a) {
					t.Errorf("%s is trusted", a)
				}
			}
		})
	}
}
