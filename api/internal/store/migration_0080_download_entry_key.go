package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationDownloadEntryKey adds downloads.entry_key: which entry of its
// parent's listing a child is (a digest of the entry's id or URL), unique
// per parent, so a playlist can never get the same entry twice, whatever
// re-runs its expansion. NULL for items without a parent and for children
// created before the key existed (NULLs never collide).
var migrationDownloadEntryKey = &gormigrate.Migration{
	ID: "202612070080_download_entry_key",
	Migrate: func(tx *gorm.DB) error {
		type download struct {
			EntryKey *string `gorm:"size:80"`
		}
		if err := tx.Table("downloads").Migrator().AddColumn(&download{}, "EntryKey"); err != nil {
			return err
		}
		return tx.Exec("CREATE UNIQUE INDEX idx_downloads_parent_entry ON downloads (parent_id, entry_key)").Error
	},
	Rollback: func(tx *gorm.DB) error {
		if err := tx.Exec("DROP INDEX idx_downloads_parent_entry").Error; err != nil {
			return err
		}
		type download struct {
			EntryKey *string `gorm:"size:80"`
		}
		return tx.Table("downloads").Migrator().DropColumn(&download{}, "EntryKey")
	},
}
