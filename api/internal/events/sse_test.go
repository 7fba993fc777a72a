package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func userHeader(user string, admin bool) http.Header {
	h := http.Header{"X-User": {user}}
	if admin {
		h.Set("X-Admin", "1")
	}
	return h
}

func TestSSEStreamFramingAndOrder(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	hub := NewHub(bus, HubOptions{Retry: 1500 * time.Millisecond, ClientBuffer: 512})
	srv := testServer(t, hub)

	c := connect(t, srv.URL, userHeader("u1", false))
	for k, want := range map[string]string{
		"Content-Type":      "text/event-stream",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
		"Connection":        "keep-alive",
	} {
		if got := c.resp.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if f := c.next(t, 2*time.Second); f.retry != "1500" || f.event != "" {
		t.Fatalf("first frame %+v, want retry: 1500", f)
	}

	const n = 100
	var want []Event
	for i := range n {
		owner := "u1"
		if i%3 == 0 {
			owner = "u2" // not for this client
		}
		e := Event{ID: NewID(), Type: TypeDownloadProgress, UserID: owner,
			Data: json.RawMessage(fmt.Sprintf("{\n \"id\": \"d%d\", \"percent\": %d }", i, i))}
		mustPublish(t, bus, e)
		if owner == "u1" {
			want = append(want, e)
		}
	}
	prev := uint64(0)
	for i, w := range want {
		f := c.nextEvent(t, 2*time.Second)
		wantData, _ := normalize(w)
		seq := cursorSeq(t, bus, f.id)
		if seq <= prev || f.event != w.Type || f.data != string(wantData.Data) {
			t.Fatalf("event %d = %+v, want an id after %d, event %s data %s", i, f, prev, w.Type, wantData.Data)
		}
		prev = seq
	}
	if hub.Clients() != 1 {
		t.Errorf("Clients = %d, want 1", hub.Clients())
	}
}

func TestSSEFilters(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	srv := testServer(t, NewHub(bus, HubOptions{}))
	tests := []struct {
		name   string
		query  string
		header http.Header
		want   []string // data of the events the client should see
	}{
		{"own events", "", userHeader("u1", false), []string{`"u1-progress"`, `"u1-file"`}},
		{"own, by type", "?types=file.created", userHeader("u1", false), []string{`"u1-file"`}},
		{"admin own scope", "", userHeader("admin", true), nil},
		{"admin all", "?scope=all", userHeader("admin", true), []string{`"u1-progress"`, `"u1-file"`, `"u2-progress"`, `"log"`}},
		{"admin all, types", "?scope=all&types=log.appended,download.*", userHeader("admin", true), []string{`"u1-progress"`, `"u2-progress"`, `"log"`}},
	}
	clients := make([]*sseClient, len(tests))
	for i, tt := range tests {
		clients[i] = connect(t, srv.URL+tt.query, tt.header)
		clients[i].next(t, 2*time.Second) // retry hint
	}
	for _, e := range []Event{
		{Type: TypeDownloadProgress, UserID: "u1", Data: json.RawMessage(`"u1-progress"`)},
		{Type: TypeFileCreated, UserID: "u1", Data: json.RawMessage(`"u1-file"`)},
		{Type: TypeDownloadProgress, UserID: "u2", Data: json.RawMessage(`"u2-progress"`)},
		{Type: TypeLogAppended, Data: json.RawMessage(`"log"`)},
		// One end marker that each client's filter lets through.
		{Type: TypeFileCreated, UserID: "u1", Data: json.RawMessage(`"end"`)},
		{Type: TypeLogAppended, Data: json.RawMessage(`"end"`)},
		{Type: TypeDownloadUpdated, UserID: "admin", Data: json.RawMessage(`"end"`)},
	} {
		mustPublish(t, bus, e)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for {
				f := clients[i].nextEvent(t, 2*time.Second)
				if f.data == `"end"` {
					break
				}
				got = append(got, f.data)
				if len(got) > len(tt.want) {
					break
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSSERequestErrors(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	hub := NewHub(bus, HubOptions{})
	srv := testServer(t, hub)
	tests := []struct {
		name   string
		query  string
		header http.Header
		status int
	}{
		{"all for a non-admin", "?scope=all", userHeader("u1", false), http.StatusForbidden},
		{"unknown scope", "?scope=mine", userHeader("u1", false), http.StatusBadRequest},
		{"bad type", "?types=Download", userHeader("u1", false), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.query, nil)
			req.Header = tt.header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
	t.Run("writer that cannot flush", func(t *testing.T) {
		var w struct{ http.ResponseWriter } // hides the recorder's Flush
		w.ResponseWriter = httptest.NewRecorder()
		err := hub.ServeSSE(w, httptest.NewRequest(http.MethodGet, "/", nil), Filter{All: true})
		if !errors.Is(err, ErrStreamingUnsupported) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSSEKeepAlive(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	srv := testServer(t, NewHub(bus, HubOptions{KeepAlive: 30 * time.Millisecond}))
	c := connect(t, srv.URL, userHeader("u1", false))
	c.next(t, time.Second) // retry hint
	for range 3 {
		if f := c.next(t, time.Second); f.comment != "keep-alive" || f.event != "" {
			t.Fatalf("frame %+v, want a keep-alive comment", f)
		}
	}
}

func TestSSELastEventIDResync(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	srv := testServer(t, NewHub(bus, HubOptions{}))
	h := userHeader("u1", false)
	h.Set("Last-Event-ID", NewID())
	c := connect(t, srv.URL, h)
	if f := c.next(t, time.Second); f.retry == "" {
		t.Fatalf("first frame %+v, want the retry hint", f)
	}
	if f := c.next(t, time.Second); f.event != TypeResync || f.id == "" || f.data != `{"reason":"client_reconnected"}` {
		t.Fatalf("frame %+v, want %s", f, TypeResync)
	}
	t.Run("bus resync passes type filters", func(t *testing.T) {
		c := connect(t, srv.URL+"?types=file.created", userHeader("u1", false))
		bus.deliver(Event{ID: NewID(), Type: TypeResync, Data: json.RawMessage(`{"reason":"listener_reconnected"}`), Time: time.Now()})
		if f := c.nextEvent(t, time.Second); f.event != TypeResync {
			t.Fatalf("got %+v", f)
		}
	})
}

func TestSSEUnderEcho(t *testing.T) {
	bus := NewInProcessBus()
	defer bus.Close()
	hub := NewHub(bus, HubOptions{})
	e := echo.New()
	e.GET("/api/v1/events", func(c echo.Context) error {
		f, err := ParseFilter(c.Request().URL.Query(), "u1", false)
		if err != nil {
			return err
		}
		return hub.ServeSSE(c.Response(), c.Request(), f)
	})
	srv := httptest.NewServer(e)
	t.Cleanup(func() { closeServer(t, hub, srv) })
	c := connect(t, srv.URL+"/api/v1/events", nil)
	mustPublish(t, bus, Event{Type: TypeDownloadCreated, UserID: "u1", Data: json.RawMessage(`{"id":"d1"}`)})
	if f := c.nextEvent(t, 2*time.Second); f.event != TypeDownloadCreated || f.data != `{"id":"d1"}` {
		t.Fatalf("got %+v", f)
	}
}
