package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationDownloads creates downloads (one row per media item; playlist
// parents have children) and files (what finished downloads put in the
// library).
var migrationDownloads = &gormigrate.Migration{
	ID: "202611260004_downloads_files",
	Migrate: func(tx *gorm.DB) error {
		type download struct {
			ID              string  `gorm:"primaryKey;type:uuid"`
			UserID          string  `gorm:"type:uuid;not null;index:idx_downloads_user_created,priority:1"`
			APIKeyID        *string `gorm:"type:uuid"`
			ParentID        *string `gorm:"type:uuid;index"`
			URL             string  `gorm:"type:text;not null"`
			Platform        string  `gorm:"size:16;not null;index"`
			Kind            string  `gorm:"size:16;not null"`
			Status          string  `gorm:"size:20;not null;index"`
			Title           *string `gorm:"type:text"`
			Uploader        *string `gorm:"size:512"`
			ThumbnailURL    *string `gorm:"type:text"`
			DurationSeconds *float64
			SourceURL       *string `gorm:"type:text"`
			PlaylistIndex   int     `gorm:"not null;default:0"`
			Percent         float64 `gorm:"not null;default:0"`
			DownloadedBytes int64   `gorm:"not null;default:0"`
			TotalBytes      *int64
			SpeedBps        *float64
			ETASeconds      *int64 `gorm:"column:eta_seconds"`
			FragmentIndex   *int
			FragmentCount   *int
			PostProcessor   *string `gorm:"size:64"`
			ErrorCode       *string `gorm:"size:32"`
			ErrorMessage    *string `gorm:"type:text"`
			Options         string  `gorm:"type:text;not null"`
			Meta            *string `gorm:"type:text"`
			JobID           *int64  `gorm:"index"`
			Node            *string `gorm:"size:128;index"`
			HeartbeatAt     *time.Time
			Attempts        int       `gorm:"not null;default:0"`
			IdempotencyKey  *string   `gorm:"size:255;uniqueIndex:idx_downloads_idempotency,priority:2"`
			IdemUserID      *string   `gorm:"column:idem_user_id;type:uuid;uniqueIndex:idx_downloads_idempotency,priority:1"`
			RequestHash     *string   `gorm:"size:64"`
			CreatedAt       time.Time `gorm:"not null;index:idx_downloads_user_created,priority:2;index"`
			StartedAt       *time.Time
			FinishedAt      *time.Time `gorm:"index"`
			UpdatedAt       time.Time  `gorm:"not null"`
		}
		type file struct {
			ID         string    `gorm:"primaryKey;type:uuid"`
			DownloadID *string   `gorm:"type:uuid;index"`
			UserID     string    `gorm:"type:uuid;not null;index"`
			Name       string    `gorm:"size:255;not null"`
			RelPath    string    `gorm:"type:text;not null;uniqueIndex"`
			SizeBytes  int64     `gorm:"not null"`
			MimeType   string    `gorm:"size:127;not null"`
			Kind       string    `gorm:"size:16;not null;index"`
			Platform   string    `gorm:"size:16;not null"`
			Pinned     bool      `gorm:"not null;default:false"`
			Thumbnail  *string   `gorm:"type:text"`
			CreatedAt  time.Time `gorm:"not null;index"`
		}
		return tx.Migrator().CreateTable(&download{}, &file{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("files", "downloads") },
}
