package files

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/queue"
)

// Orphan is a file in the library folder with no row.
type Orphan struct {
	Path       string     `json:"path"`
	SizeBytes  int64      `json:"size_bytes"`
	ModifiedAt time.Time  `json:"modified_at"`
	UserID     *uuid.UUID `json:"user_id"`
}

type orphanRow struct {
	Path       string `gorm:"primaryKey"`
	SizeBytes  int64
	ModifiedAt time.Time
	UserID     *uuid.UUID `gorm:"type:uuid"`
	CheckedAt  time.Time
}

func (orphanRow) TableName() string { return "library_orphans" }

const orphanCheckKey = "orphans_checked_at"

// orphanGrace leaves files younger than this alone: a download may be
// moving them in right now.
const orphanGrace = 10 * time.Minute

// CheckOrphans walks the library (folder or bucket) and records the files
// no row points at (left by crashes or copied in by hand). It never
// deletes them.
func (s *Service) CheckOrphans(ctx context.Context) (int, error) {
	var known []string
	if err := s.db.WithContext(ctx).Model(&Row{}).Pluck("rel_path", &known).Error; err != nil {
		return 0, err
	}
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[filepath.Clean(k)] = true
	}
	now := time.Now().UTC()
	var found []orphanRow
	err := s.backend.Walk(ctx, func(o ObjectInfo) error {
		rel := filepath.FromSlash(o.Key)
		if set[rel] || strings.HasSuffix(o.Key, ".partial") || now.Sub(o.ModTime) < orphanGrace {
			return nil
		}
		or := orphanRow{Path: rel, SizeBytes: o.Size, ModifiedAt: o.ModTime.UTC(), CheckedAt: now}
		if first, _, ok := strings.Cut(o.Key, "/"); ok {
			if id, err := uuid.Parse(first); err == nil {
				or.UserID = &id
			}
		}
		found = append(found, or)
		return nil
	})
	if err != nil {
		return 0, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("1 = 1").Delete(&orphanRow{}).Error; err != nil {
			return err
		}
		if len(found) > 0 {
			if err := tx.CreateInBatches(found, 200).Error; err != nil {
				return err
			}
		}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).
			Create(&kvRow{Key: orphanCheckKey, Value: now.Format(time.RFC3339), UpdatedAt: now}).Error
	})
	if err != nil {
		return 0, err
	}
	if s.OnOrphans != nil {
		s.OnOrphans(len(found))
	}
	if len(found) > 0 {
		s.log.Warn("files in the library with no row", "count", len(found))
	}
	return len(found), nil
}

// OrphanList is a page of orphans with the check's totals.
type OrphanList struct {
	Items      []Orphan   `json:"items"`
	NextCursor *string    `json:"next_cursor"`
	CheckedAt  *time.Time `json:"checked_at"`
	TotalCount int64      `json:"total_count"`
	TotalBytes int64      `json:"total_bytes"`
}

// Orphans lists what the last check found, by path.
func (s *Service) Orphans(ctx context.Context, limit int, cursor string) (OrphanList, error) {
	lim, err := paging.Limit(limit)
	if err != nil {
		return OrphanList{}, err
	}
	cur, err := paging.Decode(cursor, "path")
	if err != nil {
		return OrphanList{}, err
	}
	out := OrphanList{Items: []Orphan{}}
	var kv kvRow
	if s.db.WithContext(ctx).Where("key = ?", orphanCheckKey).Take(&kv).Error == nil {
		t := kv.UpdatedAt.UTC()
		out.CheckedAt = &t
	}
	var agg struct {
		N     int64
		Bytes int64
	}
	if err := s.db.WithContext(ctx).Model(&orphanRow{}).Select("COUNT(*) AS n, COALESCE(SUM(size_bytes),0) AS bytes").Scan(&agg).Error; err != nil {
		return OrphanList{}, err
	}
	out.TotalCount, out.TotalBytes = agg.N, agg.Bytes
	q := s.db.WithContext(ctx).Model(&orphanRow{})
	if cur != nil {
		q = q.Where("path > ?", cur.ID)
	}
	var rows []orphanRow
	if err := q.Order("path").Limit(lim + 1).Find(&rows).Error; err != nil {
		return OrphanList{}, err
	}
	page := paging.Finish(rows, lim, func(r orphanRow) paging.Cursor { return paging.NewCursor("path", nil, r.Path) })
	for _, r := range page.Items {
		out.Items = append(out.Items, Orphan{Path: r.Path, SizeBytes: r.SizeBytes, ModifiedAt: r.ModifiedAt.UTC(), UserID: r.UserID})
	}
	out.NextCursor = page.NextCursor
	return out, nil
}

// OrphanArgs is the periodic orphan check.
type OrphanArgs struct{}

// Kind implements river.JobArgs.
func (OrphanArgs) Kind() string { return "files_orphans" }

// InsertOpts puts the job on the maintenance queue.
func (OrphanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.Maintenance, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// OrphanWorker works OrphanArgs.
type OrphanWorker struct {
	river.WorkerDefaults[OrphanArgs]
	S *Service
}

// Work runs the check.
func (w *OrphanWorker) Work(ctx context.Context, _ *river.Job[OrphanArgs]) error {
	_, err := w.S.CheckOrphans(ctx)
	return err
}

// PeriodicOrphans checks every six hours (and at start).
func PeriodicOrphans() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return OrphanArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "files_orphans"})
}
