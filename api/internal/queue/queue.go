// Package queue wires River, the durable job queue, onto Downlink's database:
// riversqlite on the shared SQLite pool, riverpgxv5 on Postgres (with
// LISTEN/NOTIFY for prompt pickup across nodes). Jobs can be inserted in the
// same transaction as the rows they belong to.
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/store"
)

// Maintenance is the queue every node works, whatever its download workers:
// periodic housekeeping and small jobs.
const Maintenance = "maintenance"

// Options configure the queue client of one node.
type Options struct {
	// NodeName identifies this node in River's client id.
	NodeName string
	// Queues maps queue names to how many jobs of each this node works at
	// once. The maintenance queue is always added.
	Queues map[string]int
	// Periodic jobs run by the elected leader.
	Periodic []*river.PeriodicJob
	// RescueStuckJobsAfter is how long a running job may go without finishing
	// before River considers its worker dead; keep it above the longest
	// allowed job (Downlink's own heartbeat rescues dead downloads sooner).
	RescueStuckJobsAfter time.Duration
	// JobTimeout bounds one attempt of a job (-1: no timeout).
	JobTimeout time.Duration
	// FetchPollInterval is how often queues are polled when no notification
	// arrives (SQLite always polls).
	FetchPollInterval time.Duration
	Logger            *slog.Logger
	// ErrorHandler sees job errors and panics (for logs and metrics).
	ErrorHandler river.ErrorHandler
	// Middleware wraps every job (e.g. metrics).
	Middleware []rivertype.Middleware
}

// Queue is the node's job queue client.
type Queue struct {
	st      *store.Store
	log     *slog.Logger
	workers *river.Workers

	sqlite   *river.Client[*sql.Tx] // SQLite: everything
	pg       *river.Client[pgx.Tx]  // Postgres: working and plain inserts
	pgInsert *river.Client[*sql.Tx] // Postgres: inserts inside GORM transactions
}

// SQLite has no LISTEN/NOTIFY, so its queue polls; a poll is one indexed
// query, so every 100ms costs nothing while keeping a new job's wait short.
const (
	sqlitePollInterval = 100 * time.Millisecond
	fetchCooldown      = 20 * time.Millisecond
)

// New builds the client. Workers must hold every worker the node can run
// (register them before New); Start begins working.
func New(st *store.Store, workers *river.Workers, opts Options) (*Queue, error) {
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
		FetchPollInterval:    opts.FetchPollInterval,
		// Jobs are long downloads, so fetches are rare and cheap; a short
		// cooldown hands a freed worker its next job within ~20ms instead
		// of River's default 100ms (measured in docs/performance.md).
		FetchCooldown: fetchCooldown,
		ErrorHandler:  opts.ErrorHandler,
		Middleware:    opts.Middleware,
		MaxAttempts:   5,
	}
	q := &Queue{st: st, log: opts.Logger, workers: workers}
	var err error
	if st.Pool != nil {
		if q.pg, err = river.NewClient(riverpgxv5.New(st.Pool), cfg); err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		q.pgInsert, err = river.NewClient(riverdatabasesql.New(st.SQL), &river.Config{
			Logger:  cfg.Logger,
			Workers: workers,
		})
	} else {
		if cfg.FetchPollInterval == 0 {
			cfg.FetchPollInterval = sqlitePollInterval
		}
		cfg.PollOnly = true
		q.sqlite, err = river.NewClient(riversqlite.New(st.SQL), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return q, nil
}

func clientID(node string) string {
	if node == "" {
		node = "downlink"
	}
	return fmt.Sprintf("%s_%d", node, time.Now().UnixNano())
}

// Start begins fetching and working jobs; it returns once started.
func (q *Queue) Start(ctx context.Context) error {
	if q.pg != nil {
		return q.pg.Start(ctx)
	}
	return q.sqlite.Start(ctx)
}

// Stop stops fetching and waits for running jobs until ctx ends, then
// cancels them (their work contexts end, so downloads stop and are re-queued
// by the next start).
func (q *Queue) Stop(ctx context.Context) error {
	var err error
	if q.pg != nil {
		err = q.pg.Stop(ctx)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			err = q.pg.StopAndCancel(context.WithoutCancel(ctx))
		}
	} else {
		err = q.sqlite.Stop(ctx)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			err = q.sqlite.StopAndCancel(context.WithoutCancel(ctx))
		}
	}
	return err
}

// StopAndCancel stops at once, cancelling every running job's context.
func (q *Queue) StopAndCancel(ctx context.Context) error {
	if q.pg != nil {
		return q.pg.StopAndCancel(ctx)
	}
	return q.sqlite.StopAndCancel(ctx)
}

// InsertTx inserts a job inside tx, a GORM transaction, so the job exists if
// and only if the transaction commits.
func (q *Queue) InsertTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, errors.New("queue: InsertTx needs a GORM transaction")
	}
	if q.pgInsert != nil {
		return q.pgInsert.InsertTx(ctx, sqlTx, args, opts)
	}
	return q.sqlite.InsertTx(ctx, sqlTx, args, opts)
}

// Insert inserts a job on its own.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if q.pg != nil {
		return q.pg.Insert(ctx, args, opts)
	}
	return q.sqlite.Insert(ctx, args, opts)
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

// Subscribe delivers River's job events of the given kinds (for tests and
// metrics); call the returned func to stop.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	if q.pg != nil {
		return q.pg.Subscribe(kinds...)
	}
	return q.sqlite.Subscribe(kinds...)
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
