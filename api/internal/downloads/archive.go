package downloads

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// ErrDuplicate: the caller downloaded this item before. The problem links
// the earlier download and its file; allow_duplicate downloads it again.
var ErrDuplicate = problem.New(http.StatusConflict, "Already downloaded")

// archiveRow is the download archive: what a user downloaded, by
// platform and media key (see ArchiveKey).
type archiveRow struct {
	ID         uuid.UUID  `gorm:"primaryKey;type:uuid"`
	UserID     uuid.UUID  `gorm:"type:uuid"`
	Platform   string     `gorm:"size:16"`
	MediaKey   string     `gorm:"size:300"`
	URL        string     `gorm:"type:text"`
	DownloadID *uuid.UUID `gorm:"type:uuid"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (archiveRow) TableName() string { return "download_archives" }

// ArchiveKey is how the archive knows an item: its platform and the
// platform's id of the item where the URL names one (a YouTube video, a
// Spotify track), else the URL itself (without its fragment; digested when
// very long).
func ArchiveKey(rawURL string) (platform, key string) {
	raw := strings.TrimSpace(rawURL)
	det := platforms.DetectString(raw)
	platform = string(det.Platform)
	if det.ID != "" && !det.Kind.IsParent() {
		return platform, "id:" + det.ID
	}
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	if len(raw) > 280 {
		sum := sha256.Sum256([]byte(raw))
		return platform, "sha256:" + hex.EncodeToString(sum[:])
	}
	return platform, "url:" + raw
}

// archiveTx records r's item in its user's archive (inside the
// transaction that completes it).
func archiveTx(ctx context.Context, tx *gorm.DB, r *row) error {
	platform, key := ArchiveKey(r.URL)
	now := time.Now().UTC()
	a := archiveRow{ID: store.NewID(), UserID: r.UserID, Platform: platform, MediaKey: key, URL: r.URL,
		DownloadID: &r.ID, CreatedAt: now, UpdatedAt: now}
	return tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "platform"}, {Name: "media_key"}},
		DoUpdates: clause.Assignments(map[string]any{"download_id": r.ID, "url": r.URL, "updated_at": now}),
	}).Create(&a).Error
}

// duplicate returns ErrDuplicate when userID has a completed download of
// url that still exists (its archive entry's), linking it and its first
// file; nil otherwise.
func (s *Service) duplicate(ctx context.Context, userID uuid.UUID, url string) error {
	platform, key := ArchiveKey(url)
	var a archiveRow
	err := s.db.WithContext(ctx).Where("user_id = ? AND platform = ? AND media_key = ?", userID, platform, key).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && a.DownloadID == nil) {
		return nil
	}
	if err != nil {
		return err
	}
	var r row
	err = s.db.WithContext(ctx).Where("id = ? AND status = ?", *a.DownloadID, StatusCompleted).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // deleted since: nothing to point at
	}
	if err != nil {
		return err
	}
	p := ErrDuplicate.With("existing_download_id", r.ID.String())
	var fileID []string
	if err := s.db.WithContext(ctx).Table("files").Where("download_id = ?", r.ID).Order("created_at, id").Limit(1).
		Pluck("id", &fileID).Error; err != nil {
		return err
	}
	title := r.URL
	if r.Title != nil && *r.Title != "" {
		title = *r.Title
	}
	if len(fileID) > 0 {
		p = p.With("existing_file_id", fileID[0])
	} else {
		p = p.With("existing_file_id", nil)
	}
	return p.WithDetail("You downloaded “%s” on %s. Send allow_duplicate: true to download it again.",
		title, r.CreatedAt.UTC().Format("2006-01-02"))
}

// Archived reports which of urls userID has in the archive (any download
// of them completed once, even if deleted since).
func (s *Service) Archived(ctx context.Context, userID uuid.UUID, urls []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(urls) == 0 {
		return out, nil
	}
	byKey := map[string][]string{}
	var keys []string
	for _, u := range urls {
		p, k := ArchiveKey(u)
		pk := p + "\x00" + k
		if byKey[pk] == nil {
			keys = append(keys, k)
		}
		byKey[pk] = append(byKey[pk], u)
	}
	var rows []archiveRow
	for start := 0; start < len(keys); start += 500 {
		end := min(start+500, len(keys))
		var part []archiveRow
		if err := s.db.WithContext(ctx).Select("platform", "media_key").
			Where("user_id = ? AND media_key IN ?", userID, keys[start:end]).Find(&part).Error; err != nil {
			return nil, err
		}
		rows = append(rows, part...)
	}
	for _, a := range rows {
		for _, u := range byKey[a.Platform+"\x00"+a.MediaKey] {
			out[u] = true
		}
	}
	return out, nil
}
