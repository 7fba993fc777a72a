package events

import (
	"sync"
	"sync/atomic"
)

// DefaultBuffer is a subscriber's buffer when no WithBuffer option is given.
const DefaultBuffer = 256

// SubscribeOption tunes one subscription.
type SubscribeOption func(*subscribeOptions)

type subscribeOptions struct {
	buffer int
	resume string
}

// WithBuffer sets how many events may wait for the subscriber before new
// ones are dropped for it (minimum 1).
func WithBuffer(n int) SubscribeOption {
	return func(o *subscribeOptions) { o.buffer = max(n, 1) }
}

// WithResume asks for the events after cursor (an Event.Cursor this node
// handed out, as a client's Last-Event-ID) that the filter lets through;
// read them with Resume before C.
func WithResume(cursor string) SubscribeOption {
	return func(o *subscribeOptions) { o.resume = cursor }
}

// Subscription is one subscriber's view of a bus. Read events from C; call
// Close when done. A subscription is used by one reader.
type Subscription struct {
	c        chan Event
	match    matcher
	dropped  atomic.Uint64
	overflow chan struct{}
	overOnce sync.Once

	closeOnce sync.Once
	unsub     func(*Subscription)

	// Set at Subscribe, read-only afterwards.
	head       string
	resumeFrom string
	missed     []Event
	resumed    bool
}

func newSubscription(f Filter, opts []SubscribeOption, unsub func(*Subscription)) *Subscription {
	o := subscribeOptions{buffer: DefaultBuffer}
	for _, opt := range opts {
		opt(&o)
	}
	return &Subscription{
		c:        make(chan Event, o.buffer),
		match:    compileFilter(f),
		overflow: make(chan struct{}),
		unsub:    unsub,

		resumeFrom: o.resume,
	}
}

// Head returns the cursor of the newest event the bus had numbered when
// the subscription started: C carries the events after it.
func (s *Subscription) Head() string { return s.head }

// Resume returns, for a subscription made WithResume, the events after its
// cursor that the filter lets through (oldest first; C continues where they
// end), and ok false when the cursor is not one this bus still covers
// (another node's, from before a restart, or older than the history), so
// events may have been missed and the subscriber should resync.
func (s *Subscription) Resume() (missed []Event, ok bool) { return s.missed, s.resumed }

// C returns the channel of events. It is closed after Close, or when the
// bus closes.
func (s *Subscription) C() <-chan Event { return s.c }

// Overflow returns a channel that is closed the first time an event is
// dropped for this subscriber. A consumer that must not miss events (an SSE
// stream) treats it as "fell behind": it stops and lets its client resync.
func (s *Subscription) Overflow() <-chan struct{} { return s.overflow }

// Dropped returns how many events this subscriber missed.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close unsubscribes and closes C. It is safe to call more than once and
// from any goroutine.
func (s *Subscription) Close() {
	s.closeOnce.Do(func() { s.unsub(s) })
}

// offer tries to hand e to the subscriber without blocking and reports
// whether it fit. The caller holds the bus's read lock, so C is open.
func (s *Subscription) offer(e Event) bool {
	select {
	case s.c <- e:
		return true
	default:
		s.dropped.Add(1)
		s.overOnce.Do(func() { close(s.overflow) })
		return false
	}
}
