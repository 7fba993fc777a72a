package events

import (
	"context"
	"sync"
	"sync/atomic"
)

// InProcessBus fans events out to subscribers in the same process. Publish
// walks the matching subscribers under a read lock and offers the event to
// each without blocking: a full buffer drops the event for that subscriber
// only. Subscribers are indexed by owner, so an event costs work only for
// the subscribers that may see it.
//
// The zero value is not usable; call NewInProcessBus.
type InProcessBus struct {
	mu     sync.RWMutex
	closed bool
	// order serializes fan-outs (taken with mu read-locked), so every
	// subscriber receives events in the order history numbers them.
	order   sync.Mutex
	history *history
	all     map[*Subscription]struct{}            // Filter.All subscribers
	byUser  map[string]map[*Subscription]struct{} // by Filter.UserID
	count   int

	published atomic.Uint64
	delivered atomic.Uint64
	dropped   atomic.Uint64
}

// NewInProcessBus returns an empty, open bus. It starts no goroutine.
func NewInProcessBus(opts ...BusOption) *InProcessBus {
	o := busOptions{historyEvents: DefaultHistoryEvents, historyBytes: DefaultHistoryBytes}
	for _, opt := range opts {
		opt(&o)
	}
	return &InProcessBus{
		history: newHistory(o),
		all:     make(map[*Subscription]struct{}),
		byUser:  make(map[string]map[*Subscription]struct{}),
	}
}

// Publish validates e, assigns its ID and Time when missing, and offers it
// to every matching subscriber. It never waits for a subscriber. Errors:
// ErrInvalidEvent, ErrClosed, or ctx's error if ctx is already done.
func (b *InProcessBus) Publish(ctx context.Context, e Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := normalize(e)
	if err != nil {
		return err
	}
	return b.publishNormalized(e)
}

// publishNormalized counts e as published here and fans it out.
func (b *InProcessBus) publishNormalized(e Event) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrClosed
	}
	b.published.Add(1)
	b.record(e)
	return nil
}

// deliver hands an already normalized event (one from another node) to the
// local subscribers without counting it as published here.
func (b *InProcessBus) deliver(e Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if !b.closed {
		b.record(e)
	}
}

// record numbers e in the history and fans it out, one event at a time.
// The caller holds the read lock.
func (b *InProcessBus) record(e Event) {
	b.order.Lock()
	defer b.order.Unlock()
	b.fanout(b.history.add(e))
}

// fanout offers e to the subscribers whose filter matches. The caller holds
// the read lock, which keeps every channel open while we send.
func (b *InProcessBus) fanout(e Event) {
	if e.Type == TypeResync {
		b.broadcast(e)
		return
	}
	for s := range b.all {
		b.offer(s, e)
	}
	if e.UserID == "" {
		return
	}
	for s := range b.byUser[e.UserID] {
		b.offer(s, e)
	}
}

// broadcast offers e to every subscriber, whatever its filter.
func (b *InProcessBus) broadcast(e Event) {
	for s := range b.all {
		b.offer(s, e)
	}
	for _, set := range b.byUser {
		for s := range set {
			b.offer(s, e)
		}
	}
}

func (b *InProcessBus) offer(s *Subscription, e Event) {
	if e.Type != TypeResync && !s.match.wantsType(e.Type) {
		return
	}
	if s.offer(e) {
		b.delivered.Add(1)
	} else {
		b.dropped.Add(1)
	}
}

// Subscribe registers a subscriber for the events f lets through. On a
// closed bus it returns a subscription whose channel is already closed.
func (b *InProcessBus) Subscribe(f Filter, opts ...SubscribeOption) *Subscription {
	s := newSubscription(f, opts, b.unsubscribe)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.c)
		return s
	}
	// Under the write lock no event is being fanned out: what the history
	// holds now and what reaches C afterwards meet without a gap or overlap.
	s.head = b.history.Head()
	if s.resumeFrom != "" {
		s.missed, s.resumed = b.history.since(s.resumeFrom, &s.match)
	}
	if f.All {
		b.all[s] = struct{}{}
	} else {
		set := b.byUser[f.UserID]
		if set == nil {
			set = make(map[*Subscription]struct{})
			b.byUser[f.UserID] = set
		}
		set[s] = struct{}{}
	}
	b.count++
	return s
}

func (b *InProcessBus) unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return // Close already closed every channel.
	}
	if s.match.all {
		if _, ok := b.all[s]; !ok {
			return
		}
		delete(b.all, s)
	} else {
		set := b.byUser[s.match.userID]
		if _, ok := set[s]; !ok {
			return
		}
		delete(set, s)
		if len(set) == 0 {
			delete(b.byUser, s.match.userID)
		}
	}
	b.count--
	close(s.c)
}

// Stats returns the bus's counters.
func (b *InProcessBus) Stats() Stats {
	b.mu.RLock()
	n := b.count
	b.mu.RUnlock()
	return Stats{
		Published:   b.published.Load(),
		Delivered:   b.delivered.Load(),
		Dropped:     b.dropped.Load(),
		Subscribers: n,
	}
}

// Close closes every subscription's channel and makes Publish return
// ErrClosed. It is safe to call more than once.
func (b *InProcessBus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	for s := range b.all {
		close(s.c)
	}
	for _, set := range b.byUser {
		for s := range set {
			close(s.c)
		}
	}
	b.all, b.byUser, b.count = nil, nil, 0
	return nil
}
