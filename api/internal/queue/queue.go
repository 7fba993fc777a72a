// Package queue wires River, the durable job queue, onto Downlink's database:
// riversqlite on the shared SQLite pool, riverpgxv5 on Postgres (with
// LISTEN/NOTIFY for prompt pickup across nodes). Jobs can be inserted in the
// same transaction as the rows they belong to.
package queue

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/store"
)

// Maintenance is the queue every node works, whatever its download workers:
// periodic housekeeping and small jobs.
const Maintenance = "maintenance"

// Options configure the worker side of one node.
type Options struct {
	// NodeName identifies this node in River's client id.
	NodeName string
	// Queues maps queue names to how many jobs of each this node works at
	// once. The maintenance queue is always added.
	Queues map[string]int
	// Periodic jobs run by the elected leader (see Task for the
	// housekeeping ones).
	Periodic []*river.PeriodicJob
	// RescueStuckJobsAfter is how long a running job may go without finishing
	// before River considers its worker dead; keep it above the longest
	// allowed job (Downlink's own heartbeat rescues dead downloads sooner).
	RescueStuckJobsAfter time.Duration
	// JobTimeout bounds one attempt of a job (-1: no timeout).
	JobTimeout time.Duration
	// FetchPollInterval is how often each queue is polled for jobs when no
	// notification arrives: a fallback, since every insert notifies (0:
	// fetchPoll).
	FetchPollInterval time.Duration
	Logger            *slog.Logger
	// ErrorHandler sees job errors and panics (for logs and metrics).
	ErrorHandler river.ErrorHandler
	// Middleware wraps every job (e.g. metrics).
	Middleware []rivertype.Middleware
}

// Queue is the job table as the services use it: insert a job (inside the
// transaction of the row it belongs to), cancel one, count them. It works
// nothing; a Runner does. Services get the Queue when they are built, and
// their workers go to the Runner, built once every service exists: River
// reads its workers when its working client is made, so this split is what
// lets every service have its queue at New.
type Queue struct {
	st     *store.Store
	sqlDrv *sqliteDriver // SQLite: shared with the runner, whose listener hears this process's inserts

	sqlite   *river.Client[*sql.Tx] // SQLite: inserts (in or out of transactions), cancels
	pg       *river.Client[pgx.Tx]  // Postgres: plain inserts, cancels
	pgInsert *river.Client[*sql.Tx] // Postgres: inserts inside GORM transactions

	wake *timedWake // wakes a queue when a job scheduled for later comes due
}

// Runner is the worker side of a node: it fetches and works jobs of its
// queues, and its elected leader enqueues the periodic ones.
type Runner struct {
	sqlite *river.Client[*sql.Tx]
	pg     *river.Client[pgx.Tx]

	wake    *timedWake
	unwatch func() // ends the watch of retries and snoozes (set by Start)
}

// Every job insert notifies its queue's producers (LISTEN/NOTIFY on
// Postgres, the outbox read by sqliteListener on SQLite), so polling each
// queue is only a fallback for a lost notification and costs an idle node
// little at fetchPoll (one producer per platform queue; at River's default
// of 1 s, and 100 ms on SQLite before, polling was most of an idle node's
// CPU: docs/performance.md).
const (
	fetchPoll     = 30 * time.Second
	fetchCooldown = 20 * time.Millisecond
)

// insertConfig is the config of the insert-only clients. River notifies a
// queue at most once per FetchCooldown per client; at the smallest cooldown
// every insert notifies, so a job inserted just after another one on the
// same queue is not left to the fallback poll.
func insertConfig(log *slog.Logger) *river.Config {
	return &river.Config{Logger: log.With("source", "queue"), FetchCooldown: river.FetchCooldownMin}
}

