package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultChannel is the NOTIFY channel when PostgresConfig.Channel is empty.
const DefaultChannel = "downlink_events"

// PostgresConfig configures a PostgresBus. Either Pool or ConnString is
// required.
type PostgresConfig struct {
	// Pool publishes notifications; it is borrowed and not closed by the
	// bus. The listener uses its own connection built from the pool's
	// config, outside the pool.
	Pool *pgxpool.Pool
	// ConnString is used when Pool is nil; the bus then owns its pool.
	ConnString string
	// Channel is the NOTIFY channel (at most 63 bytes); tests use their own.
	Channel string
	// NodeName names this node in logs. The bus appends a random suffix to
	// form its NodeID, so two processes with the same name (serve and
	// worker on one host) never mistake each other's events for an echo.
	NodeName string
	// Logger receives connection problems; nil discards them.
	Logger *slog.Logger

	// PublishTimeout bounds a Publish whose ctx has no deadline (default 5s).
	PublishTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between listener reconnects
	// (defaults 100ms and 30s); the wait doubles after each failure.
	MinBackoff, MaxBackoff time.Duration
	// HistoryEvents and HistoryBytes bound this node's Last-Event-ID
	// replay history (see WithHistory); zero keeps the defaults.
	HistoryEvents, HistoryBytes int
	// HealthCheck is how long the listener waits for a notification before
	// pinging the server to detect a dead connection (default 30s).
	HealthCheck time.Duration
}

func (c *PostgresConfig) setDefaults() {
	if c.Channel == "" {
		c.Channel = DefaultChannel
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = 5 * time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(30*time.Second, c.MinBackoff)
	}
	if c.HealthCheck <= 0 {
		c.HealthCheck = 30 * time.Second
	}
}

var _ Bus = (*PostgresBus)(nil)

// PostgresBus is a Bus shared by every node on one Postgres database.
// Publish delivers to this node's subscribers directly and sends the event
// to the other nodes with pg_notify; a listener goroutine, started by
// NewPostgresBus and stopped by Close, receives the other nodes' events on a
// dedicated connection and ignores its own node's echo.
type PostgresBus struct {
	cfg        PostgresConfig
	local      *InProcessBus
	pool       *pgxpool.Pool
	ownPool    bool
	connConfig *pgx.ConnConfig
	nodeID     string
	log        *slog.Logger

	stop      context.CancelFunc
	done      chan struct{}
	ready     chan struct{}
	closeOnce sync.Once

	listening    atomic.Bool
	listenerPID  atomic.Uint32
	received     atomic.Uint64
	truncated    atomic.Uint64
	notifyErrors atomic.Uint64
	reconnects   atomic.Uint64
}

// NewPostgresBus validates cfg and starts the listener. It does not wait
// for the database: a node starts while Postgres is down and the listener
// keeps retrying (see WaitListening).
func NewPostgresBus(cfg PostgresConfig) (*PostgresBus, error) {
	cfg.setDefaults()
	if len(cfg.Channel) > 63 {
		return nil, fmt.Errorf("events: channel name %q is longer than 63 bytes", cfg.Channel)
	}
	b := &PostgresBus{
		cfg:   cfg,
		local: NewInProcessBus(WithHistory(cfg.HistoryEvents, cfg.HistoryBytes)),
		pool:  cfg.Pool,
		log:   cfg.Logger.With("component", "events", "channel", cfg.Channel),
		done:  make(chan struct{}),
		ready: make(chan struct{}),
	}
	if b.pool == nil {
		if cfg.ConnString == "" {
			return nil, errors.New("events: PostgresConfig needs a Pool or a ConnString")
		}
		pool, err := pgxpool.New(context.Background(), cfg.ConnString)
		if err != nil {
			return nil, fmt.Errorf("events: open pool: %w", err)
		}
		b.pool, b.ownPool = pool, true
	}
	b.connConfig = b.pool.Config().ConnConfig.Copy()
	b.connConfig.RuntimeParams["application_name"] = "downlink-events-listener"
	b.nodeID = nodeID(cfg.NodeName)
	b.log = b.log.With("listener", b.nodeID) // the logger already names the node

	ctx, stop := context.WithCancel(context.Background())
	b.stop = stop
	go b.listen(ctx)
	return b, nil
}

// nodeID makes a per-process id from the configured node name.
func nodeID(name string) string {
	var r [4]byte
	_, _ = rand.Read(r[:]) // never fails; see crypto/rand.Read
	if name == "" {
		name = "node"
	}
	return name + "-" + hex.EncodeToString(r[:])
}

// NodeID returns the id this bus stamps on the events it sends.
func (b *PostgresBus) NodeID() string { return b.nodeID }

// Publish delivers e to this node's subscribers, then sends it to the other
// nodes. If the database cannot be reached the error wraps
// ErrNotDistributed: local subscribers already have the event, so do not
// retry it. An event too large for NOTIFY goes to the other nodes as a
// compact reference (see the package doc).
func (b *PostgresBus) Publish(ctx context.Context, e Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := normalize(e)
	if err != nil {
		return err
	}
	payload, truncated, err := encodeNotify(b.nodeID, e)
	if err != nil {
		return err
	}
	if err := b.local.publishNormalized(e); err != nil {
		return err
	}
	if truncated {
		b.truncated.Add(1)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.cfg.PublishTimeout)
		defer cancel()
	}
	if _, err := b.pool.Exec(ctx, "select pg_notify($1, $2)", b.cfg.Channel, string(payload)); err != nil {
		b.notifyErrors.Add(1)
		return fmt.Errorf("%w: %w", ErrNotDistributed, err)
	}
	return nil
}

// Subscribe registers a subscriber on this node; it receives events
// published on any node.
func (b *PostgresBus) Subscribe(f Filter, opts ...SubscribeOption) *Subscription {
	return b.local.Subscribe(f, opts...)
}

// WaitListening blocks until the listener has connected once, so events
// from other nodes reach this one, or until ctx is done or the bus closed.
func (b *PostgresBus) WaitListening(ctx context.Context) error {
	select {
	case <-b.done:
		return ErrClosed
	default:
	}
	select {
	case <-b.ready:
		return nil
	case <-b.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the bus's counters.
func (b *PostgresBus) Stats() Stats {
	s := b.local.Stats()
	s.Received = b.received.Load()
	s.Truncated = b.truncated.Load()
	s.NotifyErrors = b.notifyErrors.Load()
	s.Reconnects = b.reconnects.Load()
	s.Listening = b.listening.Load()
	return s
}

// Close stops the listener, closes every subscription and, if the bus
// opened it, the pool. It is safe to call more than once.
func (b *PostgresBus) Close() error {
	b.closeOnce.Do(func() {
		b.stop()
		<-b.done
		_ = b.local.Close()
		if b.ownPool {
			b.pool.Close()
		}
	})
	return nil
}
