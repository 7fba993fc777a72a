package files

import (
	"context"
	"net/http"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// Quotas says what a user may store: their own quota, else the default
// (nil: unlimited). The users and settings services provide it.
type Quotas func(ctx context.Context, userID uuid.UUID) *int64

// Disk measures the library's file system.
type Disk func() (free, total int64, err error)

// UserStorage is one user's usage (admins see everyone's).
type UserStorage struct {
	UserID     uuid.UUID `json:"user_id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	UsedBytes  int64     `json:"used_bytes"`
	QuotaBytes *int64    `json:"quota_bytes"`
	Files      int64     `json:"files"`
}

// RetentionInfo says when files are removed.
type RetentionInfo struct {
	Days      *int       `json:"days"`
	NextRunAt *time.Time `json:"next_run_at"`
	LastRunAt *time.Time `json:"last_run_at"`
}

// Storage is GET /storage.
type Storage struct {
	UsedBytes      int64         `json:"used_bytes"`
	TempBytes      int64         `json:"temp_bytes"`
	QuotaBytes     *int64        `json:"quota_bytes"`
	FilesCount     int64         `json:"files_count"`
	OverQuota      bool          `json:"over_quota"`
	FreeDiskBytes  *int64        `json:"free_disk_bytes"`
	TotalDiskBytes *int64        `json:"total_disk_bytes"`
	MinFreeDisk    int64         `json:"min_free_disk_bytes"`
	TotalUsedBytes *int64        `json:"total_used_bytes,omitempty"`
	Users          []UserStorage `json:"users,omitempty"`
	Retention      RetentionInfo `json:"retention"`
}

// usage sums a user's files.
func (s *Service) usage(ctx context.Context, userID uuid.UUID) (bytes, count int64, err error) {
	var agg struct {
		Bytes int64
		N     int64
	}
	err = s.db.WithContext(ctx).Model(&Row{}).Select("COALESCE(SUM(size_bytes),0) AS bytes, COUNT(*) AS n").
		Where("user_id = ?", userID).Scan(&agg).Error
	return agg.Bytes, agg.N, err
}

// tempUsage sums the temporary files of a user's running downloads (their
// workers measure them about once a second into downloads.temp_bytes).
// The statuses are the downloads package's running ones.
func (s *Service) tempUsage(ctx context.Context, userID uuid.UUID) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("downloads").Select("COALESCE(SUM(temp_bytes),0)").
		Where("user_id = ? AND status IN ?", userID, []string{"fetching_info", "downloading", "post_processing"}).Scan(&n).Error
	return n, err
}

// Usage is what counts against a user's storage quota: their files and
// the temporary files of their running downloads; quota is nil for none.
func (s *Service) Usage(ctx context.Context, userID uuid.UUID) (used int64, quota *int64, err error) {
	files, _, err := s.usage(ctx, userID)
	if err != nil {
		return 0, nil, err
	}
	temp, err := s.tempUsage(ctx, userID)
	if err != nil {
		return 0, nil, err
	}
	if s.quotas != nil {
		quota = s.quotas(ctx, userID)
	}
	return files + temp, quota, nil
}

// ErrOverQuota refuses new downloads for a user over their storage quota.
var ErrOverQuota = problem.New(http.StatusInsufficientStorage, "Storage quota exceeded")

// CheckQuota implements the downloads service's StorageQuota: a user at or
// over their quota gets a 507 saying how much they use.
func (s *Service) CheckQuota(ctx context.Context, userID uuid.UUID) error {
	if s.quotas == nil {
		return nil
	}
	quota := s.quotas(ctx, userID)
	if quota == nil {
		return nil
	}
	used, _, err := s.Usage(ctx, userID)
	if err != nil {
		return err
	}
	if used >= *quota {
		return ErrOverQuota.WithDetail("Your files take %s of your %s quota; delete some (or ask an administrator for more) before new downloads.",
			humanize.IBytes(uint64(used)), humanize.IBytes(uint64(*quota))).With("used_bytes", used).With("quota_bytes", *quota)
	}
	return nil
}

// Storage reports the caller's usage (and everyone's for admins).
func (s *Service) Storage(ctx context.Context, caller *authz.Principal, minFree int64) (Storage, error) {
	used, n, err := s.usage(ctx, caller.UserID)
	if err != nil {
		return Storage{}, err
	}
	temp, err := s.tempUsage(ctx, caller.UserID)
	if err != nil {
		return Storage{}, err
	}
	used += temp
	st := Storage{UsedBytes: used, TempBytes: temp, FilesCount: n, MinFreeDisk: minFree}
	if s.quotas != nil {
		st.QuotaBytes = s.quotas(ctx, caller.UserID)
		st.OverQuota = st.QuotaBytes != nil && used >= *st.QuotaBytes
	}
	if s.disk != nil {
		if free, total, err := s.disk(); err == nil {
			st.FreeDiskBytes, st.TotalDiskBytes = &free, &total
		}
	}
	st.Retention = s.retentionInfo(ctx)
	if caller.MayActOnOthers(authz.Read) {
		var rows []struct {
			UserID uuid.UUID
			Email  string
			Name   string
			Bytes  int64
			N      int64
		}
		err := s.db.WithContext(ctx).Table("users AS u").
			Select("u.id AS user_id, u.email, u.name, COALESCE(SUM(f.size_bytes),0) AS bytes, COUNT(f.id) AS n").
			Joins("LEFT JOIN files f ON f.user_id = u.id").Group("u.id, u.email, u.name").
			Order("bytes DESC, u.email").Scan(&rows).Error
		if err != nil {
			return Storage{}, err
		}
		var total int64
		st.Users = make([]UserStorage, 0, len(rows))
		for _, r := range rows {
			us := UserStorage{UserID: r.UserID, Email: r.Email, Name: r.Name, UsedBytes: r.Bytes, Files: r.N}
			if s.quotas != nil {
				us.QuotaBytes = s.quotas(ctx, r.UserID)
			}
			total += r.Bytes
			st.Users = append(st.Users, us)
		}
		st.TotalUsedBytes = &total
	}
	return st, nil
}
