package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationFileMissing adds files.missing_at: since when the library has
// known a file's data to be gone (NULL: present when last looked at). The
// orphan check and every access to a file's data keep it, so lists show
// presence without touching the disk (or the bucket) per row and request.
var migrationFileMissing = &gormigrate.Migration{
	ID: "202612070090_file_missing_at",
	Migrate: func(tx *gorm.DB) error {
		type file struct{ MissingAt *time.Time }
		return tx.Table("files").Migrator().AddColumn(&file{}, "MissingAt")
	},
	Rollback: func(tx *gorm.DB) error {
		type file struct{ MissingAt *time.Time }
		return tx.Table("files").Migrator().DropColumn(&file{}, "MissingAt")
	},
}
