package events

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// smallBufferListener gives accepted connections a small send buffer, so
// a client that stops reading blocks the server's writes quickly.
type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

func newSmallBufferServer(t *testing.T, hub *Hub) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(sseHandler(hub))
	srv.Listener = smallBufferListener{srv.Listener}
	srv.Start()
	t.Cleanup(func() { closeServer(t, hub, srv) })
	return srv
}

// stalledClient opens a stream on a raw connection with a small receive
// buffer and never reads from it.
func stalledClient(t *testing.T, srv *httptest.Server) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*net.TCPConn)
	_ = tc.SetReadBuffer(4096)
	t.Cleanup(func() { _ = tc.Close() })
	if _, err := fmt.Fprintf(tc, "GET /?scope=all HTTP/1.1\r\nHost: test\r\nX-User: slow\r\nX-Admin: 1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	return tc
}

func TestSSESlowClientDropped(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	hub := NewHub(bus, HubOptions{WriteTimeout: 300 * time.Millisecond, ClientBuffer: 1024, KeepAlive: time.Hour})
	srv := newSmallBufferServer(t, hub)

	slow := stalledClient(t, srv)
	eventually(t, "slow client connected", func() bool { return hub.Clients() == 1 })
	fast := connect(t, srv.URL+"?scope=all", userHeader("fast", true))
	fast.next(t, time.Second) // retry hint

	// Fill the slow client's socket: ~800 KB that it never reads.
	blob := strings.Repeat("x", 4000)
	var publishTime time.Duration
	publish := func(e Event) {
		start := time.Now()
		mustPublish(t, bus, e)
		publishTime += time.Since(start)
	}
	const bulk = 200
	for i := range bulk {
		publish(Event{Type: TypeLogAppended, Data: json.RawMessage(fmt.Sprintf(`{"n":%d,"blob":%q}`, i, blob))})
	}
	for i := range bulk {
		if f := fast.nextEvent(t, 2*time.Second); !strings.HasPrefix(f.data, fmt.Sprintf(`{"n":%d,`, i)) {
			t.Fatalf("fast client event %d: %.20s", i, f.data)
		}
	}

	// While the slow client's writer is stuck, the fast one gets each new
	// event promptly.
	var worst time.Duration
	for i := range 20 {
		start := time.Now()
		publish(Event{Type: TypeDownloadProgress, UserID: "fast", Data: json.RawMessage(fmt.Sprint(i))})
		if f := fast.nextEvent(t, time.Second); f.data != fmt.Sprint(i) {
			t.Fatalf("probe %d: got %s", i, f.data)
		}
		worst = max(worst, time.Since(start))
	}
	t.Logf("publish total %v for %d events; worst probe latency %v", publishTime, bulk+20, worst)
	if publishTime > 2*time.Second {
		t.Errorf("publishing took %v: publishers were slowed by the stalled client", publishTime)
	}

	eventually(t, "slow client dropped", func() bool { return hub.Clients() == 1 })
	if got := hub.SlowClientsDropped(); got != 1 {
		t.Errorf("SlowClientsDropped = %d, want 1", got)
	}
	// The server closed the slow connection: reading it to the end
	// finishes instead of waiting for more events.
	_ = slow.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, slow); err != nil && !isConnReset(err) {
		t.Errorf("slow connection not closed by the server: %v", err)
	}
	// And the fast client is still connected and served.
	mustPublish(t, bus, Event{Type: TypeDownloadProgress, UserID: "fast", Data: json.RawMessage(`"still here"`)})
	if f := fast.nextEvent(t, time.Second); f.data != `"still here"` {
		t.Fatalf("got %s", f.data)
	}
}

func isConnReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

func TestSSEShutdownInterruptsStuckWrite(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	// A write timeout far longer than the test: only Shutdown can end it.
	hub := NewHub(bus, HubOptions{WriteTimeout: time.Minute, ClientBuffer: 1024, KeepAlive: time.Hour})
	srv := newSmallBufferServer(t, hub)
	stalledClient(t, srv)
	eventually(t, "client connected", func() bool { return hub.Clients() == 1 })
	blob := strings.Repeat("y", 4000)
	for range 200 {
		mustPublish(t, bus, Event{Type: TypeLogAppended, Data: json.RawMessage(fmt.Sprintf("%q", blob))})
	}
	time.Sleep(100 * time.Millisecond) // let the writer block on the full socket

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hub.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Shutdown took %v with a stuck client", d)
	}
	if hub.Clients() != 0 {
		t.Errorf("Clients = %d after Shutdown", hub.Clients())
	}
}

// blockingWriter is a ResponseWriter whose writes wait until released,
// like a socket whose peer stopped reading, without write deadlines.
type blockingWriter struct {
	header  http.Header
	mu      sync.Mutex
	writes  int
	release chan struct{}
}

func (w *blockingWriter) Header() http.Header { return w.header }
func (w *blockingWriter) WriteHeader(int)     {}
func (w *blockingWriter) Flush()              {}
func (w *blockingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes++
	first := w.writes == 1
	w.mu.Unlock()
	if !first { // the preamble goes through; later writes block
		<-w.release
	}
	return len(p), nil
}

func TestSSEOverflowDropsClient(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	hub := NewHub(bus, HubOptions{ClientBuffer: 4, KeepAlive: time.Hour})
	w := &blockingWriter{header: http.Header{}, release: make(chan struct{})}
	returned := make(chan error, 1)
	go func() {
		returned <- hub.ServeSSE(w, httptest.NewRequest(http.MethodGet, "/", nil), Filter{All: true})
	}()
	eventually(t, "subscribed", func() bool { return bus.Stats().Subscribers == 1 })

	for range 50 {
		mustPublish(t, bus, Event{Type: TypeLogAppended})
	}
	if bus.Stats().Dropped == 0 {
		t.Fatal("nothing dropped for a stuck client with a buffer of 4")
	}
	close(w.release) // the write returns; the stream sees the overflow
	select {
	case err := <-returned:
		if err != nil {
			t.Fatalf("ServeSSE = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stream of an overflowed client still running")
	}
	if hub.SlowClientsDropped() != 1 || hub.Clients() != 0 || bus.Stats().Subscribers != 0 {
		t.Errorf("slow drops %d, clients %d, subscribers %d", hub.SlowClientsDropped(), hub.Clients(), bus.Stats().Subscribers)
	}
}
