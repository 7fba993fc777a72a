package store

import (
	"net/url"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationAvatarHosts clears avatars stored before they were limited to
// the login providers' avatar hosts (users.AvatarAllowed): every admin's
// browser loads every user's avatar, so one on any other host told that
// host who looked at the user list. An OIDC user whose avatar was on the
// issuer's own host gets it back at the next login. The host check is
// frozen here as it was in December 2026.
var migrationAvatarHosts = &gormigrate.Migration{
	ID: "202612070017_avatar_hosts",
	Migrate: func(tx *gorm.DB) error {
		type avatar struct {
			ID        string
			AvatarURL string
		}
		var rows []avatar
		if err := tx.Table("users").Select("id, avatar_url").Where("avatar_url IS NOT NULL").Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if knownAvatarHost2026(r.AvatarURL) {
				continue
			}
			if err := tx.Table("users").Where("id = ?", r.ID).Update("avatar_url", nil).Error; err != nil {
				return err
			}
		}
		return nil
	},
	Rollback: func(*gorm.DB) error { return nil },
}

func knownAvatarHost2026(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" {
		return false
	}
	switch host := strings.ToLower(u.Hostname()); host {
	case "avatars.githubusercontent.com", "gravatar.com", "www.gravatar.com", "secure.gravatar.com":
		return true
	default:
		return strings.HasSuffix(host, ".googleusercontent.com")
	}
}
