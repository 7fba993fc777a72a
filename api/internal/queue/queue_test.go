package queue_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type pingArgs struct{ N int }

func (pingArgs) Kind() string { return "test_ping" }

func (pingArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queue.Maintenance} }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	sum atomic.Int64
}

func (w *pingWorker) Work(_ context.Context, job *river.Job[pingArgs]) error {
	w.sum.Add(int64(job.Args.N))
	return nil
}

func TestInsertTxFollowsTheTransaction(t *testing.T) {
	st := storetest.New(t)
	workers := river.NewWorkers()
	w := &pingWorker{}
	river.AddWorker(workers, w)
	q, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	r, err := queue.NewRunner(q, workers, queue.Options{NodeName: "test", Logger: storetest.Logger(), FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	completed, stopSub := r.Subscribe(river.EventKindJobCompleted)
	defer stopSub()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop(context.Background()) })

	rollback := errors.New("rollback")
	err = st.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := q.InsertTx(ctx, tx, pingArgs{N: 100}, nil); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("transaction: %v", err)
	}
	err = st.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, err := q.InsertTx(ctx, tx, pingArgs{N: 7}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-completed:
		if ev.Job.Kind != "test_ping" {
			t.Fatalf("completed %s", ev.Job.Kind)
		}
	case <-ctx.Done():
		t.Fatal("the committed job was never worked")
	}
	if got := w.sum.Load(); got != 7 {
		t.Fatalf("worked sum = %d, want 7 (the rolled-back job must not exist)", got)
	}
	depth, err := q.Depth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := depth[queue.Maintenance]; d.Queued != 0 || d.Running != 0 {
		t.Fatalf("depth after work = %+v, want empty", d)
	}
}

type tickArgs struct{}

func (tickArgs) Kind() string { return "test_tick" }

// A task registered with the runner is worked as the leader's periodic
// job: RunOnStart enqueues it once at election, without waiting a period.
func TestTaskRunsOnStart(t *testing.T) {
	st := storetest.New(t)
	ran := make(chan struct{}, 1)
	task := queue.NewTask[tickArgs](queue.TaskOptions{Every: time.Hour, Unique: time.Minute, RunOnStart: true},
		func(context.Context) error {
			select {
			case ran <- struct{}{}:
			default:
			}
			return nil
		})
	if task.Kind != "test_tick" {
		t.Fatalf("task kind = %q", task.Kind)
	}
	workers := river.NewWorkers()
	q, err := queue.New(st, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	r, err := queue.NewRunner(q, workers, queue.Options{NodeName: "test", Logger: storetest.Logger(),
		FetchPollInterval: 100 * time.Millisecond, Periodic: queue.Register(workers, task)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	select {
	case <-ran:
	case <-ctx.Done():
		t.Fatal("the task never ran")
	}
}
