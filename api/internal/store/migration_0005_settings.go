package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationSettings creates the settings table: one JSON document for the
// global settings and one per platform, secrets inside sealed.
var migrationSettings = &gormigrate.Migration{
	ID: "202611260005_settings",
	Migrate: func(tx *gorm.DB) error {
		type setting struct {
			Key       string    `gorm:"primaryKey;size:64"`
			Value     string    `gorm:"type:text;not null"`
			UpdatedAt time.Time `gorm:"not null"`
			UpdatedBy *string   `gorm:"type:uuid"`
		}
		return tx.Migrator().CreateTable(&setting{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("settings") },
}
