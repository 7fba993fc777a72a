package files

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
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

// presence is what the orphan check reads of each row.
type presence struct {
	ID        uuid.UUID
	RelPath   string
	ThumbKey  *string
	MissingAt *time.Time
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
// no row points at (left by crashes or copied in by hand), and which rows'
// files are gone (their missing_at) or back. It never deletes anything.
func (s *Service) CheckOrphans(ctx context.Context) (int, error) {
	var known []presence
	if err := s.db.WithContext(ctx).Model(&Row{}).Select("id", "rel_path", "thumb_key", "missing_at").Find(&known).Error; err != nil {
		return 0, err
	}
	set := make(map[string]bool, len(known))
	// A file's grabbed thumbnail is no orphan (and its absence changes
	// nothing: the file is there or not by its own data).
	thumbs := map[string]bool{}
	for _, k := range known {
		set[filepath.Clean(filepath.FromSlash(k.RelPath))] = false
		if k.ThumbKey != nil {
			thumbs[filepath.Clean(filepath.FromSlash(*k.ThumbKey))] = true
		}
	}
	now := time.Now().UTC()
	var found []orphanRow
	err := s.backend.Walk(ctx, func(o ObjectInfo) error {
		rel := filepath.FromSlash(o.Key)
		if _, ok := set[rel]; ok {
			set[rel] = true
			return nil
		}
		if thumbs[rel] {
			return nil
		}
		if strings.HasSuffix(o.Key, ".partial") || now.Sub(o.ModTime) < orphanGrace {
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
	var gone, back []uuid.UUID
	for _, k := range known {
		there := set[filepath.Clean(filepath.FromSlash(k.RelPath))]
		switch {
		case !there && k.MissingAt == nil:
			gone = append(gone, k.ID)
		case there && k.MissingAt != nil:
			back = append(back, k.ID)
		}
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Only rows whose state changed are written; a row deleted or
		// accessed meanwhile is matched by its old state or not at all.
		for ids := range slices.Chunk(gone, 500) {
			if err := tx.Model(&Row{}).Where("id IN ? AND missing_at IS NULL", ids).Update("missing_at", now).Error; err != nil {
				return err
			}
		}
		for ids := range slices.Chunk(back, 500) {
			if err := tx.Model(&Row{}).Where("id IN ? AND missing_at IS NOT NULL", ids).Update("missing_at", nil).Error; err != nil {
				return err
			}
		}
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
	if s.metrics != nil {
		s.metrics.OrphansFound.Set(float64(len(found)))
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

// orphanArgs is the periodic orphan check.
type orphanArgs struct{}

// Kind implements river.JobArgs.
func (orphanArgs) Kind() string { return "files_orphans" }

// OrphanTask runs CheckOrphans every six hours (and at start).
func (s *Service) OrphanTask() queue.Task {
	return queue.NewTask[orphanArgs](queue.TaskOptions{Every: 6 * time.Hour, Unique: time.Hour, RunOnStart: true},
		func(ctx context.Context) error { _, err := s.CheckOrphans(ctx); return err })
}
