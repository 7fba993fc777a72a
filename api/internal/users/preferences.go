package users

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/store"
)

// Preferences are what a user chose last, remembered on the server so
// every browser of theirs starts from them (openapi.yaml UserPreferences).
type Preferences struct {
	Download DownloadPreferences `json:"download"`
}

// DownloadPreferences are the new-download options used as defaults. The
// handler checks them against the download options' allow-list; nil is
// "not chosen" (the platform's default applies).
type DownloadPreferences struct {
	Preset      *string              `json:"preset"`
	AudioFormat *string              `json:"audio_format"`
	Subtitles   *SubtitlePreferences `json:"subtitles"`
}

// SubtitlePreferences are remembered subtitle choices.
type SubtitlePreferences struct {
	Languages []string `json:"languages"`
	Auto      bool     `json:"auto"`
	Embed     bool     `json:"embed"`
}

// prefRow is the one column of users these methods touch.
type prefRow struct {
	Preferences *string
}

func (prefRow) TableName() string { return "users" }

// Preferences returns the user's preferences (all "not chosen" when none
// are stored yet).
func (s *Service) Preferences(ctx context.Context, id uuid.UUID) (Preferences, error) {
	var r prefRow
	if err := s.db.WithContext(ctx).Model(&row{}).Select("preferences").Where("id = ?", id).Take(&r).Error; err != nil {
		return Preferences{}, store.NotFound(err, ErrNotFound)
	}
	var p Preferences
	if r.Preferences != nil {
		_ = json.Unmarshal([]byte(*r.Preferences), &p) // an unreadable value reads as nothing chosen
	}
	return p, nil
}

// SetPreferences replaces the user's preferences (already validated).
func (s *Service) SetPreferences(ctx context.Context, id uuid.UUID, p Preferences) (Preferences, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return Preferences{}, err
	}
	res := s.db.WithContext(ctx).Model(&row{}).Where("id = ?", id).
		Updates(map[string]any{"preferences": string(b), "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return Preferences{}, res.Error
	}
	if res.RowsAffected == 0 {
		return Preferences{}, ErrNotFound
	}
	return p, nil
}
