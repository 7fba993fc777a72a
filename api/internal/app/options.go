package app

import (
	"crypto/x509"
	"io/fs"
	"time"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/users"
	"github.com/downlink/downlink/frontend"
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

// WithPasswordParams makes the users service hash new passwords with p
// instead of users.DefaultPasswordParams. It is a test seam: API suites
// create and sign in hundreds of accounts, and argon2id at a server's cost
// is most of their time (0.15 s per hash, 0.3 s under -race, on the CI
// machine). Hashes are checked at the costs stored in them either way.
func WithPasswordParams(p users.PasswordParams) Option {
	return func(a *App) { a.userOpts = append(a.userOpts, users.WithPasswordParams(p)) }
}

// WithKeyClock makes the API-key service read the time from now (key
// expiry, rate-limit refills). A test seam: a test advances a clock
// instead of sleeping out a refill.
func WithKeyClock(now func() time.Time) Option {
	return func(a *App) { a.keyOpts = append(a.keyOpts, apikeys.WithClock(now)) }
}

// netResolver is the resolver for the submission-time check.
func (a *App) netResolver() netguard.Resolver {
	if a.resolver != nil {
		return a.resolver
	}
	return netDefaultResolver{}
}

// WithMailRoots makes the SMTP client trust roots instead of the system's
// certificates (a test's own SMTP server with STARTTLS).
func WithMailRoots(roots *x509.CertPool) Option {
	return func(a *App) { a.mailRoots = roots }
}

// WithRelayoutHook calls f after each download a move between library
// layouts handled; an error stops the move there as a shutdown would. A
// test seam: a test interrupts a move after N downloads and resumes it.
func WithRelayoutHook(f func(done int) error) Option {
	return func(a *App) { a.relayoutHook = f }
}

// WithSharedWarm makes the node start yt-dlp from the process-wide fork
// servers (ytdlp.SharedWarm) instead of servers of its own, which it
// would stop when it stops. A test seam: a test process that starts
// hundreds of nodes imports yt-dlp once per executable, not once per node.
func WithSharedWarm() Option {
	return func(a *App) { a.sharedWarm = true }
}

// WithUI makes the node serve ui as the dashboard instead of the build
// embedded in the binary. A test seam: Go's tests compile before (or while)
// make test builds the UI, so a test of how its files are served brings
// its own.
func WithUI(ui fs.FS) Option {
	return func(a *App) { a.ui = ui }
}

// uiFiles is the dashboard the node serves.
func (a *App) uiFiles() fs.FS {
	if a.ui != nil {
		return a.ui
	}
	return frontend.Dist()
}
