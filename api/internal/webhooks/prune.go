package webhooks

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// PruneArgs is the periodic job that forgets old settled deliveries.
type PruneArgs struct{}

// Kind implements river.JobArgs.
func (PruneArgs) Kind() string { return "webhook_prune" }

// InsertOpts runs the prune on the webhooks queue.
func (PruneArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueName} }

// PruneWorker runs the prune.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	S *Service
}

// Work deletes old deliveries.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	_, err := w.S.Prune(ctx, time.Now())
	return err
}

// PeriodicPrune schedules the prune every six hours.
func PeriodicPrune() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: "webhook_prune"})
}

// Prune deletes succeeded and failed deliveries older than the retention
// (30 days by default), so the log does not grow without end; deliveries
// still being retried stay.
func (s *Service) Prune(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ? AND status IN ?", now.Add(-s.retention).UTC(),
		[]string{string(StatusSucceeded), string(StatusFailed)}).Delete(&deliveryRow{})
	return res.RowsAffected, res.Error
}
