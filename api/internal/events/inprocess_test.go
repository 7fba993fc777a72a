package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// receive waits for one event on sub, failing the test after a while.
func receive(t testing.TB, sub *Subscription) Event {
	t.Helper()
	select {
	case e, ok := <-sub.C():
		if !ok {
			t.Fatal("subscription closed")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return Event{}
}

// expectNone fails if sub has an event within d.
func expectNone(t testing.TB, sub *Subscription, d time.Duration) {
	t.Helper()
	select {
	case e, ok := <-sub.C():
		if ok {
			t.Fatalf("unexpected event %s %s", e.Type, e.Data)
		}
	case <-time.After(d):
	}
}

func mustPublish(t testing.TB, b Bus, e Event) {
	t.Helper()
	if err := b.Publish(context.Background(), e); err != nil {
		t.Fatalf("Publish: %v", err)
	}
}

func TestInProcessFanout(t *testing.T) {
	b := NewInProcessBus()
	defer b.Close()
	const subscribers, events = 200, 20
	subs := make([]*Subscription, subscribers)
	for i := range subs {
		subs[i] = b.Subscribe(Filter{All: true}, WithBuffer(events))
	}
	for i := range events {
		mustPublish(t, b, Event{Type: TypeDownloadProgress, UserID: "u1", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
	}
	for i, s := range subs {
		for n := range events {
			e := receive(t, s)
			if want := fmt.Sprintf(`{"n":%d}`, n); string(e.Data) != want {
				t.Fatalf("subscriber %d event %d: data %s, want %s (out of order?)", i, n, e.Data, want)
			}
		}
	}
	st := b.Stats()
	if st.Published != events || st.Delivered != subscribers*events || st.Dropped != 0 || st.Subscribers != subscribers {
		t.Errorf("stats = %+v", st)
	}
}

func TestInProcessSlowSubscriberDoesNotBlock(t *testing.T) {
	b := NewInProcessBus()
	defer b.Close()
	stuck := b.Subscribe(Filter{All: true}, WithBuffer(4)) // never read
	fast := b.Subscribe(Filter{All: true}, WithBuffer(1))

	const events = 10000
	received := make(chan int)
	go func() {
		n := 0
		for range fast.C() {
			n++
		}
		received <- n
	}()

	start := time.Now()
	for range events {
		mustPublish(t, b, Event{Type: TypeDownloadProgress, UserID: "u"})
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("publishing %d events took %v with a stuck subscriber", events, d)
	}
	select {
	case <-stuck.Overflow():
	default:
		t.Fatal("stuck subscriber's Overflow not closed")
	}
	if got := stuck.Dropped(); got != events-4 {
		t.Errorf("stuck.Dropped = %d, want %d", got, events-4)
	}
	fast.Close()
	n := <-received
	st := b.Stats()
	if st.Dropped < events-4 || st.Dropped != stuck.Dropped()+fast.Dropped() {
		t.Errorf("stats.Dropped = %d, stuck %d, fast %d", st.Dropped, stuck.Dropped(), fast.Dropped())
	}
	if uint64(n) != events-fast.Dropped() {
		t.Errorf("fast got %d, dropped %d, published %d", n, fast.Dropped(), events)
	}
}

func TestInProcessFilters(t *testing.T) {
	b := NewInProcessBus()
	defer b.Close()
	u1 := b.Subscribe(Filter{UserID: "u1"})
	u1Progress := b.Subscribe(Filter{UserID: "u1", Types: []string{TypeDownloadProgress}})
	u2 := b.Subscribe(Filter{UserID: "u2"})
	admin := b.Subscribe(Filter{All: true})
	adminLogs := b.Subscribe(Filter{All: true, Types: []string{"log.*"}})
	nobody := b.Subscribe(Filter{})

	publish := []Event{
		{Type: TypeDownloadUpdated, UserID: "u1", Data: json.RawMessage(`"a"`)},
		{Type: TypeDownloadProgress, UserID: "u1", Data: json.RawMessage(`"b"`)},
		{Type: TypeDownloadProgress, UserID: "u2", Data: json.RawMessage(`"c"`)},
		{Type: TypeLogAppended, Data: json.RawMessage(`"d"`)},
	}
	for _, e := range publish {
		mustPublish(t, b, e)
	}
	tests := []struct {
		name string
		sub  *Subscription
		want []string
	}{
		{"user sees own", u1, []string{`"a"`, `"b"`}},
		{"user and type", u1Progress, []string{`"b"`}},
		{"other user", u2, []string{`"c"`}},
		{"admin sees all", admin, []string{`"a"`, `"b"`, `"c"`, `"d"`}},
		{"admin type prefix", adminLogs, []string{`"d"`}},
		{"zero filter", nobody, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, want := range tt.want {
				if e := receive(t, tt.sub); string(e.Data) != want {
					t.Fatalf("got %s, want %s", e.Data, want)
				}
			}
			expectNone(t, tt.sub, 20*time.Millisecond)
		})
	}

	t.Run("resync reaches everyone", func(t *testing.T) {
		b.deliver(Event{ID: NewID(), Type: TypeResync, Time: time.Now()})
		for _, s := range []*Subscription{u1, u1Progress, u2, admin, adminLogs, nobody} {
			if e := receive(t, s); e.Type != TypeResync {
				t.Fatalf("got %s, want resync", e.Type)
			}
		}
	})
}

func TestInProcessCloseAndErrors(t *testing.T) {
	b := NewInProcessBus()
	s1 := b.Subscribe(Filter{UserID: "u"})
	s2 := b.Subscribe(Filter{All: true})
	s1.Close()
	s1.Close() // twice is fine
	if _, ok := <-s1.C(); ok {
		t.Fatal("closed subscription delivered an event")
	}
	if got := b.Stats().Subscribers; got != 1 {
		t.Fatalf("Subscribers = %d, want 1", got)
	}
	if err := b.Publish(context.Background(), Event{}); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("invalid event: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Publish(ctx, Event{Type: "a"}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: err = %v", err)
	}

	_ = b.Close()
	_ = b.Close()
	if _, ok := <-s2.C(); ok {
		t.Fatal("bus Close left a subscription open")
	}
	s2.Close() // after bus Close: no panic
	if err := b.Publish(context.Background(), Event{Type: "a"}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v", err)
	}
	late := b.Subscribe(Filter{All: true})
	if _, ok := <-late.C(); ok {
		t.Fatal("subscription on a closed bus is open")
	}
	late.Close()
}

// TestInProcessConcurrent exercises Publish, Subscribe and Close together
// for the race detector.
func TestInProcessConcurrent(t *testing.T) {
	b := NewInProcessBus()
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for p := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				_ = b.Publish(ctx, Event{Type: TypeDownloadProgress, UserID: fmt.Sprint("u", (p+i)%3)})
			}
		})
	}
	for s := range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				sub := b.Subscribe(Filter{UserID: fmt.Sprint("u", s%3)}, WithBuffer(2))
				for range 3 {
					select {
					case <-sub.C():
					case <-time.After(time.Millisecond):
					}
				}
				sub.Close()
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	_ = b.Close()
	time.Sleep(20 * time.Millisecond)
	cancel()
	wg.Wait()
}
