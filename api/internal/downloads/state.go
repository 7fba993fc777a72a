package downloads

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Status is where a download is in its life.
type Status string

// The state machine: queued → fetching_info → downloading →
// post_processing → completed, or failed / canceled; needs_match waits for
// a person to pick a Spotify match. Retry moves failed and canceled back to
// queued. The moves allowed are the table `moves` below; transition makes
// every one of them.
const (
	StatusQueued         Status = "queued"
	StatusFetchingInfo   Status = "fetching_info"
	StatusDownloading    Status = "downloading"
	StatusPostProcessing Status = "post_processing"
	StatusCompleted      Status = "completed"
	StatusFailed         Status = "failed"
	StatusCanceled       Status = "canceled"
	StatusNeedsMatch     Status = "needs_match"
)

// Statuses lists every status.
var Statuses = []Status{StatusQueued, StatusFetchingInfo, StatusDownloading, StatusPostProcessing,
	StatusCompleted, StatusFailed, StatusCanceled, StatusNeedsMatch}

// Final reports whether nothing more happens without a person.
func (s Status) Final() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCanceled
}

// Running reports whether a worker is on it.
func (s Status) Running() bool {
	return s == StatusFetchingInfo || s == StatusDownloading || s == StatusPostProcessing
}

// runningStatuses are the statuses a live worker holds.
var runningStatuses = []Status{StatusFetchingInfo, StatusDownloading, StatusPostProcessing}

// moves is every legal transition of an item, by target status: the
// statuses a row may be in for transition to move it there, and who makes
// the move. A parent row's status is not moved but derived from its
// children (refreshParent), except for the moves marked "parent".
var moves = map[Status][]Status{
	// claim (run.go): a worker takes a queued row, or takes back the row
	// its own job held when River retries the job after a database outage.
	StatusFetchingInfo: {StatusQueued, StatusFetchingInfo, StatusDownloading, StatusPostProcessing},
	// the progress writer (progress.go) as yt-dlp reports.
	StatusDownloading:    runningStatuses,
	StatusPostProcessing: runningStatuses,
	// complete (complete.go): the files are in the library.
	StatusCompleted: runningStatuses,
	// fail (failure.go): yt-dlp or the platform failed.
	StatusFailed: runningStatuses,
	// Cancel (actions.go), and finishCanceled after the process is gone:
	// anything not finished, parents included.
	StatusCanceled: {StatusQueued, StatusFetchingInfo, StatusDownloading, StatusPostProcessing, StatusNeedsMatch},
	// needsMatch (match.go): no confident source for a Spotify track.
	StatusNeedsMatch: runningStatuses,
	// Back to the queue: expand (a parent waits for its children), requeue
	// after a crash (recovery.go), Match (a person picked the source),
	// Retry of a failed or canceled item or parent, and a new job for a
	// queued row whose worker died before claiming it.
	StatusQueued: {StatusQueued, StatusFetchingInfo, StatusDownloading, StatusPostProcessing, StatusNeedsMatch,
		StatusFailed, StatusCanceled},
}

// canMove reports whether the table allows from → to.
func canMove(from, to Status) bool { return slices.Contains(moves[to], from) }

// errIllegalMove is a move the table does not allow.
var errIllegalMove = errors.New("downloads: illegal status transition")

// move is one transition: rows (ids) to status to, with fields written
// with it. With job set, only rows still held by that job move (the
// fencing token: a run that lost its row cannot move it).
type move struct {
	ids []uuid.UUID
	job *int64
	// from narrows the table's predecessors (e.g. Match: needs_match only);
	// nil takes them all.
	from   []Status
	to     Status
	fields map[string]any
}

// transition makes m inside tx and reports how many rows moved. It writes
// what every move into to implies (finished_at when it is final; no speed,
// ETA or heartbeat once no worker holds the row; no error or finish time
// when it goes back to the queue) and, for a final status, tells the
// Notifier in the same transaction. Publishing the new state is the
// caller's, once tx commits (publishRow).
func (s *Service) transition(ctx context.Context, tx *gorm.DB, m move) (int64, error) {
	from := moves[m.to]
	if m.from != nil {
		for _, f := range m.from {
			if !canMove(f, m.to) {
				return 0, errIllegalMove
			}
		}
		from = m.from
	}
	now := time.Now().UTC()
	set := map[string]any{"status": m.to, "updated_at": now}
	if !m.to.Running() {
		set["speed_bps"], set["eta_seconds"], set["heartbeat_at"] = nil, nil, nil
	}
	switch {
	case m.to.Final():
		set["finished_at"] = now
	case m.to == StatusQueued:
		set["finished_at"], set["error_code"], set["error_message"], set["error_details"] = nil, nil, nil, nil
	}
	for k, v := range m.fields {
		set[k] = v
	}
	q := tx.WithContext(ctx).Model(&row{}).Where("id IN ? AND status IN ?", m.ids, from)
	if m.job != nil {
		q = q.Where("job_id = ?", *m.job)
	}
	res := q.Updates(set)
	if res.Error != nil || res.RowsAffected == 0 || !m.to.Final() {
		return res.RowsAffected, res.Error
	}
	moved := m.ids
	if len(m.ids) > 1 && res.RowsAffected < int64(len(m.ids)) {
		// Some finished meanwhile: tell the Notifier of those that moved
		// (the caller chose ids not yet in to).
		moved = nil
		if err := tx.WithContext(ctx).Model(&row{}).Where("id IN ? AND status = ?", m.ids, m.to).
			Pluck("id", &moved).Error; err != nil {
			return res.RowsAffected, err
		}
	}
	return res.RowsAffected, s.notifyTx(ctx, tx, moved)
}

// moveOne is transition of one row held by job, in its own transaction.
func (s *Service) moveOne(ctx context.Context, id uuid.UUID, job int64, to Status, fields map[string]any) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = s.transition(ctx, tx, move{ids: []uuid.UUID{id}, job: &job, to: to, fields: fields})
		return err
	})
	return n > 0, err
}

// resetProgress are the fields of a row that starts over (retry, a new
// source picked): no progress, no node, no warnings from the last run.
func resetProgress() map[string]any {
	return map[string]any{"percent": 0, "downloaded_bytes": 0, "total_bytes": nil, "fragment_index": nil,
		"fragment_count": nil, "post_processor": nil, "node": nil, "warnings": nil}
}
