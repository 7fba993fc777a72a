package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationAccounts creates users, server-side sessions (the gormstore
// columns plus who, where and until when), login throttling counters and a
// small key-value table for one-off state such as the setup token.
var migrationAccounts = &gormigrate.Migration{
	ID: "202611260002_accounts",
	Migrate: func(tx *gorm.DB) error {
		type user struct {
			ID                string  `gorm:"primaryKey;type:uuid"`
			Email             string  `gorm:"size:254;not null;uniqueIndex"`
			Name              string  `gorm:"size:100;not null"`
			AvatarURL         *string `gorm:"size:2048"`
			Role              string  `gorm:"size:16;not null;index"`
			Disabled          bool    `gorm:"not null;default:false"`
			PasswordHash      *string `gorm:"size:256"`
			AuthSource        string  `gorm:"size:16;not null"`
			OIDCIssuer        *string `gorm:"column:oidc_issuer;size:512;uniqueIndex:idx_users_oidc"`
			OIDCSubject       *string `gorm:"column:oidc_subject;size:512;uniqueIndex:idx_users_oidc"`
			StorageQuotaBytes *int64
			LastLoginAt       *time.Time
			CreatedAt         time.Time `gorm:"not null"`
			UpdatedAt         time.Time `gorm:"not null"`
		}
		type session struct {
			// id, data, created_at, updated_at, expires_at are gormstore's.
			ID                string    `gorm:"primaryKey;size:64"`
			Data              string    `gorm:"type:text"`
			CreatedAt         time.Time `gorm:"not null"`
			UpdatedAt         time.Time `gorm:"not null"`
			ExpiresAt         time.Time `gorm:"not null;index"`
			PublicID          *string   `gorm:"type:uuid;uniqueIndex"`
			UserID            *string   `gorm:"type:uuid;index"`
			IP                *string   `gorm:"size:64"`
			UserAgent         *string   `gorm:"size:512"`
			LastSeenAt        *time.Time
			AbsoluteExpiresAt *time.Time `gorm:"index"`
		}
		type authThrottle struct {
			Key             string `gorm:"primaryKey;size:300"`
			Failures        int    `gorm:"not null"`
			WindowStartedAt time.Time
			LockedUntil     *time.Time
		}
		type kv struct {
			Key       string `gorm:"primaryKey;size:100"`
			Value     string `gorm:"type:text;not null"`
			UpdatedAt time.Time
		}
		if err := tx.Migrator().CreateTable(&user{}, &session{}, &authThrottle{}); err != nil {
			return err
		}
		return tx.Table("kv").Migrator().CreateTable(&kv{})
	},
	Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("kv", "auth_throttles", "sessions", "users")
	},
}
