package logs

import (
	"context"
	"time"

	"github.com/downlink/downlink/api/internal/queue"
)

// deleteChunk bounds one DELETE, so pruning a large table never holds a
// long write lock (SQLite has one writer).
const deleteChunk = 5000

// DeleteBefore removes records logged before t and returns how many.
func (s *Service) DeleteBefore(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for {
		sub := s.db.Model(&row{}).Select("id").Where("logged_at < ?", t.UTC()).Limit(deleteChunk)
		res := s.db.WithContext(ctx).Where("id IN (?)", sub).Delete(&row{})
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < deleteChunk {
			return total, nil
		}
	}
}

// Prune applies the retention: records older than RetentionDays go. It
// returns how many were deleted.
func (s *Service) Prune(ctx context.Context, now time.Time) (int64, error) {
	days := s.cfg.RetentionDays(ctx)
	if days <= 0 {
		return 0, nil
	}
	return s.DeleteBefore(ctx, now.AddDate(0, 0, -days))
}

// retentionArgs is the periodic job that deletes old log records.
type retentionArgs struct{}

// Kind implements river.JobArgs.
func (retentionArgs) Kind() string { return "logs_retention" }

// RetentionTask runs Prune every hour (and at start).
func (s *Service) RetentionTask() queue.Task {
	return queue.NewTask[retentionArgs](queue.TaskOptions{Every: time.Hour, Unique: 30 * time.Minute, RunOnStart: true},
		func(ctx context.Context) error { _, err := s.Prune(ctx, time.Now()); return err })
}
