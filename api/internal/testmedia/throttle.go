package testmedia

import (
	"errors"
	"net/http"
	"time"
)

// errStopped ends a throttled response when the client or the server goes.
var errStopped = errors.New("testmedia: throttled response stopped")

// throttledWriter paces the body to bps bytes per second in small flushed
// chunks, so a client sees a steady trickle rather than bursts.
type throttledWriter struct {
	http.ResponseWriter
	bps     int
	start   time.Time
	written int64
	stop    <-chan struct{} // server closing
	gone    <-chan struct{} // client gone
}

func (w *throttledWriter) Write(p []byte) (int, error) {
	chunk := w.bps / 20 // about 20 writes a second
	if chunk < 1 {
		chunk = 1
	}
	n := 0
	for n < len(p) {
		end := min(n+chunk, len(p))
		// Sleep until the bytes already sent are "due" at the configured rate.
		due := w.start.Add(time.Duration(float64(w.written) / float64(w.bps) * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-w.stop:
				t.Stop()
				return n, errStopped
			case <-w.gone:
				t.Stop()
				return n, errStopped
			}
		}
		m, err := w.ResponseWriter.Write(p[n:end])
		n += m
		w.written += int64(m)
		if err != nil {
			return n, err
		}
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
	}
	return n, nil
}
