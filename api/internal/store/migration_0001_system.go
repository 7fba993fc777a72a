package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationSystem creates the node registry: one row per running process,
// refreshed by its heartbeat, shown in the system view.
var migrationSystem = &gormigrate.Migration{
	ID: "202611260001_nodes",
	Migrate: func(tx *gorm.DB) error {
		type node struct {
			Name        string `gorm:"primaryKey;size:128"`
			Role        string `gorm:"size:16;not null"`
			Version     string `gorm:"size:64;not null"`
			RunningJobs int    `gorm:"not null;default:0"`
			StartedAt   time.Time
			LastSeenAt  time.Time `gorm:"index"`
		}
		return tx.Migrator().CreateTable(&node{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("nodes") },
}
