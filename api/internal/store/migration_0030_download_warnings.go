package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationDownloadWarnings adds downloads.warnings: what a download that
// completed (or is about to run) wants its user to know, as a JSON list of
// {code, message} (an Instagram post that completed with 2 of 3 items, a
// Spotify track whose metadata came without ISRC). NULL means none.
var migrationDownloadWarnings = &gormigrate.Migration{
	ID: "202612070030_download_warnings",
	Migrate: func(tx *gorm.DB) error {
		type download struct {
			Warnings *string `gorm:"type:text"`
		}
		return tx.Table("downloads").Migrator().AddColumn(&download{}, "Warnings")
	},
	Rollback: func(tx *gorm.DB) error {
		type download struct {
			Warnings *string `gorm:"type:text"`
		}
		return tx.Table("downloads").Migrator().DropColumn(&download{}, "Warnings")
	},
}
