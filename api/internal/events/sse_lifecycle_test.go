package events

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSSETimeouts(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	t.Run("max lifetime", func(t *testing.T) {
		hub := NewHub(bus, HubOptions{MaxLifetime: 200 * time.Millisecond, KeepAlive: 20 * time.Millisecond})
		c := connect(t, testServer(t, hub).URL, userHeader("u1", false))
		stop := make(chan struct{})
		defer close(stop)
		go func() { // a busy stream still ends at its lifetime
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
					_ = bus.Publish(context.Background(), Event{Type: TypeDownloadProgress, UserID: "u1"})
				}
			}
		}()
		if d := c.waitEnd(t, 3*time.Second); d < 150*time.Millisecond {
			t.Errorf("stream ended after %v, before its lifetime", d)
		}
		eventually(t, "client count 0", func() bool { return hub.Clients() == 0 })
	})
	t.Run("idle", func(t *testing.T) {
		hub := NewHub(bus, HubOptions{IdleTimeout: 300 * time.Millisecond, KeepAlive: 20 * time.Millisecond})
		c := connect(t, testServer(t, hub).URL, userHeader("u1", false))
		// Events keep the stream alive past the idle timeout...
		for range 8 {
			time.Sleep(75 * time.Millisecond)
			mustPublish(t, bus, Event{Type: TypeDownloadProgress, UserID: "u1"})
			c.nextEvent(t, time.Second)
		}
		// ...keep-alive comments do not.
		if d := c.waitEnd(t, 3*time.Second); d < 200*time.Millisecond {
			t.Errorf("idle stream ended after %v", d)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		hub := NewHub(bus, HubOptions{IdleTimeout: -1, MaxLifetime: -1, KeepAlive: 10 * time.Millisecond})
		c := connect(t, testServer(t, hub).URL, userHeader("u1", false))
		time.Sleep(100 * time.Millisecond)
		mustPublish(t, bus, Event{Type: TypeDownloadProgress, UserID: "u1"})
		c.nextEvent(t, time.Second)
	})
}

func TestSSEClientDisconnect(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	hub := NewHub(bus, HubOptions{})
	srv := testServer(t, hub)
	c := connect(t, srv.URL, userHeader("u1", false))
	if hub.Clients() != 1 || bus.Stats().Subscribers != 1 {
		t.Fatalf("clients %d, subscribers %d", hub.Clients(), bus.Stats().Subscribers)
	}
	c.close()
	eventually(t, "handler exit", func() bool { return hub.Clients() == 0 && bus.Stats().Subscribers == 0 })
}

// shutdownWith opens n streams on a new hub, shuts the hub down and
// waits up to end for each stream to end cleanly (waitEnd fails on
// anything but the response's proper end).
func shutdownWith(t *testing.T, bus Bus, n int, end time.Duration) (*Hub, *httptest.Server) {
	t.Helper()
	hub := NewHub(bus, HubOptions{})
	srv := testServer(t, hub)
	var clients []*sseClient
	for i := range n {
		clients = append(clients, connect(t, srv.URL, userHeader(fmt.Sprint("u", i), false)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hub.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, c := range clients {
		c.waitEnd(t, end)
	}
	return hub, srv
}

func TestSSEShutdown(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	hub, srv := shutdownWith(t, bus, 5, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if hub.Clients() != 0 || bus.Stats().Subscribers != 0 {
		t.Errorf("after Shutdown: clients %d, subscribers %d", hub.Clients(), bus.Stats().Subscribers)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("new stream after Shutdown: %d, want 503", resp.StatusCode)
	}
	if err := hub.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

func TestSSEBusClosed(t *testing.T) {
	bus := NewInProcessBus()
	hub := NewHub(bus, HubOptions{})
	c := connect(t, testServer(t, hub).URL, userHeader("u1", false))
	_ = bus.Close()
	c.waitEnd(t, time.Second)
}

// TestSSEShutdownEndsEveryStreamCleanly: a stream whose handler saw the
// shutdown and finished before the hub got to interrupting it still ends
// with the response's proper end (CI saw "unexpected EOF": the hub set a
// write deadline of now on a connection whose handler had just cleared
// it, and net/http could not write the last chunk). Many streams, many
// rounds: the order of the two is up to the scheduler.
func TestSSEShutdownEndsEveryStreamCleanly(t *testing.T) {
	t.Parallel()
	for range 20 {
		bus := NewInProcessBus()
		shutdownWith(t, bus, 10, 2*time.Second)
		bus.Close()
	}
}
