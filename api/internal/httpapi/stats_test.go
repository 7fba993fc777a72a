package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
)

// seedDownload inserts a download row as a finished worker would leave it.
func seedDownload(t *testing.T, env *apitest.Env, userID uuid.UUID, platform, status string, finished time.Time, code string) {
	t.Helper()
	row := map[string]any{
		"id": uuid.New(), "user_id": userID, "url": "https://example.com/" + uuid.NewString(), "platform": platform,
		"kind": "video", "status": status, "options": "{}", "created_at": finished.Add(-time.Minute),
		"updated_at": finished, "percent": 0, "downloaded_bytes": 0, "attempts": 1, "playlist_index": 0,
	}
	if status == "completed" || status == "failed" {
		row["started_at"] = finished.Add(-40 * time.Second)
		row["finished_at"] = finished
	}
	if code != "" {
		row["error_code"] = code
		row["error_message"] = "because " + code
	}
	if err := env.App.Store.DB.Table("downloads").Create(row).Error; err != nil {
		t.Fatal(err)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	alice := newAccount(t, env, authz.RoleUser)
	bob := newAccount(t, env, authz.RoleUser)
	now := time.Now().UTC()
	seedDownload(t, env, alice.ID, "youtube", "completed", now, "")
	seedDownload(t, env, alice.ID, "youtube", "completed", now.AddDate(0, 0, -1), "")
	seedDownload(t, env, alice.ID, "generic", "failed", now, "network")
	seedDownload(t, env, alice.ID, "generic", "failed", now, "network")
	seedDownload(t, env, alice.ID, "instagram", "failed", now, "login_required")
	seedDownload(t, env, alice.ID, "youtube", "queued", now, "")
	seedDownload(t, env, alice.ID, "youtube", "downloading", now, "")
	seedDownload(t, env, alice.ID, "spotify", "completed", now.AddDate(0, 0, -45), "") // outside 30 days
	seedDownload(t, env, bob.ID, "youtube", "completed", now, "")

	aliceC, _ := signIn(t, env, alice)
	var st downloads.Stats
	aliceC.Get("/api/v1/stats").Expect(http.StatusOK).JSON(&st)
	if st.Scope != "user" || len(st.PerDay) != 30 {
		t.Fatalf("scope %s, %d days", st.Scope, len(st.PerDay))
	}
	if st.ByStatus["completed"] != 3 || st.ByStatus["failed"] != 3 || st.ActiveNow != 1 || st.QueuedNow != 1 {
		t.Fatalf("by status %v, active %d, queued %d", st.ByStatus, st.ActiveNow, st.QueuedNow)
	}
	if st.ByPlatform["youtube"] != 4 || st.ByPlatform["generic"] != 2 || st.ByPlatform["spotify"] != 1 {
		t.Fatalf("by platform %v", st.ByPlatform)
	}
	today := st.PerDay[29]
	if today.Date != now.Format(time.DateOnly) || today.Completed != 1 || today.Failed != 3 || today.ByPlatform["youtube"] != 1 {
		t.Fatalf("today = %+v", today)
	}
	if y := st.PerDay[28]; y.Completed != 1 {
		t.Fatalf("yesterday = %+v", y)
	}
	if st.SuccessRate == nil || *st.SuccessRate != 0.4 { // 2 completed, 3 failed within 30 days
		t.Fatalf("success rate = %v", st.SuccessRate)
	}
	if st.AverageDuration == nil || *st.AverageDuration < 39 || *st.AverageDuration > 41 {
		t.Fatalf("average duration = %v", st.AverageDuration)
	}
	if len(st.TopErrors) != 2 || st.TopErrors[0].Code != "network" || st.TopErrors[0].Count != 2 {
		t.Fatalf("top errors = %+v", st.TopErrors)
	}
	expectProblem(t, aliceC.Get("/api/v1/stats?scope=all"), http.StatusForbidden)

	admin := adminClient(t, env)
	admin.Get("/api/v1/stats").Expect(http.StatusOK).JSON(&st)
	if st.Scope != "global" || st.ByStatus["completed"] != 4 {
		t.Fatalf("admin stats: scope %s, completed %d", st.Scope, st.ByStatus["completed"])
	}
	admin.Get("/api/v1/stats?scope=own").Expect(http.StatusOK).JSON(&st)
	if st.ByStatus["completed"] != 0 {
		t.Fatalf("admin's own stats count others: %v", st.ByStatus)
	}
}
