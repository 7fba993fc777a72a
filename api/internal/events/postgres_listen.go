package events

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// listen owns the listener connection for the bus's lifetime: it connects,
// LISTENs, delivers notifications, and on any failure reconnects with
// exponential backoff until Close cancels ctx.
func (b *PostgresBus) listen(ctx context.Context) {
	defer close(b.done)
	backoff := b.cfg.MinBackoff
	for {
		connected, err := b.listenOnce(ctx)
		b.listening.Store(false)
		b.listenerPID.Store(0)
		if ctx.Err() != nil {
			return
		}
		if connected {
			backoff = b.cfg.MinBackoff
		}
		wait := jitter(backoff)
		b.log.Warn("events listener disconnected, reconnecting", "err", err, "retry_in", wait)
		if !sleep(ctx, wait) {
			return
		}
		backoff = min(backoff*2, b.cfg.MaxBackoff)
	}
}

// listenOnce runs one connection until it fails. connected reports whether
// LISTEN succeeded, which resets the backoff.
func (b *PostgresBus) listenOnce(ctx context.Context) (connected bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, b.connConfig)
	cancel()
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.cfg.Channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	b.listenerPID.Store(conn.PgConn().PID())
	b.listening.Store(true)
	b.markConnected()

	for {
		wctx, cancel := context.WithTimeout(ctx, b.cfg.HealthCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if n != nil {
			b.handleNotification(n)
		}
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return true, ctx.Err()
		case pgconn.Timeout(err) && !conn.IsClosed():
			// Quiet channel: make sure the connection is still alive, as a
			// silently dropped TCP connection would otherwise wait forever.
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for notification: %w", err)
		}
	}
}

// markConnected records a successful LISTEN. After a reconnect (not the
// first connect) local subscribers may have missed other nodes' events, so
// they are told to resync.
func (b *PostgresBus) markConnected() {
	select {
	case <-b.ready:
		b.reconnects.Add(1)
		b.log.Info("events listener reconnected")
		b.local.deliver(Event{
			ID:   NewID(),
			Type: TypeResync,
			Data: json.RawMessage(`{"reason":"listener_reconnected"}`),
			Time: time.Now().UTC(),
		})
	default:
		close(b.ready)
	}
}

// handleNotification delivers another node's event locally and skips the
// echo of this node's own events, which Publish delivered already.
func (b *PostgresBus) handleNotification(n *pgconn.Notification) {
	if n.Channel != b.cfg.Channel {
		return
	}
	node, e, err := decodeNotify(n.Payload)
	if err != nil {
		b.log.Warn("events: ignoring bad notification", "err", err, "from_pid", n.PID)
		return
	}
	if node == b.nodeID {
		return
	}
	b.received.Add(1)
	b.local.deliver(e)
}

// jitter spreads reconnects of many nodes after a database restart over
// [d/2, d).
func jitter(d time.Duration) time.Duration {
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half)
}

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
