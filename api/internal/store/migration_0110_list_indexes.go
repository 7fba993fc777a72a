package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationListIndexes gives the two lists people open first an index in
// their order, newest first, so a page is read from it instead of sorting.
// SQLite has no statistics (Downlink never runs ANALYZE) and chose badly:
//
//   - an admin's top-level downloads (parent_id IS NULL ORDER BY
//     created_at DESC) took the parent_id index for the IS NULL test and
//     sorted every top-level download on each request: 46 ms of CPU per
//     list at 20,000 downloads. (parent_id, created_at) replaces
//     (parent_id); children (parent_id = ?) use its first column.
//   - a user's library (files WHERE user_id = ? ORDER BY created_at DESC)
//     took (user_id, updated_at) and sorted all of the user's files.
//     (user_id, created_at) replaces (user_id).
var migrationListIndexes = &gormigrate.Migration{
	ID: "202612080110_list_indexes",
	Migrate: func(tx *gorm.DB) error {
		return execAll(tx,
			"CREATE INDEX idx_downloads_parent_created ON downloads (parent_id, created_at)",
			"DROP INDEX idx_downloads_parent_id",
			"CREATE INDEX idx_files_user_created ON files (user_id, created_at)",
			"DROP INDEX idx_files_user_id")
	},
	Rollback: func(tx *gorm.DB) error {
		return execAll(tx,
			"CREATE INDEX idx_downloads_parent_id ON downloads (parent_id)",
			"DROP INDEX idx_downloads_parent_created",
			"CREATE INDEX idx_files_user_id ON files (user_id)",
			"DROP INDEX idx_files_user_created")
	},
}

// execAll runs statements in order and stops at the first error.
func execAll(tx *gorm.DB, stmts ...string) error {
	for _, q := range stmts {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}
