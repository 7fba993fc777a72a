package store

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationUserPreferences adds users.preferences: what a user chose last
// (the new-download options: quality, audio format, subtitles), as JSON,
// used as their defaults. NULL means nothing remembered yet.
var migrationUserPreferences = &gormigrate.Migration{
	ID: "202612070066_user_preferences",
	Migrate: func(tx *gorm.DB) error {
		type user struct {
			Preferences *string `gorm:"type:text"`
		}
		return tx.Table("users").Migrator().AddColumn(&user{}, "Preferences")
	},
	Rollback: func(tx *gorm.DB) error {
		type user struct {
			Preferences *string `gorm:"type:text"`
		}
		return tx.Table("users").Migrator().DropColumn(&user{}, "Preferences")
	},
}
