package downloads

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

func TestDatabaseConnError(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"bad conn", fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{"cannot connect now", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"serialization", &pgconn.PgError{Code: "40001"}, false},
		// A platform's own HTTP call fails with network errors too: only
		// the ping may blame those on the database.
		{"bare dial error", fmt.Errorf("spotify: %w", dial), false},
		{"yt-dlp failure", &ytdlp.ExitError{Reason: ytdlp.ReasonNetwork}, false},
		{"lost ownership", errLostOwnership, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.ConnError(tt.err); got != tt.want {
				t.Errorf("store.ConnError(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	s := New(Config{NodeName: "node-a", HeartbeatTimeout: 90 * time.Second}, Deps{DB: st.DB, Logger: storetest.Logger()})
	ctx := context.Background()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	tests := []struct {
		name              string
		err               error
		unreachable, down bool
	}{
		{"nil", nil, false, false},
		{"statement refused, database up", &pgconn.PgError{Code: "23505"}, false, false},
		{"dial error of a statement", dial, true, false},
		{"connection cut mid-statement", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true, false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.unreachable(ctx, tt.err); got != tt.unreachable {
				t.Errorf("unreachable = %v, want %v", got, tt.unreachable)
			}
			if got := s.databaseDown(ctx, tt.err); got != tt.down {
				t.Errorf("databaseDown = %v, want %v", got, tt.down)
			}
		})
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if s.unreachable(canceled, dial) || s.databaseDown(canceled, dial) {
		t.Error("a canceled run blames the database")
	}
}

// TestUntilReachable: a registration that meets a lost connection is tried
// again until it goes through; a refusal or a lost ownership is not.
func TestUntilReachable(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	s := New(Config{NodeName: "node-a", HeartbeatTimeout: 90 * time.Second}, Deps{DB: st.DB, Logger: storetest.Logger()})
	ctx := context.Background()

	var calls atomic.Int32
	err := s.untilReachable(ctx, uuid.New(), func() error {
		if calls.Add(1) < 3 {
			return &pgconn.PgError{Code: "57P01"}
		}
		return nil
	})
	if err != nil || calls.Load() != 3 {
		t.Errorf("after two lost connections: %v after %d calls, want success after 3", err, calls.Load())
	}

	for _, final := range []error{&pgconn.PgError{Code: "23505"}, errLostOwnership} {
		calls.Store(0)
		err := s.untilReachable(ctx, uuid.New(), func() error { calls.Add(1); return final })
		if !errors.Is(err, final) || calls.Load() != 1 {
			t.Errorf("%v: %v after %d calls, want it at once", final, err, calls.Load())
		}
	}

	canceled, cancel := context.WithCancel(ctx)
	calls.Store(0)
	err = s.untilReachable(canceled, uuid.New(), func() error {
		if calls.Add(1) == 2 {
			cancel()
		}
		return driver.ErrBadConn
	})
	if !errors.Is(err, driver.ErrBadConn) || calls.Load() != 2 {
		t.Errorf("canceled while waiting: %v after %d calls, want the error after 2", err, calls.Load())
	}
}
