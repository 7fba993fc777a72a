package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationSubscriptions creates subscriptions (a source checked every N
// hours for new items), subscription_items (every item a check saw, so
// the next one queues only new ones and stops at the first it knows), and
// downloads.subscription_id (which subscription queued a download, for
// its retention).
var migrationSubscriptions = &gormigrate.Migration{
	ID: "202612070101_subscriptions",
	Migrate: func(tx *gorm.DB) error {
		type subscription struct {
			ID                  string     `gorm:"primaryKey;type:uuid"`
			UserID              string     `gorm:"type:uuid;not null;index"`
			Name                string     `gorm:"type:text;not null"`
			URL                 string     `gorm:"type:text;not null"`
			Platform            string     `gorm:"size:16;not null"`
			IntervalHours       int        `gorm:"not null"`
			Options             string     `gorm:"type:text;not null"`
			Filters             string     `gorm:"type:text;not null"`
			Backfill            string     `gorm:"size:8;not null"`
			BackfillCount       int        `gorm:"not null;default:0"`
			KeepLast            *int       `gorm:""`
			KeepDays            *int       `gorm:""`
			Enabled             bool       `gorm:"not null"`
			NextCheckAt         time.Time  `gorm:"not null;index"`
			LastCheckAt         *time.Time `gorm:""`
			LastSuccessAt       *time.Time `gorm:""`
			LastError           *string    `gorm:"type:text"`
			ConsecutiveFailures int        `gorm:"not null;default:0"`
			LastNewItems        int        `gorm:"not null;default:0"`
			Checks              int        `gorm:"not null;default:0"`
			SourceTitle         *string    `gorm:"type:text"`
			CreatedAt           time.Time  `gorm:"not null"`
			UpdatedAt           time.Time  `gorm:"not null"`
		}
		type subscriptionItem struct {
			ID             string     `gorm:"primaryKey;type:uuid"`
			SubscriptionID string     `gorm:"type:uuid;not null;uniqueIndex:idx_subscription_items_key,priority:1"`
			ItemKey        string     `gorm:"size:300;not null;uniqueIndex:idx_subscription_items_key,priority:2"`
			URL            string     `gorm:"type:text;not null"`
			Title          *string    `gorm:"type:text"`
			PublishedAt    *time.Time `gorm:""`
			Duration       *float64   `gorm:""`
			State          string     `gorm:"size:16;not null"`
			DownloadID     *string    `gorm:"type:uuid;index"`
			CreatedAt      time.Time  `gorm:"not null"`
		}
		if err := tx.Migrator().CreateTable(&subscription{}); err != nil {
			return err
		}
		if err := tx.Migrator().CreateTable(&subscriptionItem{}); err != nil {
			return err
		}
		type download struct {
			SubscriptionID *string `gorm:"type:uuid"`
		}
		if err := tx.Table("downloads").Migrator().AddColumn(&download{}, "SubscriptionID"); err != nil {
			return err
		}
		return tx.Exec("CREATE INDEX idx_downloads_subscription ON downloads (subscription_id)").Error
	},
	Rollback: func(tx *gorm.DB) error {
		if err := tx.Exec("DROP INDEX idx_downloads_subscription").Error; err != nil {
			return err
		}
		type download struct {
			SubscriptionID *string `gorm:"type:uuid"`
		}
		if err := tx.Table("downloads").Migrator().DropColumn(&download{}, "SubscriptionID"); err != nil {
			return err
		}
		return tx.Migrator().DropTable("subscription_items", "subscriptions")
	},
}
