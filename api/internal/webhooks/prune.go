package webhooks

import (
	"context"
	"time"

	"github.com/downlink/downlink/api/internal/queue"
)

// pruneArgs is the job that forgets old settled deliveries.
type pruneArgs struct{}

// Kind implements river.JobArgs.
func (pruneArgs) Kind() string { return "webhook_prune" }

// PruneTask runs Prune every six hours, on the webhooks queue.
func (s *Service) PruneTask() queue.Task {
	return queue.NewTask[pruneArgs](queue.TaskOptions{Every: 6 * time.Hour, Queue: QueueName},
		func(ctx context.Context) error { _, err := s.Prune(ctx, time.Now()); return err })
}

// Prune deletes succeeded and failed deliveries older than the retention
// (30 days by default), so the log does not grow without end; deliveries
// still being retried stay.
func (s *Service) Prune(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ? AND status IN ?", now.Add(-s.retention).UTC(),
		[]string{string(StatusSucceeded), string(StatusFailed)}).Delete(&deliveryRow{})
	return res.RowsAffected, res.Error
}
