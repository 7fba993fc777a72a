package logs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

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

// RetentionArgs is the periodic job that deletes old log records.
type RetentionArgs struct{}

// Kind implements river.JobArgs.
func (RetentionArgs) Kind() string { return "logs_retention" }

// InsertOpts puts the job on the maintenance queue, once per period.
func (RetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.Maintenance, UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Minute}}
}

// RetentionWorker works RetentionArgs.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	Service *Service
}

// Work deletes the records past the retention.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	_, err := w.Service.Prune(ctx, time.Now())
	return err
}

// PeriodicRetention schedules the retention every hour, and at start.
func PeriodicRetention() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "logs_retention"})
}
