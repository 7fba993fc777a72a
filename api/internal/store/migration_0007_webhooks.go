package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationWebhooks creates webhooks (signing secrets sealed, never in
// plaintext) and their delivery log, listed per webhook newest first.
var migrationWebhooks = &gormigrate.Migration{
	ID: "202611260007_webhooks",
	Migrate: func(tx *gorm.DB) error {
		type webhook struct {
			ID             string    `gorm:"primaryKey;type:uuid"`
			URL            string    `gorm:"type:text;not null"`
			Description    string    `gorm:"type:text;not null"`
			Events         string    `gorm:"size:200;not null"`
			FilterUserID   *string   `gorm:"type:uuid;index"`
			FilterPlatform *string   `gorm:"size:16"`
			Enabled        bool      `gorm:"not null;index"`
			Secret         string    `gorm:"type:text;not null"`
			CreatedBy      *string   `gorm:"type:uuid"`
			CreatedAt      time.Time `gorm:"not null"`
			UpdatedAt      time.Time `gorm:"not null"`
		}
		type webhookDelivery struct {
			ID             string  `gorm:"primaryKey;type:uuid;index:idx_webhook_deliveries_list,priority:2"`
			WebhookID      string  `gorm:"type:uuid;not null;index:idx_webhook_deliveries_list,priority:1"`
			Event          string  `gorm:"size:32;not null"`
			EventID        string  `gorm:"size:64;not null"`
			Payload        string  `gorm:"type:text;not null"`
			Status         string  `gorm:"size:16;not null"`
			Attempts       int     `gorm:"not null;default:0"`
			ResponseStatus *int    `gorm:"column:response_status"`
			DurationMS     *int64  `gorm:"column:duration_ms"`
			Error          *string `gorm:"type:text"`
			NextAttemptAt  *time.Time
			CreatedAt      time.Time `gorm:"not null;index"`
			DeliveredAt    *time.Time
		}
		if err := tx.Migrator().CreateTable(&webhook{}); err != nil {
			return err
		}
		return tx.Migrator().CreateTable(&webhookDelivery{})
	},
	Rollback: func(tx *gorm.DB) error { return tx.Migrator().DropTable("webhook_deliveries", "webhooks") },
}