// New returns the queue on st's database. Its River clients are
// insert-only: they hold no workers, so they can exist before any service.
func New(st *store.Store, log *slog.Logger) (*Queue, error) {
	if log == nil {
		return nil, errors.New("queue: logger required")
	}
	cfg := insertConfig(log)
	q := &Queue{st: st}
	var err error
	var exec riverdriver.Executor
	if st.Pool != nil {
		drv := riverpgxv5.New(st.Pool)
		exec = drv.GetExecutor()
		if q.pg, err = river.NewClient(drv, cfg); err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		q.pgInsert, err = river.NewClient(riverdatabasesql.New(st.SQL), cfg)
	} else {
		q.sqlDrv = newSQLiteDriver(st.SQL)
		exec = q.sqlDrv.GetExecutor()
		q.sqlite, err = river.NewClient(q.sqlDrv, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.wake = newTimedWake(log, func(ctx context.Context, queue string) error { return notifyInsert(ctx, exec, queue) })
	return q, nil
}

// NewRunner builds the working client of q's jobs. workers must hold every
// worker the node can run (River reads them here); Start begins working.
func NewRunner(q *Queue, workers *river.Workers, opts Options) (*Runner, error) {
	if opts.Logger == nil {
		return nil, errors.New("queue: logger required")
	}
	queues := map[string]river.QueueConfig{Maintenance: {MaxWorkers: 2}}
	for name, n := range opts.Queues {
		if n > 0 {
			queues[name] = river.QueueConfig{MaxWorkers: n}
		}
	}
	cfg := &river.Config{
		ID:                   clientID(opts.NodeName),
		Logger:               opts.Logger.With("source", "queue"),
		Queues:               queues,
		Workers:              workers,
		PeriodicJobs:         opts.Periodic,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		JobTimeout:           opts.JobTimeout,
		FetchPollInterval:    cmp.Or(opts.FetchPollInterval, fetchPoll),
		// Jobs are long downloads, so fetches are rare and cheap; a short
		// cooldown hands a freed worker its next job within ~20ms instead
		// of River's default 100ms (measured in docs/performance.md).
		FetchCooldown: fetchCooldown,
		ErrorHandler:  opts.ErrorHandler,
		Middleware:    opts.Middleware,
		MaxAttempts:   5,
	}
	r := &Runner{wake: q.wake}
	var err error
	if q.st.Pool != nil {
		r.pg, err = river.NewClient(riverpgxv5.New(q.st.Pool), cfg)
	} else {
		r.sqlite, err = river.NewClient(q.sqlDrv, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return r, nil
}

func clientID(node string) string {
	if node == "" {
		node = "downlink"
	}
	return fmt.Sprintf("%s_%d", node, time.Now().UnixNano())
}

// Start begins fetching and working jobs; it returns once started.
func (r *Runner) Start(ctx context.Context) error {
	if r.unwatch == nil {
		r.wake.open()
		r.unwatch = r.wake.watch(r)
	}
	if r.pg != nil {
		return r.pg.Start(ctx)
	}
	return r.sqlite.Start(ctx)
}

// Stop stops fetching and waits for running jobs until ctx ends, then
// cancels them (their work contexts end, so downloads stop and are re-queued
// by the next start).
func (r *Runner) Stop(ctx context.Context) error {
	defer r.endWatch()
	err := r.stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = r.StopAndCancel(context.WithoutCancel(ctx))
	}
	return err
}

func (r *Runner) stop(ctx context.Context) error {
	if r.pg != nil {
		return r.pg.Stop(ctx)
	}
	return r.sqlite.Stop(ctx)
}

// StopAndCancel stops at once, cancelling every running job's context.
func (r *Runner) StopAndCancel(ctx context.Context) error {
	defer r.endWatch()
	if r.pg != nil {
		return r.pg.StopAndCancel(ctx)
	}
	return r.sqlite.StopAndCancel(ctx)
}

// endWatch stops the wake-ups of retries and snoozes.
func (r *Runner) endWatch() {
	if r.unwatch != nil {
		r.unwatch()
		r.unwatch = nil
	}
	r.wake.close()
}

// Subscribe delivers River's job events of the given kinds (for tests and
// metrics); call the returned func to stop.
func (r *Runner) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	if r.pg != nil {
		return r.pg.Subscribe(kinds...)
	}
	return r.sqlite.Subscribe(kinds...)
}

// InsertTx inserts a job inside tx, a GORM transaction, so the job exists if
// and only if the transaction commits.
func (q *Queue) InsertTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, errors.New("queue: InsertTx needs a GORM transaction")
	}
	var res *rivertype.JobInsertResult
	var err error
	if q.pgInsert != nil {
		res, err = q.pgInsert.InsertTx(ctx, sqlTx, args, opts)
	} else {
		res, err = q.sqlite.InsertTx(ctx, sqlTx, args, opts)
	}
	q.scheduled(res)
	return res, err
}

// scheduled arranges the wake-up of a job inserted for later (a spurious
// one if its transaction rolls back: the producers find nothing).
func (q *Queue) scheduled(res *rivertype.JobInsertResult) {
	if res != nil && !res.UniqueSkippedAsDuplicate {
		q.wake.job(res.Job)
	}
}

// Insert inserts a job on its own.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	var res *rivertype.JobInsertResult
	var err error
	if q.pg != nil {
		res, err = q.pg.Insert(ctx, args, opts)
	} else {
		res, err = q.sqlite.Insert(ctx, args, opts)
	}
	q.scheduled(res)
	return res, err
}

// Cancel cancels a job: a running one has its context cancelled (on any
// node), a waiting one is never worked.
func (q *Queue) Cancel(ctx context.Context, jobID int64) error {
	var err error
	if q.pg != nil {
		_, err = q.pg.JobCancel(ctx, jobID)
	} else {
		_, err = q.sqlite.JobCancel(ctx, jobID)
	}
	if errors.Is(err, river.ErrNotFound) {
		return nil
	}
	return err
}

// Get returns a job row.
func (q *Queue) Get(ctx context.Context, jobID int64) (*rivertype.JobRow, error) {
	if q.pg != nil {
		return q.pg.JobGet(ctx, jobID)
	}
	return q.sqlite.JobGet(ctx, jobID)
}

// Depth counts jobs waiting (available, scheduled, retryable) and running,
// per queue.
func (q *Queue) Depth(ctx context.Context) (map[string]QueueDepth, error) {
	type row struct {
		Queue string
		State string
		N     int64
	}
	var rows []row
	err := q.st.DB.WithContext(ctx).Raw(`SELECT queue, state, count(*) AS n FROM river_job
		WHERE state IN ('available','scheduled','retryable','running','pending')
		GROUP BY queue, state`).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[string]QueueDepth{}
	for _, r := range rows {
		d := out[r.Queue]
		if r.State == "running" {
			d.Running += r.N
		} else {
			d.Queued += r.N
		}
		out[r.Queue] = d
	}
	return out, nil
}

// QueueDepth is how many jobs of one queue wait and run.
type QueueDepth struct {
	Queued  int64 `json:"queued"`
	Running int64 `json:"running"`
}
