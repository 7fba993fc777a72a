package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationDownloadTempBytes adds downloads.temp_bytes: how many bytes a
// running download holds in its temporary folder (.part files, fragments),
// measured by its worker about once a second. A user's running downloads
// count against their storage quota with these bytes; rows that are not
// running are not counted, whatever the column says.
var migrationDownloadTempBytes = &gormigrate.Migration{
	ID: "202612070014_download_temp_bytes",
	Migrate: func(tx *gorm.DB) error {
		type download struct {
			TempBytes int64 `gorm:"not null;default:0"`
		}
		return tx.Table("downloads").Migrator().AddColumn(&download{}, "TempBytes")
	},
	Rollback: func(tx *gorm.DB) error {
		type download struct {
			TempBytes int64 `gorm:"not null;default:0"`
		}
		return tx.Table("downloads").Migrator().DropColumn(&download{}, "TempBytes")
	},
}
