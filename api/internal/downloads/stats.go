package downloads

import (
	"context"
	"sort"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/platforms"
)

// StatsDay is one UTC day.
type StatsDay struct {
	Date       string         `json:"date"`
	Completed  int            `json:"completed"`
	Failed     int            `json:"failed"`
	ByPlatform map[string]int `json:"by_platform"`
}

// TopError is a frequent failure reason.
type TopError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// Stats summarises downloads for the dashboard.
type Stats struct {
	Scope           string         `json:"scope"`
	GeneratedAt     time.Time      `json:"generated_at"`
	ByStatus        map[string]int `json:"by_status"`
	ByPlatform      map[string]int `json:"by_platform"`
	PerDay          []StatsDay     `json:"per_day"`
	BytesDownloaded int64          `json:"bytes_downloaded"`
	SuccessRate     *float64       `json:"success_rate"`
	AverageDuration *float64       `json:"average_duration_seconds"`
	TopErrors       []TopError     `json:"top_errors"`
	ActiveNow       int            `json:"active_now"`
	QueuedNow       int            `json:"queued_now"`
}

// platformCounts is a zero count for every platform.
func platformCounts() map[string]int {
	m := map[string]int{}
	for _, p := range platforms.Names() {
		m[p] = 0
	}
	return m
}

// parentKinds are the kinds of rows that expand, as stored.
func parentKinds() []string {
	out := make([]string, len(platforms.ParentKinds))
	for i, k := range platforms.ParentKinds {
		out[i] = string(k)
	}
	return out
}

// Stats counts one user's downloads (userID set) or everyone's. Items are
// counted, not playlist parents.
func (s *Service) Stats(ctx context.Context, userID *uuid.UUID) (Stats, error) {
	now := time.Now().UTC()
	st := Stats{Scope: "global", GeneratedAt: now, ByStatus: map[string]int{}, ByPlatform: platformCounts(), TopErrors: []TopError{}}
	if userID != nil {
		st.Scope = "user"
	}
	for _, s := range Statuses {
		st.ByStatus[string(s)] = 0
	}
	items := func() *gorm.DB {
		q := s.db.WithContext(ctx).Model(&row{}).Where("(parent_id IS NOT NULL OR kind NOT IN ?)", parentKinds())
		if userID != nil {
			q = q.Where("user_id = ?", *userID)
		}
		return q
	}
	var byStatus []struct {
		Status   string
		Platform string
		N        int
	}
	if err := items().Select("status, platform, COUNT(*) AS n").Group("status, platform").Scan(&byStatus).Error; err != nil {
		return Stats{}, err
	}
	for _, r := range byStatus {
		st.ByStatus[r.Status] += r.N
		st.ByPlatform[r.Platform] += r.N
		switch Status(r.Status) {
		case StatusFetchingInfo, StatusDownloading, StatusPostProcessing:
			st.ActiveNow += r.N
		case StatusQueued:
			st.QueuedNow += r.N
		}
	}
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -29)
	var finished []struct {
		Status       string
		Platform     string
		StartedAt    *time.Time
		FinishedAt   time.Time
		ErrorCode    *string
		ErrorMessage *string
	}
	if err := items().Select("status, platform, started_at, finished_at, error_code, error_message").
		Where("finished_at >= ? AND status IN ?", start, []string{string(StatusCompleted), string(StatusFailed)}).
		Scan(&finished).Error; err != nil {
		return Stats{}, err
	}
	days := map[string]*StatsDay{}
	for i := range 30 {
		d := start.AddDate(0, 0, i).Format(time.DateOnly)
		days[d] = &StatsDay{Date: d, ByPlatform: platformCounts()}
		st.PerDay = append(st.PerDay, StatsDay{})
	}
	var completed, failed int
	var durSum float64
	var durN int
	errs := map[string]*TopError{}
	for _, f := range finished {
		day := days[f.FinishedAt.UTC().Format(time.DateOnly)]
		if day == nil {
			continue
		}
		if Status(f.Status) == StatusCompleted {
			completed++
			day.Completed++
			day.ByPlatform[f.Platform]++
			if f.StartedAt != nil {
				durSum += f.FinishedAt.Sub(*f.StartedAt).Seconds()
				durN++
			}
			continue
		}
		failed++
		day.Failed++
		code := "internal"
		if f.ErrorCode != nil {
			code = *f.ErrorCode
		}
		e := errs[code]
		if e == nil {
			e = &TopError{Code: code}
			if f.ErrorMessage != nil {
				e.Message = *f.ErrorMessage
			}
			errs[code] = e
		}
		e.Count++
	}
	for i := range 30 {
		st.PerDay[i] = *days[start.AddDate(0, 0, i).Format(time.DateOnly)]
	}
	if completed+failed > 0 {
		r := float64(completed) / float64(completed+failed)
		st.SuccessRate = &r
	}
	if durN > 0 {
		a := durSum / float64(durN)
		st.AverageDuration = &a
	}
	for _, e := range errs {
		st.TopErrors = append(st.TopErrors, *e)
	}
	sort.Slice(st.TopErrors, func(i, j int) bool {
		if st.TopErrors[i].Count != st.TopErrors[j].Count {
			return st.TopErrors[i].Count > st.TopErrors[j].Count
		}
		return st.TopErrors[i].Code < st.TopErrors[j].Code
	})
	if len(st.TopErrors) > 10 {
		st.TopErrors = st.TopErrors[:10]
	}
	q := s.db.WithContext(ctx).Model(&files.Row{}).Select("COALESCE(SUM(size_bytes),0)")
	if userID != nil {
		q = q.Where("user_id = ?", *userID)
	}
	if err := q.Scan(&st.BytesDownloaded).Error; err != nil {
		return Stats{}, err
	}
	return st, nil
}
