package queue

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// River notifies a queue when a job becomes available now: on insert, and
// when its scheduler moves due jobs along. A job due later (a retry after
// its backoff, a snooze, a paced or jittered insert) is moved to available
// by the scheduler up to its interval ahead of time, without a
// notification, and then waits for the producers' next poll: with the
// fallback poll at fetchPoll (30 s), a webhook's third attempt came a
// minute late. timedWake notifies the job's queue when it comes due, for
// every such job this process scheduled; jobs scheduled by other processes
// still rely on the poll.
type timedWake struct {
	notify func(ctx context.Context, queue string) error
	log    *slog.Logger

	mu      sync.Mutex
	pending map[wakeKey]*time.Timer
	closed  bool
}

// wakeKey merges wake-ups of one queue due within the same 50 ms.
type wakeKey struct {
	queue string
	at    int64
}

// wakeAfter are the times after a job's scheduled time its queue is woken:
// at once, when River's scheduler has already made the job available (it
// looks one interval ahead), and again after the scheduler's next pass
// (5 s apart; later on a loaded machine) for when it had not: on SQLite
// the scheduler notifies nobody.
var wakeAfter = []time.Duration{20 * time.Millisecond, 6 * time.Second, 15 * time.Second}

func newTimedWake(log *slog.Logger, notify func(ctx context.Context, queue string) error) *timedWake {
	return &timedWake{notify: notify, log: log, pending: map[wakeKey]*time.Timer{}}
}

// job arranges a wake-up for j if it waits for a time still ahead.
func (w *timedWake) job(j *rivertype.JobRow) {
	if j == nil {
		return
	}
	switch j.State {
	// A retry due within the scheduler's interval is made available at
	// once, with its scheduled time still ahead.
	case rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable:
	default:
		return
	}
	w.at(j.Queue, j.ScheduledAt)
}

func (w *timedWake) at(queue string, at time.Time) {
	// A job can be due already when River reports it: a snooze or retry
	// shorter than the time River takes to record it (its completer
	// batches; under load a webhook's 200 ms retry was recorded after it
	// was due). River made it available without notifying anyone, so it
	// is woken at once, and again later in case it was not available yet.
	if now := time.Now(); at.Before(now) {
		at = now
	}
	d := time.Until(at)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	for _, after := range wakeAfter {
		key := wakeKey{queue, at.Add(after).UnixMilli() / 50}
		if w.pending[key] != nil {
			continue
		}
		w.pending[key] = time.AfterFunc(d+after, func() {
			w.mu.Lock()
			delete(w.pending, key)
			w.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := w.notify(ctx, queue); err != nil {
				w.log.Debug("queue wake-up failed; the next poll finds the job", "queue", queue, "err", err)
			}
		})
	}
}

// watch follows r's job events until stop is called: a failed job that
// will be retried, or a snoozed one, gets its wake-up.
func (w *timedWake) watch(r *Runner) (stop func()) {
	events, cancel := r.Subscribe(river.EventKindJobFailed, river.EventKindJobSnoozed)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			w.job(ev.Job)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// open lets wake-ups be arranged again after close (a runner started anew).
func (w *timedWake) open() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = false
}

// close stops every pending wake-up, and arranges none until open.
func (w *timedWake) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	for k, t := range w.pending {
		t.Stop()
		delete(w.pending, k)
	}
}

// notifyInsert sends River's insert notification for queue through exec:
// its producers fetch at once (Postgres NOTIFY; on SQLite the outbox,
// whose listener this process's bell wakes).
func notifyInsert(ctx context.Context, exec riverdriver.Executor, queue string) error {
	return exec.NotifyMany(ctx, &riverdriver.NotifyManyParams{
		Payload: []string{fmt.Sprintf("{\"queue\": %q}", queue)},
		Topic:   "river_insert",
	})
}
