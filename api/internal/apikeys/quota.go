package apikeys

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/problem"
)

// ErrQuotaExceeded is a used-up daily download quota.
var ErrQuotaExceeded = problem.New(http.StatusTooManyRequests, "Daily download quota used up")

type quotaRow struct {
	KeyID uuid.UUID `gorm:"primaryKey;type:uuid"`
	Day   string    `gorm:"primaryKey"`
	Used  int
}

func (quotaRow) TableName() string { return "api_key_quota" }

// ConsumeDownload counts one new download against a key's daily quota
// inside tx (the transaction that creates the download), so the count is
// right across nodes and a refused download leaves no trace. It returns
// ErrQuotaExceeded with limit, used and reset_at when the quota is used up.
func (s *Service) ConsumeDownload(ctx context.Context, tx *gorm.DB, keyID uuid.UUID) error {
	now := s.now()
	day := now.Format(time.DateOnly)
	// One statement that writes first: it counts the download only while
	// the key has a quota and today's count is below it. Reading the quota
	// first and writing after would upgrade a read lock, which SQLite
	// refuses (SQLITE_BUSY) under concurrent writers in a deferred
	// transaction; Postgres row-locks the counter and re-checks the WHERE.
	res := tx.WithContext(ctx).Exec(`INSERT INTO api_key_quota (key_id, day, used)
SELECT id, ?, 1 FROM api_keys WHERE id = ? AND daily_download_quota IS NOT NULL
ON CONFLICT (key_id, day) DO UPDATE SET used = api_key_quota.used + 1
WHERE api_key_quota.used < (SELECT k.daily_download_quota FROM api_keys k WHERE k.id = api_key_quota.key_id)`,
		day, keyID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var quota *int
	if err := tx.WithContext(ctx).Table("api_keys").Select("daily_download_quota").Where("id = ?", keyID).
		Scan(&quota).Error; err != nil {
		return err
	}
	if quota == nil {
		return nil // no quota (or no such key: not this package's call)
	}
	reset := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return ErrQuotaExceeded.
		WithDetail("This API key may submit %d downloads per day (UTC); the quota resets at %s.", *quota, reset.Format(time.RFC3339)).
		With("limit", *quota).With("used", *quota).With("reset_at", reset.Format(time.RFC3339)).
		WithHeader("Retry-After", strconv.Itoa(int(reset.Sub(now).Seconds())+1))
}

// ConsumeDownloads counts up to n more downloads (the items of an
// expanded playlist) against a key's daily quota inside tx and returns how
// many fit: n for a key without a quota. Call it after the transaction has
// written (SQLite: the write lock is then held, so reading first is safe).
func (s *Service) ConsumeDownloads(ctx context.Context, tx *gorm.DB, keyID uuid.UUID, n int) (int, error) {
	var quota *int
	if err := tx.WithContext(ctx).Table("api_keys").Select("daily_download_quota").Where("id = ?", keyID).
		Scan(&quota).Error; err != nil {
		return 0, err
	}
	if quota == nil {
		return n, nil
	}
	for i := range n {
		if err := s.ConsumeDownload(ctx, tx, keyID); err != nil {
			if errors.Is(err, ErrQuotaExceeded) {
				return i, nil
			}
			return i, err
		}
	}
	return n, nil
}

// QuotaUsed returns a key's downloads submitted today and its quota.
func (s *Service) QuotaUsed(ctx context.Context, keyID uuid.UUID) (used int, quota *int, err error) {
	if err = s.db.WithContext(ctx).Table("api_keys").Select("daily_download_quota").Where("id = ?", keyID).Scan(&quota).Error; err != nil {
		return 0, nil, err
	}
	err = s.db.WithContext(ctx).Model(&quotaRow{}).Select("used").
		Where("key_id = ? AND day = ?", keyID, s.now().Format(time.DateOnly)).Scan(&used).Error
	return used, quota, err
}
