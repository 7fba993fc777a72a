package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// TestForwardedHeadersOnlyFromTrustedProxies signs in with forged
// X-Forwarded-For and X-Forwarded-Proto headers and reads back the address
// the session was recorded from. The tests' requests come from 127.0.0.1:
// a trusted proxy under DOWNLINK_TRUST_PROXY=true alone, an untrusted peer
// when DOWNLINK_TRUSTED_PROXIES lists other addresses. The client is the
// right-most address that is not a trusted proxy; any private address used
// to count as a proxy, so a host on the network could claim any address
// (and dodge per-address limits).
func TestForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        func(*config.Config)
		xff, proto string
		wantIP     string
		wantSecure bool
	}{
		{name: "loopback proxy: its client", cfg: func(c *config.Config) { c.TrustProxy = true },
			xff: "203.0.113.9", proto: "https", wantIP: "203.0.113.9", wantSecure: true},
		{name: "loopback proxy: a private hop is not a proxy", cfg: func(c *config.Config) { c.TrustProxy = true },
			xff: "203.0.113.9, 10.1.2.3", wantIP: "10.1.2.3"},
		{name: "listed proxies: the right-most unlisted address", cfg: func(c *config.Config) {
			c.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8"}
		}, xff: "198.51.100.1, 203.0.113.9, 10.1.2.3", wantIP: "203.0.113.9"},
		{name: "peer not listed: its headers are ignored", cfg: func(c *config.Config) {
			c.TrustedProxies = []string{"198.51.100.0/24"}
		}, xff: "203.0.113.9", proto: "https", wantIP: "127.0.0.1"},
		{name: "no proxy configured", cfg: func(*config.Config) {}, xff: "203.0.113.9", proto: "https", wantIP: "127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, noWorkers(), apitest.WithConfig(tc.cfg))
			a := newAccount(t, env, authz.RoleUser)
			c := env.Client().Header("X-Forwarded-For", tc.xff)
			if tc.proto != "" {
				c = c.Header("X-Forwarded-Proto", tc.proto)
			}
			r := expectStatus(t, c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}), http.StatusOK)
			ck := sessionCookie(t, r)
			if secure := strings.HasPrefix(ck.Name, "__Host-"); secure != tc.wantSecure {
				t.Fatalf("cookie %s (Secure %v): want a secure cookie %v", ck.Name, ck.Secure, tc.wantSecure)
			}
			var list struct {
				Items []struct {
					IP *string `json:"ip"`
				} `json:"items"`
			}
			follow := withCookie(env, ck)
			if tc.proto != "" {
				follow = follow.Header("X-Forwarded-Proto", tc.proto)
			}
			expectStatus(t, follow.Get("/api/v1/auth/sessions"), http.StatusOK).JSON(&list)
			sessions := list.Items
			if len(sessions) != 1 || sessions[0].IP == nil {
				t.Fatalf("sessions %+v", sessions)
			}
			if *sessions[0].IP != tc.wantIP {
				t.Fatalf("the session was recorded from %s, want %s", *sessions[0].IP, tc.wantIP)
			}
		})
	}
}
