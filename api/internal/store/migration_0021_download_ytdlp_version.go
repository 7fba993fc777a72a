package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationDownloadYtdlpVersion records on each download the version of
// the yt-dlp that ran it: with managed updates, downloads of one day may
// run on different versions.
var migrationDownloadYtdlpVersion = &gormigrate.Migration{
	ID: "202612070021_download_ytdlp_version",
	Migrate: func(tx *gorm.DB) error {
		type download struct {
			YtdlpVersion *string `gorm:"size:64"`
		}
		return tx.Table("downloads").Migrator().AddColumn(&download{}, "YtdlpVersion")
	},
	Rollback: func(tx *gorm.DB) error {
		return tx.Table("downloads").Migrator().DropColumn("downloads", "ytdlp_version")
	},
}
