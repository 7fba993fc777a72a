package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationDownloadArchive creates download_archive: what each user has
// downloaded, one row per (user, platform, media key) — the platform's id
// of the item where its URL tells it (a YouTube video id), else the URL —
// like yt-dlp's --download-archive, but in the database. A completed
// download writes (or refreshes) its row; one-off submissions warn about
// duplicates and subscriptions skip what is in it.
var migrationDownloadArchive = &gormigrate.Migration{
	ID: "202612070100_download_archive",
	Migrate: func(tx *gorm.DB) error {
		type downloadArchive struct {
			ID         string    `gorm:"primaryKey;type:uuid"`
			UserID     string    `gorm:"type:uuid;not null;uniqueIndex:idx_download_archive_key,priority:1"`
			Platform   string    `gorm:"size:16;not null;uniqueIndex:idx_download_archive_key,priority:2"`
			MediaKey   string    `gorm:"size:300;not null;uniqueIndex:idx_download_archive_key,priority:3"`
			URL        string    `gorm:"type:text;not null"`
			DownloadID *string   `gorm:"type:uuid;index"`
			CreatedAt  time.Time `gorm:"not null"`
			UpdatedAt  time.Time `gorm:"not null"`
		}
		return tx.Migrator().CreateTable(&downloadArchive{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("download_archives") },
}
