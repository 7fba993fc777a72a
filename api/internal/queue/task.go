package queue

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// Task is housekeeping the cluster's elected leader enqueues every Every
// (retention, rescue of stalled downloads, pruning): one job kind, one
// function, no arguments. NewTask builds one; the app hands every task to
// the Runner, which registers its worker and its periodic job.
type Task struct {
	// Kind is the River job kind, also the periodic job's id.
	Kind string
	// register adds the task's worker to a River worker bundle.
	register func(*river.Workers)
	periodic *river.PeriodicJob
}

// TaskOptions are how a task is scheduled.
type TaskOptions struct {
	// Every is the period.
	Every time.Duration
	// Queue runs the job (default Maintenance, which every node works).
	Queue string
	// Unique keeps one job of the task per this period in the queue, so a
	// slow run is not joined by the next one (0: no such bound).
	Unique time.Duration
	// RunOnStart enqueues the task when a leader is elected, not only
	// after the first period.
	RunOnStart bool
}

// NewTask returns the task of kind A (an argument-less job type whose
// Kind names the task) that calls run.
func NewTask[A river.JobArgs](o TaskOptions, run func(ctx context.Context) error) Task {
	var args A
	if o.Queue == "" {
		o.Queue = Maintenance
	}
	opts := &river.InsertOpts{Queue: o.Queue}
	if o.Unique > 0 {
		opts.UniqueOpts = river.UniqueOpts{ByPeriod: o.Unique}
	}
	return Task{
		Kind:     args.Kind(),
		register: func(w *river.Workers) { river.AddWorker(w, &taskWorker[A]{run: run}) },
		periodic: river.NewPeriodicJob(river.PeriodicInterval(o.Every),
			func() (river.JobArgs, *river.InsertOpts) { return args, opts },
			&river.PeriodicJobOpts{RunOnStart: o.RunOnStart, ID: args.Kind()}),
	}
}

// taskWorker works a task's jobs.
type taskWorker[A river.JobArgs] struct {
	river.WorkerDefaults[A]
	run func(ctx context.Context) error
}

func (w *taskWorker[A]) Work(ctx context.Context, _ *river.Job[A]) error { return w.run(ctx) }

// Register adds the tasks' workers to workers and returns their periodic
// jobs for Options.Periodic.
func Register(workers *river.Workers, tasks ...Task) []*river.PeriodicJob {
	out := make([]*river.PeriodicJob, 0, len(tasks))
	for _, t := range tasks {
		t.register(workers)
		out = append(out, t.periodic)
	}
	return out
}
