package events

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// newStream prepares a client's stream; it finds out once whether the
// writer supports write deadlines.
func newStream(h *Hub, w http.ResponseWriter, r *http.Request) *stream {
	rc := http.NewResponseController(w)
	return &stream{
		hub:       h,
		w:         w,
		rc:        rc,
		r:         r,
		deadlines: !errors.Is(rc.SetWriteDeadline(time.Time{}), http.ErrNotSupported),
	}
}

// stream is one client's SSE response.
type stream struct {
	hub *Hub
	w   http.ResponseWriter
	rc  *http.ResponseController
	r   *http.Request
	buf []byte
	// lastID is the client's Last-Event-ID, "" on a first connection.
	lastID string
	// recheck, when set, says whether the caller may still listen.
	recheck func(context.Context) error

	// deadlines is false when the writer cannot set write deadlines; then
	// only the subscription's overflow protects us from a stuck client.
	deadlines bool
	// mu orders interrupt's deadline change after the stream's own;
	// interrupted, once set, makes every later write fail; ended, set
	// when the stream has written its last, keeps interrupt off the
	// connection (net/http still has the response's end to write).
	mu          sync.Mutex
	interrupted bool
	ended       bool
}

// errInterrupted ends a stream whose hub is shutting down.
var errInterrupted = errors.New("events: stream interrupted by shutdown")

// run writes the stream until one of its ends; see Hub.ServeSSE.
func (s *stream) run(sub *Subscription) {
	opts := s.hub.opts
	log := s.hub.log.With("remote", s.r.RemoteAddr)

	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	s.w.WriteHeader(http.StatusOK)

	s.buf = append(s.buf[:0], "retry: "...)
	s.buf = strconv.AppendInt(s.buf, opts.Retry.Milliseconds(), 10)
	missed, resumed := sub.Resume()
	switch {
	case s.lastID == "":
		// The id of where the stream starts, so a client that reconnects
		// before any event comes back to this point (an id with no data
		// dispatches nothing but sets EventSource's lastEventId).
		s.buf = append(s.buf, "\nid: "...)
		s.buf = append(s.buf, sub.Head()...)
		s.buf = append(s.buf, "\n\n"...)
	case resumed:
		// The client's id stays its last one until a replayed event moves it.
		s.buf = append(s.buf, "\n\n"...)
		for _, e := range missed {
			s.buf = appendFrame(s.buf, e)
		}
	default:
		// Not a position this node still holds: tell the client to refetch,
		// and where the stream continues from.
		s.buf = append(s.buf, "\n\n"...)
		s.buf = appendFrame(s.buf, Event{ID: NewID(), Cursor: sub.Head(), Type: TypeResync, Data: []byte(`{"reason":"client_reconnected"}`)})
	}
	if err := s.flush(); err != nil {
		log.Debug("sse stream failed to start", "err", err)
		return
	}
	if s.r.Method == http.MethodHead {
		// HEAD gets the stream's status and headers, then the end.
		return
	}
	log.Debug("sse stream started")

	keepAlive := time.NewTicker(opts.KeepAlive)
	defer keepAlive.Stop()
	idle, lifetime := newTimer(opts.IdleTimeout), newTimer(opts.MaxLifetime)
	defer stopTimer(idle)
	defer stopTimer(lifetime)
	var recheckC <-chan time.Time
	if s.recheck != nil {
		t := time.NewTicker(opts.RecheckInterval)
		defer t.Stop()
		recheckC = t.C
	}

	reason := ""
	for reason == "" {
		select {
		case e, ok := <-sub.C():
			if !ok {
				reason = "bus closed"
				break
			}
			s.buf = appendFrame(s.buf[:0], e)
			reason = s.write(log)
			if idle != nil {
				idle.Reset(opts.IdleTimeout)
			}
		case <-sub.Overflow():
			s.hub.slowDropped.Add(1)
			reason = "client too slow (buffer full)"
			log.Info("sse client dropped: too slow", "dropped_events", sub.Dropped())
		case <-keepAlive.C:
			s.buf = append(s.buf[:0], ": keep-alive\n\n"...)
			reason = s.write(log)
		case <-timerC(idle):
			reason = "idle timeout"
		case <-timerC(lifetime):
			reason = "max lifetime"
		case <-recheckC:
			if err := s.check(opts.RecheckInterval); err != nil {
				reason = "caller may no longer listen: " + err.Error()
			}
		case <-s.r.Context().Done():
			reason = "client gone"
		case <-s.hub.done:
			reason = "hub shutdown"
		}
	}
	log.Debug("sse stream ended", "reason", reason)
	s.mu.Lock()
	s.ended = true
	if s.deadlines {
		// The connection may serve another request, and the response's
		// end is still to be written: leave no deadline.
		_ = s.rc.SetWriteDeadline(time.Time{})
	}
	s.mu.Unlock()
}

// check runs the stream's recheck bounded by d, and cut short when the
// hub shuts down (a slow database must not hold up a graceful stop).
func (s *stream) check(d time.Duration) error {
	ctx, cancel := context.WithTimeout(s.r.Context(), d)
	defer cancel()
	go func() {
		select {
		case <-s.hub.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	return s.recheck(ctx)
}

// write sends s.buf and returns why the stream must end, or "".
func (s *stream) write(log *slog.Logger) string {
	err := s.flush()
	if err == nil {
		return ""
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		s.hub.slowDropped.Add(1)
		log.Info("sse client dropped: write timed out")
		return "client too slow (write timeout)"
	}
	return "write failed: " + err.Error()
}

// flush writes s.buf under a fresh write deadline and flushes it.
func (s *stream) flush() error {
	s.mu.Lock()
	if s.interrupted {
		s.mu.Unlock()
		return errInterrupted
	}
	if s.deadlines {
		if err := s.rc.SetWriteDeadline(time.Now().Add(s.hub.opts.WriteTimeout)); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	s.mu.Unlock()
	if _, err := s.w.Write(s.buf); err != nil {
		return err
	}
	return s.rc.Flush()
}

// interrupt makes a write that is stuck on an unread socket fail now. The
// hub calls it from Shutdown, another goroutine: it touches only the
// connection's deadline, which is safe to set concurrently.
func (s *stream) interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interrupted = true
	if s.deadlines && !s.ended {
		_ = s.rc.SetWriteDeadline(time.Now())
	}
}

// appendFrame appends one SSE event. Publish compacts Data to one line and
// validates ID and Type; line breaks are still dropped here, because one
// would end the frame early. In valid JSON a raw CR or LF can only be
// whitespace between tokens, so dropping it keeps the JSON intact.
func appendFrame(buf []byte, e Event) []byte {
	buf = append(buf, "id: "...)
	if e.Cursor != "" {
		buf = appendLine(buf, e.Cursor)
	} else {
		buf = appendLine(buf, e.ID)
	}
	buf = append(buf, "\nevent: "...)
	buf = appendLine(buf, e.Type)
	buf = append(buf, "\ndata: "...)
	if len(e.Data) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = appendLine(buf, e.Data)
	}
	return append(buf, "\n\n"...)
}

// appendLine appends p without its CR and LF bytes.
func appendLine[T ~string | ~[]byte](buf []byte, p T) []byte {
	for i := range len(p) {
		if c := p[i]; c != '\r' && c != '\n' {
			buf = append(buf, c)
		}
	}
	return buf
}

// newTimer returns a timer, or nil when d is negative (disabled).
func newTimer(d time.Duration) *time.Timer {
	if d < 0 {
		return nil
	}
	return time.NewTimer(d)
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// timerC returns t's channel, or nil (never ready) for a disabled timer.
func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}
