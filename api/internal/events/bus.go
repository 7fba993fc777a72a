package events

import (
	"context"
	"errors"
)

// Errors returned by the buses.
var (
	// ErrInvalidEvent: the event has no or a bad type, a bad id, or Data
	// that is not JSON.
	ErrInvalidEvent = errors.New("events: invalid event")
	// ErrClosed: the bus was closed.
	ErrClosed = errors.New("events: bus closed")
	// ErrNotDistributed: the event reached this node's subscribers but not
	// the other nodes (the database was unreachable). Retrying would
	// deliver it twice locally.
	ErrNotDistributed = errors.New("events: event not sent to other nodes")
)

// Bus carries events from publishers to subscribers. InProcessBus and
// PostgresBus implement it; consumers should declare the one or two methods
// they use as their own interface.
type Bus interface {
	// Publish delivers e to every matching subscriber without waiting for
	// any of them.
	Publish(ctx context.Context, e Event) error
	// Subscribe registers a subscriber; the caller must Close it.
	Subscribe(f Filter, opts ...SubscribeOption) *Subscription
	// Stats returns the bus's counters.
	Stats() Stats
	// Close closes every subscription and refuses further publishing.
	Close() error
}

var _ Bus = (*InProcessBus)(nil)

// Stats are the counters a bus keeps for metrics. All counts are totals
// since the bus was created.
type Stats struct {
	// Published counts events accepted by Publish on this node.
	Published uint64
	// Delivered counts events put into a subscriber's buffer (one event
	// reaching three subscribers counts three).
	Delivered uint64
	// Dropped counts events a subscriber missed because its buffer was full.
	Dropped uint64
	// Subscribers is the number of open subscriptions.
	Subscribers int

	// The counters below are kept by PostgresBus only.

	// Received counts events that arrived from other nodes.
	Received uint64
	// Truncated counts events sent to other nodes without their Data.
	Truncated uint64
	// NotifyErrors counts Publish calls that could not reach the database.
	NotifyErrors uint64
	// Reconnects counts how often the listener connection was re-established.
	Reconnects uint64
	// Listening reports whether the listener connection is up now.
	Listening bool
}
