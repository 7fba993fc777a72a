package events

import (
	"context"
	"sync"
	"testing"
)

// BenchmarkFanout1000 measures the time from Publish until 1,000
// subscribers, each read by its own goroutine, all have the event.
func BenchmarkFanout1000(b *testing.B) {
	const subscribers = 1000
	bus := NewInProcessBus()
	defer bus.Close()
	var got sync.WaitGroup
	var readers sync.WaitGroup
	for range subscribers {
		sub := bus.Subscribe(Filter{All: true}, WithBuffer(4))
		readers.Go(func() {
			for range sub.C() {
				got.Done()
			}
		})
	}
	e := Event{Type: TypeDownloadProgress, UserID: "u", Data: []byte(`{"id":"0190c8a4-0000-7000-8000-000000000000","percent":42.5}`)}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		got.Add(subscribers)
		if err := bus.Publish(ctx, e); err != nil {
			b.Fatal(err)
		}
		got.Wait()
	}
	b.StopTimer()
	if d := bus.Stats().Dropped; d != 0 {
		b.Fatalf("%d events dropped", d)
	}
	_ = bus.Close()
	readers.Wait()
}

// BenchmarkPublishByUser measures Publish alone with 1,000 subscribers
// spread over 100 users: the owner index means each event touches ten.
func BenchmarkPublishByUser(b *testing.B) {
	bus := NewInProcessBus()
	defer bus.Close()
	for i := range 1000 {
		sub := bus.Subscribe(Filter{UserID: string(rune('a' + i%100))}, WithBuffer(1))
		_ = sub // never read: the buffer fills and further events are dropped
	}
	e := Event{Type: TypeDownloadProgress, UserID: "a", Data: []byte(`{"percent":1}`)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = bus.Publish(ctx, e)
	}
}
