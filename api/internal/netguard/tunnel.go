package netguard

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// serveConnect opens a checked connection to the CONNECT target and splices
// it to the client.
func (p *Proxy) serveConnect(w http.ResponseWriter, r *http.Request, lease *Lease) {
	dst, err := p.dialer.dial(r.Context(), r.Host)
	if err != nil {
		p.fail(w, lease, r.Host, err)
		return
	}
	client, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		dst.Close()
		http.Error(w, "cannot tunnel on this connection", http.StatusInternalServerError)
		return
	}
	if !p.track(client, dst) {
		client.Close()
		dst.Close()
		return
	}
	defer p.untrack(client, dst)
	defer client.Close()
	defer dst.Close()

	_ = client.SetDeadline(time.Time{}) // the server's header timeout no longer applies
	if _, err := brw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	if err := brw.Flush(); err != nil {
		return
	}
	// Bytes the client sent right behind the CONNECT (a TLS hello) may sit
	// in the server's read buffer.
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		if _, err := dst.Write(early); err != nil {
			return
		}
		lease.bytesSent.Add(int64(n))
	}
	start := time.Now()
	t := &tunnel{idle: p.idle}
	t.touch()
	var wg sync.WaitGroup
	wg.Go(func() { t.pipe(dst, client, &lease.bytesSent) })
	t.pipe(client, dst, &lease.bytesRecvd)
	wg.Wait()
	p.log.Debug("egress tunnel closed", "job", lease.JobID, "host", r.Host,
		"duration", time.Since(start).Round(time.Millisecond))
}

// tunnel copies both ways and ends when both directions are done, either
// side fails, or neither side has sent anything for idle. Activity in one
// direction keeps the other alive: a long download sends nothing upstream.
type tunnel struct {
	idle time.Duration
	last atomic.Int64 // unix nanoseconds of the last byte either way
}

func (t *tunnel) touch() { t.last.Store(time.Now().UnixNano()) }

func (t *tunnel) quiet() bool {
	return time.Since(time.Unix(0, t.last.Load())) >= t.idle
}

// pipe copies src to dst. On a clean end of src it half-closes dst so the
// other direction can finish; on any failure it closes both.
func (t *tunnel) pipe(dst, src net.Conn, counter *atomic.Int64) {
	buf := make([]byte, 32<<10)
	for {
		_ = src.SetReadDeadline(time.Now().Add(t.idle))
		n, err := src.Read(buf)
		if n > 0 {
			t.touch()
			counter.Add(int64(n))
			_ = dst.SetWriteDeadline(time.Now().Add(t.idle))
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				dst.Close()
				return
			}
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, os.ErrDeadlineExceeded) && !t.quiet():
			continue
		case errors.Is(err, io.EOF):
			if cw, ok := dst.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
				return
			}
		}
		src.Close()
		dst.Close()
		return
	}
}
