package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationUpdatedSince adds files.updated_at (set to created_at for the
// files already there) and indexes both lists by owner and updated_at, for
// ?updated_since= and sort=updated_at: a client syncing incrementally asks
// for what changed since it last looked.
var migrationUpdatedSince = &gormigrate.Migration{
	ID: "202612070040_updated_since",
	Migrate: func(tx *gorm.DB) error {
		type file struct {
			UpdatedAt *time.Time
		}
		if err := tx.Table("files").Migrator().AddColumn(&file{}, "UpdatedAt"); err != nil {
			return err
		}
		for _, q := range []string{
			"UPDATE files SET updated_at = created_at",
			"CREATE INDEX idx_files_user_updated ON files (user_id, updated_at)",
			"CREATE INDEX idx_downloads_user_updated ON downloads (user_id, updated_at)",
		} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	},
	Rollback: func(tx *gorm.DB) error {
		for _, q := range []string{"DROP INDEX idx_downloads_user_updated", "DROP INDEX idx_files_user_updated"} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		type file struct {
			UpdatedAt *time.Time
		}
		return tx.Table("files").Migrator().DropColumn(&file{}, "UpdatedAt")
	},
}
