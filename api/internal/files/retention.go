package files

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/queue"
)

// RetentionInterval is how often the retention policy runs.
const RetentionInterval = time.Hour

const lastRetentionKey = "retention_last_run"

type kvRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (kvRow) TableName() string { return "kv" }

func (s *Service) retentionInfo(ctx context.Context) RetentionInfo {
	info := RetentionInfo{}
	if d := s.retention(ctx); d != nil {
		days := int(*d / (24 * time.Hour))
		info.Days = &days
	}
	var r kvRow
	if s.db.WithContext(ctx).Where("key = ?", lastRetentionKey).Take(&r).Error == nil {
		last := r.UpdatedAt.UTC()
		info.LastRunAt = &last
		if info.Days != nil {
			next := last.Add(RetentionInterval)
			info.NextRunAt = &next
		}
	} else if info.Days != nil {
		next := time.Now().UTC().Add(time.Minute)
		info.NextRunAt = &next
	}
	return info
}

// RetentionPreview lists what the next retention run removes.
type RetentionPreview struct {
	RetentionDays *int       `json:"retention_days"`
	Cutoff        *time.Time `json:"cutoff"`
	NextRunAt     *time.Time `json:"next_run_at"`
	TotalCount    int64      `json:"total_count"`
	TotalBytes    int64      `json:"total_bytes"`
	Items         []File     `json:"items"`
	NextCursor    *string    `json:"next_cursor"`
}

// cutoff is the creation time before which unpinned files expire; nil
// when retention is off.
func (s *Service) cutoff(ctx context.Context) *time.Time {
	d := s.retention(ctx)
	if d == nil {
		return nil
	}
	t := time.Now().UTC().Add(-*d)
	return &t
}

// PreviewRetention lists the caller's files (admins: everyone's or one
// user's) that a run now would delete, oldest first.
func (s *Service) PreviewRetention(ctx context.Context, caller *authz.Principal, userID *uuid.UUID, limit int, cursor string) (RetentionPreview, error) {
	if userID != nil && !caller.MayActOnOthers(authz.Read) {
		return RetentionPreview{}, ErrAdminParam
	}
	info := s.retentionInfo(ctx)
	p := RetentionPreview{RetentionDays: info.Days, NextRunAt: info.NextRunAt, Items: []File{}}
	cut := s.cutoff(ctx)
	if cut == nil {
		return p, nil
	}
	p.Cutoff = cut
	lim, err := paging.Limit(limit)
	if err != nil {
		return RetentionPreview{}, err
	}
	cur, err := paging.Decode(cursor, "created_at")
	if err != nil {
		return RetentionPreview{}, err
	}
	q := s.db.WithContext(ctx).Model(&Row{}).Where("pinned = ? AND created_at < ?", false, *cut)
	switch {
	case userID != nil:
		q = q.Where("user_id = ?", *userID)
	case !caller.MayActOnOthers(authz.Read):
		q = q.Where("user_id = ?", caller.UserID)
	}
	var agg struct {
		N     int64
		Bytes int64
	}
	if err := q.Session(&gorm.Session{}).Select("COUNT(*) AS n, COALESCE(SUM(size_bytes),0) AS bytes").Scan(&agg).Error; err != nil {
		return RetentionPreview{}, err
	}
	p.TotalCount, p.TotalBytes = agg.N, agg.Bytes
	if cur != nil {
		var t time.Time
		if err := cur.KeyAs(&t); err != nil {
			return RetentionPreview{}, err
		}
		q = q.Where("(created_at > ?) OR (created_at = ? AND id > ?)", t, t, cur.ID)
	}
	var rows []Row
	if err := q.Order("created_at ASC, id ASC").Limit(lim + 1).Find(&rows).Error; err != nil {
		return RetentionPreview{}, err
	}
	page := paging.Finish(rows, lim, func(r Row) paging.Cursor {
		return paging.NewCursor("created_at", r.CreatedAt.UTC(), r.ID.String())
	})
	p.Items = s.Views(ctx, page.Items)
	p.NextCursor = page.NextCursor
	return p, nil
}

// RetentionResult reports a run.
type RetentionResult struct {
	RetentionDays *int      `json:"retention_days"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	DeletedCount  int       `json:"deleted_count"`
	FreedBytes    int64     `json:"freed_bytes"`
	FailedCount   int       `json:"failed_count"`
}

// ErrRetentionRunning is a run asked for while one is going.
var ErrRetentionRunning = problem.New(http.StatusConflict, "Retention already running").
	WithDetail("A retention run is going on now; try again when it has finished.")

var retentionRunning atomic.Bool

// RunRetention deletes unpinned files older than the retention period, in
// the order the preview lists them; exactly what the preview showed.
func (s *Service) RunRetention(ctx context.Context, actor *uuid.UUID) (RetentionResult, error) {
	if !retentionRunning.CompareAndSwap(false, true) {
		return RetentionResult{}, ErrRetentionRunning
	}
	defer retentionRunning.Store(false)
	res := RetentionResult{StartedAt: time.Now().UTC()}
	if d := s.retention(ctx); d != nil {
		days := int(*d / (24 * time.Hour))
		res.RetentionDays = &days
	}
	if cut := s.cutoff(ctx); cut != nil {
		for {
			var rows []Row
			if err := s.db.WithContext(ctx).Where("pinned = ? AND created_at < ?", false, *cut).
				Order("created_at ASC, id ASC").Limit(200).Find(&rows).Error; err != nil {
				return res, err
			}
			if len(rows) == 0 {
				break
			}
			for _, r := range rows {
				if err := s.DeleteRows(ctx, []Row{r}); err != nil {
					res.FailedCount++
					s.log.Warn("retention could not delete a file", "file_id", r.ID, "err", err)
					continue
				}
				res.DeletedCount++
				res.FreedBytes += r.SizeBytes
			}
			if res.FailedCount > 0 && res.DeletedCount == 0 {
				break
			}
		}
	}
	res.FinishedAt = time.Now().UTC()
	_ = s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).
		Create(&kvRow{Key: lastRetentionKey, Value: res.FinishedAt.Format(time.RFC3339), UpdatedAt: res.FinishedAt}).Error
	if s.metrics != nil {
		s.metrics.RetentionDeleted.Add(float64(res.DeletedCount))
	}
	attrs := []any{"action", "storage.retention_run", "deleted", res.DeletedCount, "freed_bytes", res.FreedBytes, "failed", res.FailedCount}
	if actor != nil {
		s.audit.InfoContext(ctx, "retention run", append(attrs, "actor_id", *actor)...)
	} else if res.DeletedCount > 0 {
		s.log.Info("retention run", attrs...)
	}
	return res, nil
}

// retentionArgs is the periodic retention job.
type retentionArgs struct{}

// Kind implements river.JobArgs.
func (retentionArgs) Kind() string { return "files_retention" }

// RetentionTask runs retention every RetentionInterval (and at start); a
// run already going on this node is fine.
func (s *Service) RetentionTask() queue.Task {
	return queue.NewTask[retentionArgs](queue.TaskOptions{Every: RetentionInterval, Unique: 30 * time.Minute, RunOnStart: true},
		func(ctx context.Context) error {
			_, err := s.RunRetention(ctx, nil)
			if errors.Is(err, ErrRetentionRunning) {
				return nil
			}
			return err
		})
}
