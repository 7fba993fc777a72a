package events

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/downlink/downlink/api/internal/problem"
)

// Errors returned by Hub.ServeSSE before the stream starts.
var (
	// ErrHubClosed: the hub is shutting down; the client should retry.
	ErrHubClosed = problem.New(http.StatusServiceUnavailable, "Event stream unavailable").
			WithDetail("The server is shutting down.").WithHeader("Retry-After", "5")
	// ErrStreamingUnsupported: the ResponseWriter cannot flush, so events
	// would sit in a buffer (a middleware such as gzip wraps it).
	ErrStreamingUnsupported = errors.New("events: response writer does not support flushing")
)

// Subscriber is what the Hub needs from a bus.
type Subscriber interface {
	Subscribe(f Filter, opts ...SubscribeOption) *Subscription
}

// HubOptions tune the SSE hub. Zero fields take the defaults; a negative
// IdleTimeout or MaxLifetime disables it.
type HubOptions struct {
	// KeepAlive is the interval of ": keep-alive" comments, which keep
	// proxies from closing a quiet stream (default 15s).
	KeepAlive time.Duration
	// Retry is the reconnection delay sent to EventSource (default 3s).
	Retry time.Duration
	// IdleTimeout closes a stream that carried no event for this long
	// (default 10m); EventSource reconnects.
	IdleTimeout time.Duration
	// MaxLifetime closes every stream after this long (default 30m), so a
	// revoked session or changed role takes effect on reconnect.
	MaxLifetime time.Duration
	// WriteTimeout bounds one write to a client; a client that does not
	// read for this long is dropped (default 10s).
	WriteTimeout time.Duration
	// RecheckInterval is how often a stream given WithRecheck asks whether
	// its caller may still listen (default 5s).
	RecheckInterval time.Duration
	// ClientBuffer is how many events may wait for one client before it is
	// considered too slow and dropped (default 64).
	ClientBuffer int
	// Logger receives stream starts and ends at debug level and slow-client
	// drops at info; nil discards them.
	Logger *slog.Logger
}

func (o *HubOptions) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.KeepAlive, 15*time.Second)
	def(&o.Retry, 3*time.Second)
	def(&o.IdleTimeout, 10*time.Minute)
	def(&o.MaxLifetime, 30*time.Minute)
	def(&o.WriteTimeout, 10*time.Second)
	def(&o.RecheckInterval, 5*time.Second)
	if o.ClientBuffer <= 0 {
		o.ClientBuffer = 64
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Hub serves Server-Sent Events streams from a bus. Each stream runs in its
// request's goroutine with its own bounded subscription, so a slow client
// only ever loses its own events and then its connection.
//
// Call Shutdown before the HTTP server's Shutdown: http.Server waits for
// active handlers, and streams end only when told to.
type Hub struct {
	bus  Subscriber
	opts HubOptions
	log  *slog.Logger

	mu      sync.Mutex
	closed  bool
	streams map[*stream]struct{}
	done    chan struct{}
	wg      sync.WaitGroup

	clients     atomic.Int64
	slowDropped atomic.Uint64
}

// NewHub returns a hub reading from bus. It starts no goroutine.
func NewHub(bus Subscriber, opts HubOptions) *Hub {
	opts.setDefaults()
	return &Hub{
		bus:     bus,
		opts:    opts,
		log:     opts.Logger.With("component", "sse"),
		streams: make(map[*stream]struct{}),
		done:    make(chan struct{}),
	}
}

// Clients returns the number of connected SSE clients.
func (h *Hub) Clients() int64 { return h.clients.Load() }

// SlowClientsDropped returns how many streams were closed because the
// client did not keep up.
func (h *Hub) SlowClientsDropped() uint64 { return h.slowDropped.Load() }

// ServeSSE streams the events f lets through to the client until the
// client goes away, the stream is idle or old enough (see HubOptions), the
// client falls behind, or the hub shuts down. It needs only net/http, so it
// works under Echo: return h.ServeSSE(c.Response(), c.Request(), f).
//
// It returns ErrHubClosed or ErrStreamingUnsupported before writing
// anything; once the stream has started it returns nil, since the status
// line is already sent.
func (h *Hub) ServeSSE(w http.ResponseWriter, r *http.Request, f Filter, opts ...StreamOption) error {
	if !canFlush(w) {
		return ErrStreamingUnsupported
	}
	s := newStream(h, w, r)
	for _, o := range opts {
		o(s)
	}
	if !h.register(s) {
		return ErrHubClosed
	}
	defer h.unregister(s)

	// Subscribe before the headers go out: a client that has seen the
	// response has a subscription, so nothing published after is missed.
	subOpts := []SubscribeOption{WithBuffer(h.opts.ClientBuffer)}
	if s.lastID = lastEventID(r); s.lastID != "" {
		subOpts = append(subOpts, WithResume(s.lastID))
	}
	sub := h.bus.Subscribe(f, subOpts...)
	defer sub.Close()

	h.clients.Add(1)
	defer h.clients.Add(-1)
	s.run(sub)
	return nil
}

// LastEventIDParam is the query parameter that stands in for the
// Last-Event-ID header, for a client that opens a new EventSource (which
// cannot set headers) instead of letting the old one reconnect.
const LastEventIDParam = "last_event_id"

// maxLastEventID bounds the Last-Event-ID considered; cursors are short.
const maxLastEventID = 64

// lastEventID is where the client says it left off: the Last-Event-ID
// header (EventSource's reconnect), else ?last_event_id=.
func lastEventID(r *http.Request) string {
	id := r.Header.Get("Last-Event-ID")
	if id == "" {
		id = r.URL.Query().Get(LastEventIDParam)
	}
	if len(id) > maxLastEventID {
		id = id[:maxLastEventID] // no cursor of ours: the client resyncs
	}
	return id
}

// StreamOption tunes one stream.
type StreamOption func(*stream)

// WithRecheck makes the stream ask check, every HubOptions.RecheckInterval,
// whether its caller may still listen, and end at the first error: a
// revoked or expired key, a disabled user, a changed role or an ended
// session stop a stream within seconds, not at its MaxLifetime. check runs
// in the stream's goroutine with a context bounded by the interval.
func WithRecheck(check func(context.Context) error) StreamOption {
	return func(s *stream) { s.recheck = check }
}

func (h *Hub) register(s *stream) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.streams[s] = struct{}{}
	h.wg.Add(1)
	return true
}

func (h *Hub) unregister(s *stream) {
	h.mu.Lock()
	delete(h.streams, s)
	h.mu.Unlock()
	h.wg.Done()
}

// Shutdown ends every stream, refuses new ones, and waits for the streams'
// handlers to return or ctx to end. A stream stuck writing to a client that
// does not read is cut by expiring its write deadline.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.done)
		for s := range h.streams {
			s.interrupt()
		}
	}
	h.mu.Unlock()

	finished := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// canFlush reports whether w, or a writer it wraps, can flush.
func canFlush(w http.ResponseWriter) bool {
	for {
		if _, ok := w.(http.Flusher); ok {
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}
