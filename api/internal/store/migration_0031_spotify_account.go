package store

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationSpotifyAccount creates the connected Spotify account (one per
// installation: its refresh and access tokens sealed with the secrets key)
// and the pending authorization attempts (state hash → sealed PKCE
// verifier), kept in the database so the callback may reach any node.
var migrationSpotifyAccount = &gormigrate.Migration{
	ID: "202612070031_spotify_account",
	Migrate: func(tx *gorm.DB) error {
		type spotifyAccount struct {
			ID              int        `gorm:"primaryKey;autoIncrement:false"`
			SpotifyUserID   string     `gorm:"size:128;not null"`
			DisplayName     string     `gorm:"size:512;not null"`
			Product         string     `gorm:"size:32;not null"`
			Scopes          string     `gorm:"size:512;not null"`
			ClientID        string     `gorm:"size:200;not null"`
			RefreshSealed   string     `gorm:"type:text;not null"`
			AccessSealed    *string    `gorm:"type:text"`
			AccessExpiresAt *time.Time ``
			ConnectedBy     *string    `gorm:"type:uuid"`
			ConnectedAt     time.Time  `gorm:"not null"`
			UpdatedAt       time.Time  `gorm:"not null"`
		}
		type spotifyAuthRequest struct {
			StateHash      string    `gorm:"primaryKey;size:64"`
			VerifierSealed string    `gorm:"type:text;not null"`
			RedirectURI    string    `gorm:"type:text;not null"`
			ClientID       string    `gorm:"size:200;not null"`
			CreatedBy      string    `gorm:"type:uuid;not null"`
			ExpiresAt      time.Time `gorm:"not null;index"`
		}
		return tx.Migrator().CreateTable(&spotifyAccount{}, &spotifyAuthRequest{})
	},
	Rollback: func(tx *gorm.DB) error {
		return tx.Migrator().DropTable("spotify_auth_requests", "spotify_accounts")
	},
}
