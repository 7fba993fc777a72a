package netguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// hopHeaders belong to one connection and are never forwarded (RFC 9110
// section 7.6.1), plus the proxy's own credentials.
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func removeHopHeaders(h http.Header) {
	for _, v := range h.Values("Connection") {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

// serveForward sends one absolute-form request on and streams the answer
// back as is. Redirects are returned to the client, which follows them
// through the proxy, so every hop meets the dialer's check.
func (p *Proxy) serveForward(w http.ResponseWriter, r *http.Request, lease *Lease) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.Close = false
	removeHopHeaders(out.Header)
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header.Set("User-Agent", "") // don't let Go add its own
	}
	if r.Body != nil && r.Body != http.NoBody {
		out.Body = &countingReader{r: r.Body, n: &lease.bytesSent}
	}
	rt := http.RoundTripper(p.transport)
	if lease.up != nil {
		// Pooled connections go through one upstream; a job with its own
		// must not reuse another's (or the default's).
		rt = p.transportVia(lease.up)
	}
	resp, err := rt.RoundTrip(out)
	if err != nil {
		p.fail(w, lease, r.URL.Host, err)
		return
	}
	defer resp.Body.Close()
	removeHopHeaders(resp.Header)
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	n, err := io.Copy(w, resp.Body)
	lease.bytesRecvd.Add(n)
	p.log.Debug("egress request", "job", lease.JobID, "method", r.Method,
		"host", r.URL.Host, "status", resp.StatusCode, "bytes", n, "err", err)
}

// fail answers a request the proxy could not carry out: a policy refusal is
// a 403 with BlockedMarker, anything else a 4xx/5xx without internals.
func (p *Proxy) fail(w http.ResponseWriter, lease *Lease, host string, err error) {
	var be *BlockedError
	if errors.As(err, &be) {
		lease.blocked.Add(1)
		p.log.Warn("egress blocked", "job", lease.JobID, "host", host,
			"addr", be.Addr, "reason", string(be.Reason))
		p.refuse(w, be.Reason)
		return
	}
	status, msg := http.StatusBadGateway, "bad gateway"
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, errBadTarget):
		status, msg = http.StatusBadRequest, "bad proxy target"
	case errors.Is(err, errUpstream):
		msg = FailUpstreamProxy
	case errors.As(err, &dnsErr):
		msg = FailHostNotFound
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = FailConnectionRefused
	case errors.Is(err, context.Canceled):
		return // the client went away; nobody reads an answer
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		status, msg = http.StatusGatewayTimeout, "gateway timeout"
	}
	p.log.Info("egress failed", "job", lease.JobID, "host", host, "status", status, "err", err)
	writeStatus(w, status, msg, nil)
}

// The reason phrases of the proxy's failures that are not refusals: in the
// status line, because that is what yt-dlp repeats in its error ("Tunnel
// connection failed: 502 could not resolve host"), so a failed job can say
// the host was not found rather than "network error". Keep them in step
// with the yt-dlp error classifier (ytdlp/exiterror.go).
const (
	FailHostNotFound      = "could not resolve host"
	FailConnectionRefused = "connection refused"
	FailUpstreamProxy     = "upstream proxy failed"
)

// refuse writes the 403. net/http always sends the standard reason phrase,
// so the response is written by hand: its status line carries the marker,
// which is the part of the answer yt-dlp repeats in its error message.
func (p *Proxy) refuse(w http.ResponseWriter, reason Reason) {
	writeStatus(w, http.StatusForbidden, BlockedMessage(reason), map[string]string{BlockedHeader: string(reason)})
}

// writeStatus answers status with msg as the status line's reason phrase
// and as the body, closing the connection. net/http always sends the
// standard phrase, so the response is written by hand when it can be.
func writeStatus(w http.ResponseWriter, status int, msg string, headers map[string]string) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		http.Error(w, msg, status)
		return
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	body := msg + "\n"
	fmt.Fprintf(brw, "HTTP/1.1 %d %s\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n"+
		"X-Content-Type-Options: nosniff\r\n", status, msg)
	for k, v := range headers {
		fmt.Fprintf(brw, "%s: %s\r\n", k, v)
	}
	fmt.Fprintf(brw, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	_ = brw.Flush()
}

// countingReader adds the bytes read through it to n.
type countingReader struct {
	r io.ReadCloser
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

// transportVia returns the transport for one upstream (cached by its URL).
func (p *Proxy) transportVia(up *upstream) *http.Transport {
	key := up.String()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.viaTransports == nil {
		p.viaTransports = map[string]*http.Transport{}
	}
	if t, ok := p.viaTransports[key]; ok {
		return t
	}
	t := p.transport.Clone()
	t.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) {
		return p.dialer.dial(context.WithValue(ctx, upstreamKey{}, up), addr)
	}
	p.viaTransports[key] = t
	return t
}
