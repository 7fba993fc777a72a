package queue_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testkit"
)

// noPoll keeps River's fallback poll of each queue out of a test: a job
// that runs was woken by its insert's notification.
const noPoll = time.Hour

type blockArgs struct{}

func (blockArgs) Kind() string { return "test_block" }

func (blockArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queue.Maintenance} }

// blockWorker runs until its job is cancelled.
type blockWorker struct {
	river.WorkerDefaults[blockArgs]
	started chan int64
}

func (w *blockWorker) Work(ctx context.Context, job *river.Job[blockArgs]) error {
	w.started <- job.ID
	<-ctx.Done()
	return ctx.Err()
}

// startRunner works q's jobs with the fallback poll off.
func startRunner(t *testing.T, q *queue.Queue, workers *river.Workers) *queue.Runner {
	t.Helper()
	r, err := queue.NewRunner(q, workers, queue.Options{NodeName: "test", Logger: storetest.Logger(), FetchPollInterval: noPoll})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return r
}

// A job starts without waiting for a poll of its queue, whoever inserted
// it: this process (in a transaction or not) or another process on the
// same database (the CLI; on SQLite it is seen through River's outbox
// table, on Postgres through NOTIFY).
func TestInsertedJobsRunWithoutPolling(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	workers := river.NewWorkers()
	w := &pingWorker{}
	river.AddWorker(workers, w)
	q, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	other, err := queue.New(st, storetest.Logger()) // another process's insert-only queue
	if err != nil {
		t.Fatal(err)
	}
	startRunner(t, q, workers)
	ctx := context.Background()
	want := int64(0)
	for _, tc := range []struct {
		name   string
		insert func(args pingArgs) error
	}{
		{"this process, in a transaction", func(a pingArgs) error {
			return st.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				_, err := q.InsertTx(ctx, tx, a, nil)
				return err
			})
		}},
		{"this process", func(a pingArgs) error { _, err := q.Insert(ctx, a, nil); return err }},
		{"another process", func(a pingArgs) error { _, err := other.Insert(ctx, a, nil); return err }},
		{"two at once", func(a pingArgs) error {
			if _, err := q.Insert(ctx, pingArgs{N: 0}, nil); err != nil {
				return err
			}
			_, err := q.Insert(ctx, a, nil)
			return err
		}},
	} {
		want += 1000
		if err := tc.insert(pingArgs{N: 1000}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		testkit.Eventually(t, 30*time.Second, func() error {
			if got := w.sum.Load(); got != want {
				return fmt.Errorf("%s: worked sum %d, want %d", tc.name, got, want)
			}
			return nil
		})
	}
}

// Cancelling a running job through another process's queue reaches the
// node running it, and its work ends.
func TestCancelFromAnotherProcessStopsTheJob(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	workers := river.NewWorkers()
	w := &blockWorker{started: make(chan int64, 1)}
	river.AddWorker(workers, w)
	q, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	other, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	r := startRunner(t, q, workers)
	cancelled, stop := r.Subscribe(river.EventKindJobCancelled)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := q.Insert(ctx, blockArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	var id int64
	select {
	case id = <-w.started:
	case <-ctx.Done():
		t.Fatal("the job never started")
	}
	if err := other.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-cancelled:
		if ev.Job.ID != id {
			t.Fatalf("cancelled job %d, want %d", ev.Job.ID, id)
		}
	case <-ctx.Done():
		t.Fatal("the running job was never cancelled")
	}
}

type flakyArgs struct{}

func (flakyArgs) Kind() string { return "test_flaky" }

func (flakyArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queue.Maintenance} }

// flakyWorker fails its first attempt (River retries it after its
// backoff, about a second) and succeeds on the next.
type flakyWorker struct {
	river.WorkerDefaults[flakyArgs]
	done chan int
}

func (w *flakyWorker) Work(_ context.Context, job *river.Job[flakyArgs]) error {
	if job.Attempt == 1 {
		return fmt.Errorf("first attempt fails")
	}
	w.done <- job.Attempt
	return nil
}

// A job that comes due later — inserted for later, or retried after its
// backoff — runs when it is due, not at the next fallback poll (an hour
// here; 30 s in production, when a webhook's retries came a minute late).
func TestJobsDueLaterRunWithoutPolling(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	workers := river.NewWorkers()
	ping := &pingWorker{}
	river.AddWorker(workers, ping)
	flaky := &flakyWorker{done: make(chan int, 1)}
	river.AddWorker(workers, flaky)
	q, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	startRunner(t, q, workers)
	ctx := context.Background()

	if _, err := q.Insert(ctx, pingArgs{N: 7}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 30*time.Second, func() error {
		if got := ping.sum.Load(); got != 7 {
			return fmt.Errorf("the job inserted for a second later has not run (sum %d)", got)
		}
		return nil
	})

	if _, err := q.Insert(ctx, flakyArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case attempt := <-flaky.done:
		if attempt != 2 {
			t.Errorf("succeeded on attempt %d, want 2", attempt)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the failed job was not retried within 30 s of its backoff")
	}
}

type snoozeArgs struct{}

func (snoozeArgs) Kind() string { return "test_snooze" }

func (snoozeArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queue.Maintenance} }

// snoozeWorker snoozes its first run for a moment and reports its second.
type snoozeWorker struct {
	river.WorkerDefaults[snoozeArgs]
	runs atomic.Int32
	done chan struct{}
}

func (w *snoozeWorker) Work(context.Context, *river.Job[snoozeArgs]) error {
	if w.runs.Add(1) == 1 {
		return river.JobSnooze(time.Millisecond)
	}
	close(w.done)
	return nil
}

// A job whose wait is already over when River reports it (a snooze
// shorter than the time River takes to record it; on a loaded machine
// a webhook's 200 ms retry was recorded after it was due) still runs at
// once. River makes such a job available without notifying anyone, so
// before this it waited for the fallback poll: CI saw a webhook's retries
// each wait 30 s.
func TestJobDueBeforeItsSnoozeIsRecordedRunsWithoutPolling(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	workers := river.NewWorkers()
	w := &snoozeWorker{done: make(chan struct{})}
	river.AddWorker(workers, w)
	q, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	startRunner(t, q, workers)
	if _, err := q.Insert(context.Background(), snoozeArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the snoozed job did not run again within 30 s (runs: %d)", w.runs.Load())
	}
}
