package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestPostgresReconnect(t *testing.T) {
	a, b := twoNodes(t)
	subB := b.Subscribe(Filter{All: true})
	admin, err := pgx.Connect(context.Background(), postgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())

	// expectFlow publishes on A until B receives it: after a kill, A's
	// first attempts may fail on dead pool connections, and those errors
	// must come back as errors.
	expectFlow := func(t *testing.T, label string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := a.Publish(context.Background(), Event{Type: TypeDownloadProgress, Data: json.RawMessage(`"` + label + `"`)})
			if err == nil {
				break
			}
			if !errors.Is(err, ErrNotDistributed) {
				t.Fatalf("Publish: %v, want ErrNotDistributed while the database recovers", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("Publish still failing: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		for {
			got := receive(t, subB)
			if got.Type == TypeDownloadProgress && string(got.Data) == `"`+label+`"` {
				return
			}
			if got.Type != TypeResync {
				t.Fatalf("unexpected %s %s", got.Type, got.Data)
			}
		}
	}
	waitResync := func(t *testing.T) {
		t.Helper()
		if got := receive(t, subB); got.Type != TypeResync {
			t.Fatalf("got %s %s, want %s after the reconnect", got.Type, got.Data, TypeResync)
		}
	}

	expectFlow(t, "before")
	t.Run("listener backend terminated", func(t *testing.T) {
		pid := b.listenerPID.Load()
		var ok bool
		if err := admin.QueryRow(context.Background(), "select pg_terminate_backend($1)", pid).Scan(&ok); err != nil || !ok {
			t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, ok, err)
		}
		waitResync(t)
		if newPID := b.listenerPID.Load(); newPID == pid || newPID == 0 {
			t.Errorf("listener pid %d after reconnect (was %d)", newPID, pid)
		}
		expectFlow(t, "after listener kill")
		if got := b.Stats().Reconnects; got != 1 {
			t.Errorf("Reconnects = %d, want 1", got)
		}
	})
	t.Run("every connection terminated", func(t *testing.T) {
		// Close to a database restart: the listeners and the publishing
		// pool lose their connections at once.
		_, err := admin.Exec(context.Background(),
			"select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")
		if err != nil {
			t.Fatal(err)
		}
		waitResync(t)
		expectFlow(t, "after restart")
	})
}

func TestPostgresQuietChannelHealthCheck(t *testing.T) {
	// The listener wakes every HealthCheck to ping; a quiet channel must
	// neither drop the connection nor lose later events.
	url, channel := postgresURL(t), testChannel()
	a := newTestPostgresBus(t, PostgresConfig{ConnString: url, Channel: channel, NodeName: "a"})
	b := newTestPostgresBus(t, PostgresConfig{ConnString: url, Channel: channel, NodeName: "b", HealthCheck: 20 * time.Millisecond})
	sub := b.Subscribe(Filter{All: true})
	pid := b.listenerPID.Load()
	time.Sleep(200 * time.Millisecond) // several health checks
	mustPublish(t, a, Event{Type: TypeLogAppended})
	if got := receive(t, sub); got.Type != TypeLogAppended {
		t.Fatalf("got %s", got.Type)
	}
	if st := b.Stats(); st.Reconnects != 0 || b.listenerPID.Load() != pid {
		t.Errorf("listener reconnected during quiet period: %+v", st)
	}
}

func TestPostgresUnreachable(t *testing.T) {
	// A port nothing listens on: the node must start, report publish
	// errors, keep local delivery, and close promptly.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	b, err := NewPostgresBus(PostgresConfig{
		ConnString:     fmt.Sprintf("postgres://postgres@%s/none?sslmode=disable&connect_timeout=2", addr),
		Channel:        testChannel(),
		Logger:         testLogger(),
		MinBackoff:     5 * time.Millisecond,
		MaxBackoff:     20 * time.Millisecond,
		PublishTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := b.Subscribe(Filter{UserID: "u"})
	err = b.Publish(context.Background(), Event{Type: TypeDownloadCreated, UserID: "u"})
	if !errors.Is(err, ErrNotDistributed) {
		t.Fatalf("Publish = %v, want ErrNotDistributed", err)
	}
	if got := receive(t, sub); got.Type != TypeDownloadCreated {
		t.Fatalf("local subscriber got %s", got.Type)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.WaitListening(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitListening = %v", err)
	}
	st := b.Stats()
	if st.NotifyErrors != 1 || st.Listening || st.Published != 1 {
		t.Errorf("stats = %+v", st)
	}

	start := time.Now()
	_ = b.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := b.Publish(context.Background(), Event{Type: "a"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close = %v", err)
	}
	if err := b.WaitListening(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("WaitListening after Close = %v", err)
	}
}
