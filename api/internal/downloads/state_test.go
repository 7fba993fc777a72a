package downloads

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/files"
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

// finished records what a Notifier is told.
type finished struct {
	calls int
	ds    []Download
}

func (f *finished) DownloadsFinished(_ context.Context, _ *gorm.DB, ds []Download) error {
	f.calls++
	f.ds = append(f.ds, ds...)
	return nil
}

// A final move of many rows (a canceled playlist of a thousand items)
// tells the Notifier of each with its files in a few statements, not
// several per row: the transaction holds every moved row locked until it
// commits, and on a loaded Postgres a thousand rows' worth of queries ran
// past the request's 10 s deadline, so the cancel never went through.
func TestFinalMoveOfManyIsOneBatch(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	note := &finished{}
	s := New(Config{NodeName: "node-a", Workers: func() int { return 1 }},
		Deps{DB: st.DB, Files: testLibrary(t, st), Notifier: note, Logger: storetest.Logger()})
	ctx := context.Background()

	const n = 2*notifyBatch + 7
	now := time.Now().UTC()
	rows := make([]row, n)
	ids := make([]uuid.UUID, n)
	for i := range rows {
		job := int64(i + 1)
		rows[i] = row{ID: uuid.New(), UserID: uuid.New(), URL: "https://example.com/" + strconv.Itoa(i), Platform: "generic",
			Kind: "video", Status: StatusQueued, JobID: &job, CreatedAt: now, UpdatedAt: now}
		ids[i] = rows[i].ID
	}
	if err := st.DB.CreateInBatches(rows, 200).Error; err != nil {
		t.Fatal(err)
	}
	withFile := map[uuid.UUID]string{rows[3].ID: "three.mp4", rows[n-1].ID: "last.mp4"}
	for id, name := range withFile {
		if err := st.DB.Create(&files.Row{ID: uuid.New(), DownloadID: &id, UserID: uuid.New(), Name: name, RelPath: name,
			Kind: "video", Platform: "generic", CreatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
	}

	var statements atomic.Int32
	count := func(*gorm.DB) { statements.Add(1) }
	cb := st.DB.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:count", count),
		"update": cb.Update().After("gorm:update").Register("test:count", count),
		"create": cb.Create().After("gorm:create").Register("test:count", count),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count", count),
		"row":    cb.Row().After("gorm:row").Register("test:count", count),
	} {
		if err != nil {
			t.Fatalf("register %s: %v", name, err)
		}
	}
	err := s.db.Transaction(func(tx *gorm.DB) error {
		_, err := s.transition(ctx, tx, move{ids: ids, to: StatusCanceled})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := statements.Load(); got > 8 {
		t.Errorf("%d statements for a final move of %d rows, want a few", got, n)
	}
	if len(note.ds) != n || note.calls > 3 {
		t.Fatalf("notifier told of %d downloads in %d calls, want %d in a few", len(note.ds), note.calls, n)
	}
	seen := map[uuid.UUID]bool{}
	for _, d := range note.ds {
		seen[d.ID] = true
		if d.Status != StatusCanceled || d.FinishedAt == nil {
			t.Fatalf("told of %s as %s, finished %v", d.ID, d.Status, d.FinishedAt)
		}
		want, hasFile := withFile[d.ID]
		if hasFile != (len(d.Files) == 1) || hasFile && d.Files[0].Name != want {
			t.Errorf("download %s told with files %+v, want %q", d.ID, d.Files, want)
		}
	}
	if len(seen) != n {
		t.Errorf("told of %d distinct downloads, want %d", len(seen), n)
	}
}
