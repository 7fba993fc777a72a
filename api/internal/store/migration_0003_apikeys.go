package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationAPIKeys creates API keys (stored as SHA-256 hashes only), their
// daily usage counters and their daily download-quota counters.
var migrationAPIKeys = &gormigrate.Migration{
	ID: "202611260003_api_keys",
	Migrate: func(tx *gorm.DB) error {
		type apiKey struct {
			ID                 string `gorm:"primaryKey;type:uuid"`
			UserID             string `gorm:"type:uuid;not null;index"`
			Name               string `gorm:"size:100;not null"`
			Scopes             string `gorm:"size:200;not null"`
			KeyHash            string `gorm:"size:64;not null;uniqueIndex"`
			LastEight          string `gorm:"size:8;not null"`
			ExpiresAt          *time.Time
			RevokedAt          *time.Time
			LastUsedAt         *time.Time
			LastUsedIP         *string `gorm:"column:last_used_ip;size:64"`
			RateLimitPerMinute int     `gorm:"not null"`
			DailyDownloadQuota *int
			AllowedIPs         string    `gorm:"column:allowed_ips;type:text;not null"`
			CreatedAt          time.Time `gorm:"not null"`
			UpdatedAt          time.Time `gorm:"not null"`
		}
		type apiKeyUsage struct {
			KeyID       string `gorm:"primaryKey;type:uuid"`
			Day         string `gorm:"primaryKey;size:10"`
			Route       string `gorm:"primaryKey;size:200"`
			StatusClass string `gorm:"primaryKey;size:3"`
			Count       int64  `gorm:"not null"`
		}
		type apiKeyQuota struct {
			KeyID string `gorm:"primaryKey;type:uuid"`
			Day   string `gorm:"primaryKey;size:10"`
			Used  int    `gorm:"not null"`
		}
		if err := tx.Migrator().CreateTable(&apiKey{}); err != nil {
			return err
		}
		if err := tx.Table("api_key_usage").Migrator().CreateTable(&apiKeyUsage{}); err != nil {
			return err
		}
		return tx.Table("api_key_quota").Migrator().CreateTable(&apiKeyQuota{})
	},
	Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("api_key_quota", "api_key_usage", "api_keys")
	},
}
