package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationInvitations lets admins add people from the dashboard:
// users.must_change_password marks a temporary password an admin set (the
// account can do nothing but change it), invitations are one-time links
// that create an account (or admit that e-mail at its first provider
// login), and password_resets are one-time links that set a new password.
// Links are stored as the SHA-256 of their token, never the token.
var migrationInvitations = &gormigrate.Migration{
	ID: "202612070060_invitations",
	Migrate: func(tx *gorm.DB) error {
		type user struct {
			MustChangePassword bool `gorm:"not null;default:false"`
		}
		if err := tx.Table("users").Migrator().AddColumn(&user{}, "MustChangePassword"); err != nil {
			return err
		}
		type invitation struct {
			ID             string     `gorm:"primaryKey;type:uuid"`
			Email          string     `gorm:"size:254;not null;index"`
			Name           string     `gorm:"size:100;not null"`
			Role           string     `gorm:"size:16;not null"`
			TokenHash      string     `gorm:"size:64;not null;uniqueIndex"`
			ExpiresAt      time.Time  `gorm:"not null;index"`
			AcceptedAt     *time.Time ``
			AcceptedUserID *string    `gorm:"type:uuid"`
			RevokedAt      *time.Time ``
			CreatedBy      *string    `gorm:"type:uuid"`
			CreatedAt      time.Time  `gorm:"not null"`
		}
		type passwordReset struct {
			ID        string     `gorm:"primaryKey;type:uuid"`
			UserID    string     `gorm:"type:uuid;not null;index"`
			TokenHash string     `gorm:"size:64;not null;uniqueIndex"`
			ExpiresAt time.Time  `gorm:"not null;index"`
			UsedAt    *time.Time ``
			CreatedBy *string    `gorm:"type:uuid"`
			CreatedAt time.Time  `gorm:"not null"`
		}
		return tx.Migrator().CreateTable(&invitation{}, &passwordReset{})
	},
	Rollback: func(tx *gorm.DB) error {
		if err := tx.Migrator().DropTable("password_resets", "invitations"); err != nil {
			return err
		}
		type user struct {
			MustChangePassword bool `gorm:"not null;default:false"`
		}
		return tx.Table("users").Migrator().DropColumn(&user{}, "MustChangePassword")
	},
}
