package crashtest

import (
	"context"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestKillBetweenFetchAndClaim: the node dies after River handed it the
// job (river_job running) but before the worker claimed the downloads row
// (still queued, no node). After a restart the download must still
// complete, at once, not when River's stuck-job rescue comes by (6h).
//
// The window is milliseconds wide in real life; here a row lock held by
// the test keeps the worker's claim waiting in it. Postgres only (row
// locks; a second, download-free node takes the submission).
func TestKillBetweenFetchAndClaim(t *testing.T) {
	t.Parallel()
	needBinary(t)
	if storetest.Kind() != config.Postgres {
		t.Skip("needs Postgres row locks (TEST_DB=postgres)")
	}
	db := storetest.NewDatabase(t)
	api := newNode(t, "node-api", db, "DOWNLINK_WORKERS=0")
	c := newAdmin(t, api)
	srv := testmedia.NewServer(t)
	url, _, original, _ := slowBig(t, srv, 3*time.Second)
	d := c.submit(api, url)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, db, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lock := st.DB.WithContext(ctx).Begin()
	if err := lock.Exec("SELECT id FROM downloads WHERE id = ? FOR UPDATE", d.ID).Error; err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()

	w := newNode(t, "node-w", db)
	waitFor(t, 60*time.Second, "node-w's worker to wait for the row lock with the job running", func() bool {
		var running, waiting int64
		st.DB.WithContext(ctx).Raw("SELECT count(*) FROM river_job j JOIN downloads d ON d.job_id = j.id WHERE d.id = ? AND j.state = 'running'", d.ID).Scan(&running)
		st.DB.WithContext(ctx).Raw("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&waiting)
		return running == 1 && waiting >= 1
	})
	w.kill()
	// The dead node's blocked UPDATE must not land later: in real life it
	// was never sent.
	if err := st.DB.WithContext(ctx).Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity " +
		"WHERE datname = current_database() AND wait_event_type = 'Lock'").Error; err != nil {
		t.Fatal(err)
	}
	if err := lock.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	if got, ok := c.get(api, d.ID); !ok || got.Status != "queued" || got.node() != "" {
		t.Fatalf("before the restart: %+v", got)
	}

	defer func() {
		if t.Failed() {
			var state struct{ Status, JobState, AttemptedBy string }
			st.DB.Raw("SELECT d.status, j.state AS job_state, j.attempted_by::text AS attempted_by "+
				"FROM downloads d JOIN river_job j ON j.id = d.job_id WHERE d.id = ?", d.ID).Scan(&state)
			t.Logf("row %s, its River job %s (attempted by %s)", state.Status, state.JobState, state.AttemptedBy)
		}
	}()
	restarted := time.Now()
	w.start()
	done := c.waitCompleted(api, d.ID, 90*time.Second)
	t.Logf("completed %v after the restart", time.Since(restarted))
	checkExactlyOne(t, c, w, db, done, original)
}
