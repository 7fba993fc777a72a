package app

import (
	"net"
	"testing"
)

// TestDashboardURL: the setup line names an address a person can open.
func TestDashboardURL(t *testing.T) {
	t.Parallel()
	tcp := func(s string) net.Addr { a, _ := net.ResolveTCPAddr("tcp", s); return a }
	for _, tt := range []struct {
		base string
		addr net.Addr
		want string
	}{
		{"", tcp("127.0.0.1:8080"), "http://127.0.0.1:8080"},
		{"", tcp("0.0.0.0:8080"), "http://localhost:8080"},
		{"", tcp("[::]:9000"), "http://localhost:9000"},
		{"", tcp("[::1]:9000"), "http://[::1]:9000"},
		{"https://dl.example.com", tcp("0.0.0.0:8080"), "https://dl.example.com"},
	} {
		if got := dashboardURL(tt.base, tt.addr); got != tt.want {
			t.Errorf("dashboardURL(%q, %v) = %q, want %q", tt.base, tt.addr, got, tt.want)
		}
	}
}
