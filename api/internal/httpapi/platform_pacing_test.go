package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestPlatformPacing: with min_start_interval_seconds set, downloads of
// the platform start at least that far apart, even with free slots
// (max_concurrent 2, three jobs queued at once); the settings API shows
// the pacing and the YouTube and Instagram defaults.
func TestPlatformPacing(t *testing.T) {
	t.Parallel()
	media := testmedia.NewServer(t)
	w := newDLWorld(t)
	admin := adminClient(t, w.env)

	var list struct {
		Items []struct {
			Platform      string  `json:"platform"`
			MaxConcurrent int     `json:"max_concurrent"`
			Interval      float64 `json:"min_start_interval_seconds"`
		} `json:"items"`
	}
	expectStatus(t, admin.Get("/api/v1/settings/platforms"), http.StatusOK).JSON(&list)
	for _, p := range list.Items {
		if (p.Platform == "youtube" || p.Platform == "instagram") && (p.MaxConcurrent != 1 || p.Interval < 3) {
			t.Errorf("%s defaults: max_concurrent %d, interval %v; want 1 and some seconds", p.Platform, p.MaxConcurrent, p.Interval)
		}
	}

	const interval = 2.0
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/generic", map[string]any{
		"enabled": true, "default_preset": "compatible", "audio_format": "mp3", "max_concurrent": 2,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "min_start_interval_seconds": interval,
		"proxy": nil, "options": map[string]any{},
	}).Expect(http.StatusOK)

	var ids []uuid.UUID
	for i := range 3 {
		ids = append(ids, submitURL(t, w.c, media.URL(testmedia.PathVideo)+"?n="+string(rune('a'+i))).ID)
	}
	var starts []time.Time
	for _, id := range ids {
		waitCompleted(t, w.env, w.c, id)
		var d struct {
			StartedAt time.Time `json:"started_at"`
		}
		expectStatus(t, w.c.Get("/api/v1/downloads/"+id.String()), http.StatusOK).JSON(&d)
		starts = append(starts, d.StartedAt)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(starts); i++ {
		// started_at is written at the claim, a moment after the start was
		// booked: allow a few milliseconds of that, never a second.
		if gap := starts[i].Sub(starts[i-1]); gap < time.Duration(interval*float64(time.Second))-50*time.Millisecond {
			t.Errorf("starts %d and %d only %v apart, want at least %vs: %v", i-1, i, gap, interval, starts)
		}
	}
}
