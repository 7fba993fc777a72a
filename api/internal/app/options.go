package app

import (
	"github.com/downlink/downlink/api/internal/netguard"
)

// Option adjusts how New builds an app; the binary passes none.
type Option func(*App)

// WithNetwork makes the node resolve host names with r and open outbound
// connections with d (nil: the system's), both for the submission-time URL
// check and in the egress proxy yt-dlp goes through. It is a test seam:
// a test can give a server on 127.0.0.1 a public-looking name and address,
// so the SSRF guard stays on while that first hop is reachable (and a
// redirect from it to a private address is still refused).
func WithNetwork(r netguard.Resolver, d netguard.ContextDialer) Option {
	return func(a *App) { a.resolver, a.dialer = r, d }
}

// netResolver is the resolver for the submission-time check.
func (a *App) netResolver() netguard.Resolver {
	if a.resolver != nil {
		return a.resolver
	}
	return netDefaultResolver{}
}
