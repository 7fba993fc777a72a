package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// testChannel returns a channel name no other test uses.
func testChannel() string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	return "events_test_" + hex.EncodeToString(r[:])
}

// newTestPostgresBus starts a bus and waits until it listens.
func newTestPostgresBus(t *testing.T, cfg PostgresConfig) *PostgresBus {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger()
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = 10*time.Millisecond, 200*time.Millisecond
	}
	b, err := NewPostgresBus(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.WaitListening(ctx); err != nil {
		t.Fatalf("WaitListening: %v", err)
	}
	return b
}

// twoNodes returns node A built on a borrowed pool and node B on a
// connection string, sharing one channel, so both constructors are used.
func twoNodes(t *testing.T) (a, b *PostgresBus) {
	url := postgresURL(t)
	channel := testChannel()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // after the bus closes: cleanups run in reverse
	a = newTestPostgresBus(t, PostgresConfig{Pool: pool, Channel: channel, NodeName: "a"})
	b = newTestPostgresBus(t, PostgresConfig{ConnString: url, Channel: channel, NodeName: "b"})
	return a, b
}

func TestPostgresTwoNodesExactlyOnce(t *testing.T) {
	a, b := twoNodes(t)
	subA := a.Subscribe(Filter{All: true})
	subB := b.Subscribe(Filter{All: true})
	subBUser := b.Subscribe(Filter{UserID: "u2"})

	first := Event{ID: NewID(), Type: TypeDownloadUpdated, UserID: "u1", Data: json.RawMessage(`{"id":"d1","status":"downloading"}`)}
	mustPublish(t, a, first)
	// Notifications are delivered in commit order, so once the sentinel
	// arrives any duplicate of the first event would have arrived before.
	sentinel := Event{Type: TypeDownloadUpdated, UserID: "u2", Data: json.RawMessage(`"sentinel"`)}
	mustPublish(t, a, sentinel)

	for name, sub := range map[string]*Subscription{"node A": subA, "node B": subB} {
		t.Run(name, func(t *testing.T) {
			got := receive(t, sub)
			if got.ID != first.ID || got.Type != first.Type || got.UserID != "u1" || string(got.Data) != string(first.Data) || got.Truncated {
				t.Errorf("got %+v (data %s), want %+v", got, got.Data, first)
			}
			if got := receive(t, sub); string(got.Data) != `"sentinel"` {
				t.Errorf("second event is %s %s, want the sentinel once", got.Type, got.Data)
			}
			expectNone(t, sub, 100*time.Millisecond)
		})
	}
	t.Run("filter on the receiving node", func(t *testing.T) {
		if got := receive(t, subBUser); string(got.Data) != `"sentinel"` {
			t.Errorf("user u2 got %s", got.Data)
		}
		expectNone(t, subBUser, 20*time.Millisecond)
	})
	t.Run("other direction", func(t *testing.T) {
		mustPublish(t, b, Event{Type: TypeFileCreated, UserID: "u2", Data: json.RawMessage(`{"id":"f1"}`)})
		for _, sub := range []*Subscription{subA, subB, subBUser} {
			if got := receive(t, sub); got.Type != TypeFileCreated {
				t.Errorf("got %s", got.Type)
			}
			expectNone(t, sub, 100*time.Millisecond)
		}
	})

	sa, sb := a.Stats(), b.Stats()
	if sa.Published != 2 || sa.Received != 1 || sb.Published != 1 || sb.Received != 2 || !sa.Listening || !sb.Listening {
		t.Errorf("stats: A %+v, B %+v", sa, sb)
	}
	if a.NodeID() == b.NodeID() || !strings.HasPrefix(a.NodeID(), "a-") {
		t.Errorf("node ids %q and %q", a.NodeID(), b.NodeID())
	}
}

