package events

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cursorSeq checks that id is a cursor of bus and returns its number.
func cursorSeq(t testing.TB, bus *InProcessBus, id string) uint64 {
	t.Helper()
	epoch, n, ok := strings.Cut(id, "-")
	seq, err := strconv.ParseUint(n, 10, 64)
	if !ok || epoch != bus.history.epoch || err != nil {
		t.Fatalf("id %q is not a cursor of this bus (epoch %s)", id, bus.history.epoch)
	}
	return seq
}

// publishData publishes an event of typ for user with data {"n":n}.
func publishData(t testing.TB, bus *InProcessBus, typ, user string, n int) {
	t.Helper()
	mustPublish(t, bus, Event{Type: typ, UserID: user, Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))})
}

// resumeFrom connects as u1 with Last-Event-ID id (in the header, or in
// ?last_event_id= when query) and returns the client after its opening
// frame, which must carry no id: the client's position stays its own.
func resumeFrom(t *testing.T, url, id string, query bool) *sseClient {
	t.Helper()
	h := userHeader("u1", false)
	if query {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + LastEventIDParam + "=" + id
	} else {
		h.Set("Last-Event-ID", id)
	}
	c := connect(t, url, h)
	return c
}

// expectData reads the next events and compares their data, in order.
func expectData(t *testing.T, c *sseClient, want ...string) []frame {
	t.Helper()
	var got []frame
	for _, w := range want {
		f := c.nextEvent(t, 2*time.Second)
		got = append(got, f)
		if f.data != w {
			t.Fatalf("event %d: %s %s, want data %s", len(got), f.event, f.data, w)
		}
	}
	return got
}

// TestSSELastEventIDReplay: a client that drops its connection and comes
// back with the id of the last event it read receives exactly the events it
// missed (its own, of the types it asked for), then the live ones, with no
// resync and no duplicate.
func TestSSELastEventIDReplay(t *testing.T) {
	t.Parallel()
	for _, query := range []bool{false, true} {
		t.Run(fmt.Sprintf("query=%v", query), func(t *testing.T) {
			t.Parallel()
			bus := NewInProcessBus()
			defer bus.Close()
			srv := testServer(t, NewHub(bus, HubOptions{}))

			first := connect(t, srv.URL, userHeader("u1", false))
			open := first.next(t, time.Second)
			if open.retry == "" || cursorSeq(t, bus, open.id) != 0 {
				t.Fatalf("opening frame %+v, want retry and the bus's head", open)
			}
			publishData(t, bus, TypeDownloadCreated, "u1", 1)
			seen := first.nextEvent(t, time.Second)
			first.close() // the connection drops

			publishData(t, bus, TypeDownloadUpdated, "u1", 2)
			publishData(t, bus, TypeDownloadUpdated, "u2", 3) // not u1's
			publishData(t, bus, TypeFileCreated, "u1", 4)
			publishData(t, bus, TypeLogAppended, "", 5) // admins'

			back := resumeFrom(t, srv.URL, seen.id, query)
			if f := back.next(t, time.Second); f.retry == "" || f.id != "" || f.event != "" {
				t.Fatalf("opening frame %+v, want only the retry hint", f)
			}
			missed := expectData(t, back, `{"n":2}`, `{"n":4}`)
			publishData(t, bus, TypeDownloadProgress, "u1", 6)
			live := expectData(t, back, `{"n":6}`)
			if missed[0].event != TypeDownloadUpdated || missed[1].event != TypeFileCreated ||
				cursorSeq(t, bus, missed[1].id) >= cursorSeq(t, bus, live[0].id) {
				t.Errorf("replayed %+v then %+v", missed, live)
			}

			// From the opening id (no event read yet) everything of u1's comes back.
			all := resumeFrom(t, srv.URL, open.id, query)
			all.next(t, time.Second)
			expectData(t, all, `{"n":1}`, `{"n":2}`, `{"n":4}`, `{"n":6}`)

			// A type filter applies to the replay too.
			files := resumeFrom(t, srv.URL+"?types=file.*", open.id, query)
			files.next(t, time.Second)
			expectData(t, files, `{"n":4}`)

			// A client that read everything gets nothing replayed.
			upToDate := resumeFrom(t, srv.URL, live[0].id, query)
			upToDate.next(t, time.Second)
			publishData(t, bus, TypeDownloadUpdated, "u1", 7)
			expectData(t, upToDate, `{"n":7}`)
		})
	}
}

