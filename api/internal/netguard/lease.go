package netguard

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrInvalidJobID is returned by Proxy.Lease for an ID that cannot be part of
// a proxy user name.
var ErrInvalidJobID = errors.New("netguard: job ID must be 1-128 characters of A-Z a-z 0-9 . _ -")

var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// Lease is one job's identity on the proxy: a user name naming the job and a
// random token. Traffic is attributed to it in logs and Stats, and only
// requests carrying a live lease's credentials are served, so other local
// processes cannot use the proxy. Close revokes it.
type Lease struct {
	JobID string

	proxy    *Proxy
	up       *upstream // this job's own upstream proxy; nil: the proxy's
	username string
	token    string
	key      [32]byte

	requests, blocked     atomic.Int64
	bytesSent, bytesRecvd atomic.Int64

	// The child port (ChildURL), opened on first use.
	childMu   sync.Mutex
	childSrv  *http.Server
	childAddr string
	closed    bool
}

// LeaseStats counts one lease's traffic.
type LeaseStats struct {
	Requests      int64 // requests and tunnels served (refused ones included)
	Blocked       int64 // destinations refused by the policy
	BytesSent     int64 // to destinations (request bodies, tunnel uploads)
	BytesReceived int64 // from destinations (response bodies, tunnel downloads)
}

// Lease hands out a proxy identity for a job. Give yt-dlp lease.URL() as
// --proxy and Close the lease when the job's process has exited.
func (p *Proxy) Lease(jobID string) (*Lease, error) { return p.lease(jobID, nil) }

// lease makes a lease whole, then publishes it: ServeHTTP reads it from
// other goroutines, synchronized only by p.mu.
func (p *Proxy) lease(jobID string, up *upstream) (*Lease, error) {
	if !jobIDPattern.MatchString(jobID) {
		return nil, ErrInvalidJobID
	}
	l := &Lease{JobID: jobID, proxy: p, up: up, username: "job-" + jobID, token: rand.Text()}
	l.key = sha256.Sum256([]byte(l.token))
	p.mu.Lock()
	p.leases[l.key] = l
	p.mu.Unlock()
	return l, nil
}

// LeaseVia is Lease for a job whose traffic must leave through its own
// upstream proxy (a platform's proxy setting), still checked here first.
// A nil upstream is the same as Lease.
func (p *Proxy) LeaseVia(jobID string, upstreamURL *url.URL) (*Lease, error) {
	var up *upstream
	if upstreamURL != nil {
		var err error
		if up, err = newUpstream(upstreamURL); err != nil {
			return nil, err
		}
	}
	return p.lease(jobID, up)
}

// URL is the proxy URL with this lease's credentials, for yt-dlp's --proxy.
// It is a secret: log the Lease itself, which prints redacted.
func (l *Lease) URL() string {
	return "http://" + l.username + ":" + l.token + "@" + l.proxy.Addr()
}

// String returns the proxy URL with the token redacted.
func (l *Lease) String() string {
	return "http://" + l.username + ":xxxxx@" + l.proxy.Addr()
}

// LogValue keeps the token out of structured logs.
func (l *Lease) LogValue() slog.Value { return slog.StringValue(l.String()) }

// Stats returns the lease's counters so far.
func (l *Lease) Stats() LeaseStats {
	return LeaseStats{
		Requests:      l.requests.Load(),
		Blocked:       l.blocked.Load(),
		BytesSent:     l.bytesSent.Load(),
		BytesReceived: l.bytesRecvd.Load(),
	}
}

// Close revokes the lease: new requests with its credentials get 407.
// Connections already open finish on their own.
func (l *Lease) Close() {
	l.closeChild()
	l.proxy.mu.Lock()
	if l.proxy.leases[l.key] == l {
		delete(l.proxy.leases, l.key)
	}
	l.proxy.mu.Unlock()
}

// authenticate returns the lease named by the request's Proxy-Authorization,
// or nil. The token is looked up by its hash and the user name compared in
// constant time, so timing says nothing about either.
func (p *Proxy) authenticate(r *http.Request) *Lease {
	user, token, ok := parseBasic(r.Header.Get("Proxy-Authorization"))
	if !ok {
		return nil
	}
	key := sha256.Sum256([]byte(token))
	p.mu.Lock()
	l := p.leases[key]
	p.mu.Unlock()
	if l == nil || subtle.ConstantTimeCompare([]byte(user), []byte(l.username)) != 1 {
		return nil
	}
	return l
}

func parseBasic(h string) (user, pass string, ok bool) {
	const prefix = "basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}
