package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationLibraryRelayout adds downloads.library_meta (what the
// media-server layout names a download by, kept at completion so a later
// move between layouts files it as a fresh download would be) and
// library_relayouts: an admin's move of the library to the current
// layout, its progress kept per download so a restart resumes it.
var migrationLibraryRelayout = &gormigrate.Migration{
	ID: "202612070102_library_relayout",
	Migrate: func(tx *gorm.DB) error {
		type download struct {
			LibraryMeta *string `gorm:"type:text"`
		}
		if err := tx.Table("downloads").Migrator().AddColumn(&download{}, "LibraryMeta"); err != nil {
			return err
		}
		type libraryRelayout struct {
			ID          string     `gorm:"primaryKey;type:uuid"`
			Status      string     `gorm:"size:16;not null;index"`
			Layout      string     `gorm:"type:text;not null"`
			RequestedBy *string    `gorm:"type:uuid"`
			Total       int        `gorm:"not null;default:0"`
			Done        int        `gorm:"not null;default:0"`
			Moved       int        `gorm:"not null;default:0"`
			Failed      int        `gorm:"not null;default:0"`
			Failures    string     `gorm:"type:text;not null"`
			Cursor      string     `gorm:"size:64;not null"`
			Node        *string    `gorm:"size:200"`
			HeartbeatAt *time.Time `gorm:""`
			CreatedAt   time.Time  `gorm:"not null"`
			UpdatedAt   time.Time  `gorm:"not null"`
			FinishedAt  *time.Time `gorm:""`
		}
		if err := tx.Migrator().CreateTable(&libraryRelayout{}); err != nil {
			return err
		}
		// One unfinished move at a time, whatever two admins click at once.
		return tx.Exec("CREATE UNIQUE INDEX idx_library_relayouts_one_unfinished ON library_relayouts ((1)) WHERE status <> 'completed'").Error
	},
	Rollback: func(tx *gorm.DB) error {
		type download struct{ LibraryMeta *string }
		if err := tx.Migrator().DropTable("library_relayouts"); err != nil {
			return err
		}
		return tx.Table("downloads").Migrator().DropColumn(&download{}, "LibraryMeta")
	},
}
