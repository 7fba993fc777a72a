package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationDownloadErrorDetails adds downloads.error_details: the last lines
// of yt-dlp's stderr of a failed download (sanitized: hosts instead of URLs,
// no server paths), shown under "Technical details". NULL means none.
var migrationDownloadErrorDetails = &gormigrate.Migration{
	ID: "202612070065_download_error_details",
	Migrate: func(tx *gorm.DB) error {
		type download struct {
			ErrorDetails *string `gorm:"type:text"`
		}
		return tx.Table("downloads").Migrator().AddColumn(&download{}, "ErrorDetails")
	},
	Rollback: func(tx *gorm.DB) error {
		type download struct {
			ErrorDetails *string `gorm:"type:text"`
		}
		return tx.Table("downloads").Migrator().DropColumn(&download{}, "ErrorDetails")
	},
}
