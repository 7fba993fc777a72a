package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationLibrary creates the list of orphaned files found on disk by the
// periodic library check (files with no row), for the admin to inspect.
var migrationLibrary = &gormigrate.Migration{
	ID: "202611260008_library_orphans",
	Migrate: func(tx *gorm.DB) error {
		type libraryOrphan struct {
			Path       string    `gorm:"primaryKey;size:1024"`
			SizeBytes  int64     `gorm:"not null"`
			ModifiedAt time.Time `gorm:"not null"`
			UserID     *string   `gorm:"type:uuid"`
			CheckedAt  time.Time `gorm:"not null"`
		}
		return tx.Migrator().CreateTable(&libraryOrphan{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("library_orphans") },
}
