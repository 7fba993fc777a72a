package downloads

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/store/storetest"
)

// The table of moves, read as a user would: what can follow what.
func TestMoves(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to Status
		ok       bool
	}{
		{StatusQueued, StatusFetchingInfo, true},
		{StatusFetchingInfo, StatusDownloading, true},
		{StatusDownloading, StatusPostProcessing, true},
		{StatusPostProcessing, StatusDownloading, true}, // the next stream of a merged download
		{StatusPostProcessing, StatusCompleted, true},
		{StatusDownloading, StatusFailed, true},
		{StatusNeedsMatch, StatusQueued, true},
		{StatusFailed, StatusQueued, true},
		{StatusCanceled, StatusQueued, true},
		{StatusQueued, StatusCanceled, true},
		{StatusNeedsMatch, StatusCanceled, true},
		// Final is final, but for a retry of what failed or was canceled.
		{StatusCompleted, StatusQueued, false},
		{StatusCompleted, StatusFailed, false},
		{StatusCanceled, StatusCompleted, false},
		{StatusCanceled, StatusFailed, false},
		{StatusFailed, StatusCompleted, false},
		// Nothing finishes without running.
		{StatusQueued, StatusCompleted, false},
		{StatusQueued, StatusFailed, false},
		{StatusNeedsMatch, StatusCompleted, false},
		{StatusNeedsMatch, StatusFetchingInfo, false},
	}
	for _, tt := range tests {
		if got := canMove(tt.from, tt.to); got != tt.ok {
			t.Errorf("%s → %s allowed = %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
	for _, to := range Statuses {
		if _, ok := moves[to]; !ok && to != "" {
			t.Errorf("no row of the table leads to %s", to)
		}
	}
}

// transition refuses what the table does not allow, and a run that lost
// its row (canceled, or re-queued with a new job) cannot move it.
func TestTransitionIsFenced(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	s := New(Config{NodeName: "node-a", Workers: func() int { return 1 }}, Deps{DB: st.DB, Logger: storetest.Logger()})
	ctx := context.Background()
	now := time.Now().UTC()
	r := insertRow(t, s, "youtube", string(StatusDownloading), 7, &now)

	if _, err := s.transition(ctx, s.db, move{ids: []uuid.UUID{r.ID}, from: []Status{StatusCompleted}, to: StatusQueued}); !errors.Is(err, errIllegalMove) {
		t.Errorf("completed → queued: %v", err)
	}
	if moved, err := s.moveOne(ctx, r.ID, 8, StatusFailed, nil); moved || err != nil {
		t.Errorf("another job's failure moved the row: %v %v", moved, err)
	}
	if moved, err := s.moveOne(ctx, r.ID, 7, StatusCanceled, nil); !moved || err != nil {
		t.Fatalf("cancel: %v %v", moved, err)
	}
	if moved, err := s.moveOne(ctx, r.ID, 7, StatusCompleted, nil); moved || err != nil {
		t.Errorf("a canceled row completed: %v %v", moved, err)
	}
	var got row
	if err := s.db.Where("id = ?", r.ID).Take(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusCanceled || got.FinishedAt == nil || got.HeartbeatAt != nil {
		t.Fatalf("row %s finished %v heartbeat %v", got.Status, got.FinishedAt, got.HeartbeatAt)
	}
}
