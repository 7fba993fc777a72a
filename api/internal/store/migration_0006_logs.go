package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationLogs creates logs: the system log and the audit trail, one row
// per record, written in batches by the logs handler and read newest first.
var migrationLogs = &gormigrate.Migration{
	ID: "202611260006_logs",
	Migrate: func(tx *gorm.DB) error {
		type log struct {
			ID         string    `gorm:"primaryKey;type:uuid;index:idx_logs_time,priority:2"`
			LoggedAt   time.Time `gorm:"column:logged_at;not null;index:idx_logs_time,priority:1"`
			Level      int       `gorm:"not null"`
			Source     string    `gorm:"size:32;not null"`
			Message    string    `gorm:"type:text;not null"`
			Attrs      string    `gorm:"type:text;not null"`
			RequestID  *string   `gorm:"size:64;index"`
			UserID     *string   `gorm:"type:uuid;index"`
			DownloadID *string   `gorm:"type:uuid;index"`
			ActorID    *string   `gorm:"type:uuid;index"`
			IP         *string   `gorm:"column:ip;size:255"`
			Target     *string   `gorm:"size:255"`
			Action     *string   `gorm:"size:255"`
			Audit      bool      `gorm:"not null;default:false"`
		}
		return tx.Migrator().CreateTable(&log{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("logs") },
}
