package auth

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/downlink/downlink/api/internal/queue"
)

// CleanupArgs is the periodic job that removes expired sessions and stale
// login-throttle counters.
type CleanupArgs struct{}

// Kind implements river.JobArgs.
func (CleanupArgs) Kind() string { return "auth_cleanup" }

// InsertOpts puts the job on the maintenance queue.
func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.Maintenance, UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Minute}}
}

// CleanupWorker works CleanupArgs.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	Auth *Service
}

// Work runs the cleanup.
func (w *CleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	return w.Auth.Cleanup(ctx)
}

// PeriodicCleanup schedules the cleanup every 15 minutes.
func PeriodicCleanup() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "auth_cleanup"})
}