func TestPostgresSameNodeNameTwice(t *testing.T) {
	// serve and worker on one host share a node name; each must still
	// receive the other's events.
	url, channel := postgresURL(t), testChannel()
	a := newTestPostgresBus(t, PostgresConfig{ConnString: url, Channel: channel, NodeName: "host"})
	b := newTestPostgresBus(t, PostgresConfig{ConnString: url, Channel: channel, NodeName: "host"})
	sub := b.Subscribe(Filter{All: true})
	mustPublish(t, a, Event{Type: TypeLogAppended})
	if got := receive(t, sub); got.Type != TypeLogAppended {
		t.Fatalf("got %s", got.Type)
	}
}

func TestPostgresLargePayload(t *testing.T) {
	a, b := twoNodes(t)
	subA := a.Subscribe(Filter{All: true})
	subB := b.Subscribe(Filter{All: true})

	tests := []struct {
		name          string
		data          string
		wantRemote    string // "" means the full data
		wantTruncated bool
	}{
		{name: "fits", data: `{"id":"d1","s":"` + strings.Repeat("a", 7000) + `"}`},
		{name: "too large, with id", data: `{"id":"d2","s":"` + strings.Repeat("b", 20000) + `"}`, wantRemote: `{"id":"d2","truncated":true}`, wantTruncated: true},
		{name: "too large, no id", data: `{"s":"` + strings.Repeat("c", 100000) + `"}`, wantRemote: `{"truncated":true}`, wantTruncated: true},
	}
	var truncated uint64
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustPublish(t, a, Event{Type: TypeDownloadUpdated, UserID: "u", Data: json.RawMessage(tt.data)})
			if got := receive(t, subA); string(got.Data) != tt.data || got.Truncated {
				t.Errorf("local subscriber got %d bytes, truncated %v; want the full event", len(got.Data), got.Truncated)
			}
			want := tt.data
			if tt.wantRemote != "" {
				want = tt.wantRemote
				truncated++
			}
			got := receive(t, subB)
			if string(got.Data) != want || got.Truncated != tt.wantTruncated {
				t.Errorf("remote got %.80s (truncated %v), want %.80s (truncated %v)", got.Data, got.Truncated, want, tt.wantTruncated)
			}
		})
	}
	if got := a.Stats().Truncated; got != truncated {
		t.Errorf("Stats.Truncated = %d, want %d", got, truncated)
	}
}

func TestPostgresConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  PostgresConfig
	}{
		{"no pool or conn string", PostgresConfig{}},
		{"bad conn string", PostgresConfig{ConnString: "postgres://%zz"}},
		{"channel too long", PostgresConfig{ConnString: "postgres://x/y", Channel: strings.Repeat("c", 64)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := NewPostgresBus(tt.cfg); err == nil {
				_ = b.Close()
				t.Fatal("accepted")
			}
		})
	}
}

// TestPostgresResumeOnEachNode: each node numbers the events it delivers
// (its own and the other nodes') in its own history. A client coming back
// to the same node resumes exactly; a cursor from another node is foreign
// there and gets events.resync.
func TestPostgresResumeOnEachNode(t *testing.T) {
	a, b := twoNodes(t)
	srvB := testServer(t, NewHub(b, HubOptions{}))
	c := connect(t, srvB.URL, userHeader("u1", false))
	start := c.next(t, time.Second).id
	// Published on A, delivered on B through NOTIFY.
	for n := 1; n <= 3; n++ {
		if err := a.Publish(context.Background(), Event{Type: TypeDownloadUpdated, UserID: "u1", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}); err != nil {
			t.Fatal(err)
		}
	}
	first := c.nextEvent(t, 5*time.Second)
	if cursorSeq(t, b.local, first.id) != cursorSeq(t, b.local, start)+1 {
		t.Fatalf("first event %s after the opening %s", first.id, start)
	}
	c.close()
	back := resumeFrom(t, srvB.URL, first.id, false)
	back.next(t, time.Second)
	expectData(t, back, `{"n":2}`, `{"n":3}`)

	aCursor := a.local.history.Head()
	other := resumeFrom(t, srvB.URL, aCursor, false)
	other.next(t, time.Second)
	if f := other.nextEvent(t, time.Second); f.event != TypeResync || f.id != b.local.history.Head() {
		t.Fatalf("A's cursor on B: %+v, want %s", f, TypeResync)
	}
}