// TestSSELastEventIDOutsideHistory: an id this node cannot resume from (not
// a cursor, another node's or a restarted node's epoch, from the future, or
// older than the bounded history) gets events.resync, whose id is where the
// stream continues: coming back with it replays what followed.
func TestSSELastEventIDOutsideHistory(t *testing.T) {
	t.Parallel()
	bus := NewInProcessBus(WithHistory(3, 0))
	defer bus.Close()
	srv := testServer(t, NewHub(bus, HubOptions{}))
	c := connect(t, srv.URL, userHeader("u1", false))
	c.next(t, time.Second)
	publishData(t, bus, TypeDownloadUpdated, "u1", 1)
	evicted := c.nextEvent(t, time.Second).id
	for n := 2; n <= 5; n++ {
		publishData(t, bus, TypeDownloadUpdated, "u1", n)
	}
	head := bus.history.Head()
	other := NewInProcessBus()
	defer other.Close()

	for _, tt := range []struct{ name, id string }{
		{"a uuid", NewID()},
		{"garbage", "not a cursor"},
		{"another node's", other.history.Head()},
		{"from the future", bus.history.cursor(99)},
		{"older than the history", evicted},
		{"too long", head + strings.Repeat("0", 100)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := resumeFrom(t, srv.URL, tt.id, false)
			c.next(t, time.Second)
			f := c.nextEvent(t, time.Second)
			if f.event != TypeResync || f.data != `{"reason":"client_reconnected"}` || f.id != head {
				t.Fatalf("got %+v, want %s with id %s", f, TypeResync, head)
			}
			c.close()
		})
	}
	// The oldest kept event's predecessor is still a position: 3 kept (3, 4, 5).
	c2 := resumeFrom(t, srv.URL, bus.history.cursor(2), false)
	c2.next(t, time.Second)
	expectData(t, c2, `{"n":3}`, `{"n":4}`, `{"n":5}`)

	// Resuming from the resync's id replays what followed it.
	publishData(t, bus, TypeDownloadUpdated, "u1", 6)
	c3 := resumeFrom(t, srv.URL, head, false)
	c3.next(t, time.Second)
	expectData(t, c3, `{"n":6}`)
}

// TestSSEReplayIncludesListenerResync: a resync the bus sent while the
// client was away (its cross-node listener reconnected) is part of what the
// client missed, whatever its type filter.
func TestSSEReplayIncludesListenerResync(t *testing.T) {
	t.Parallel()
	bus := NewInProcessBus()
	defer bus.Close()
	srv := testServer(t, NewHub(bus, HubOptions{}))
	head := bus.history.Head()
	bus.deliver(Event{ID: NewID(), Type: TypeResync, Data: json.RawMessage(`{"reason":"listener_reconnected"}`), Time: time.Now()})
	publishData(t, bus, TypeFileCreated, "u1", 1)
	c := resumeFrom(t, srv.URL+"?types=file.created", head, false)
	c.next(t, time.Second)
	expectData(t, c, `{"reason":"listener_reconnected"}`, `{"n":1}`)
}

// TestHistoryBoundedByBytes: the oldest events go when the data kept would
// pass the byte bound.
func TestHistoryBoundedByBytes(t *testing.T) {
	t.Parallel()
	size := eventSize(Event{Type: TypeDownloadUpdated, Data: json.RawMessage(`{"n":1}`), Cursor: "00000000-1"})
	h := newHistory(busOptions{historyEvents: 100, historyBytes: 3 * size})
	for range 5 {
		h.add(Event{Type: TypeDownloadUpdated, Data: json.RawMessage(`{"n":1}`)})
	}
	m := compileFilter(Filter{All: true})
	if _, ok := h.since(h.cursor(1), &m); ok {
		t.Error("the first event's position is still covered")
	}
	got, ok := h.since(h.cursor(2), &m)
	if !ok || len(got) != 3 || got[0].Cursor != h.cursor(3) {
		t.Errorf("since 2: %v %+v", ok, got)
	}
	if h.n != 3 || h.bytes > h.maxBytes {
		t.Errorf("kept %d events, %d bytes (max %d)", h.n, h.bytes, h.maxBytes)
	}
}
