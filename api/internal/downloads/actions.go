package downloads

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/store"
)

// errCanceledByUser is the cause given to a run's context on cancel.
var errCanceledByUser = errors.New("canceled by user")

// Cancel stops a download (and, for a parent, its expansion and every
// child): the rows say canceled at once, running processes are killed
// (here directly, elsewhere through the job queue) and never retried.
func (s *Service) Cancel(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Download, error) {
	r, err := s.load(ctx, s.db, caller, id, authz.Write)
	if err != nil {
		return Download{}, err
	}
	switch r.Status {
	case StatusCanceled:
		return s.Get(ctx, caller, id)
	case StatusCompleted, StatusFailed:
		return Download{}, ErrAlreadyFinished.WithDetail("This download already %s; there is nothing to cancel.", r.Status)
	}
	var jobs []int64
	var ids []uuid.UUID
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var targets []row
		if err := tx.Where("(id = ? OR parent_id = ?) AND status IN ?", id, id, moves[StatusCanceled]).
			Find(&targets).Error; err != nil {
			return err
		}
		for _, t := range targets {
			ids = append(ids, t.ID)
			if t.JobID != nil {
				jobs = append(jobs, *t.JobID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		_, err := s.transition(ctx, tx, move{ids: ids, to: StatusCanceled})
		return err
	})
	if err != nil {
		return Download{}, err
	}
	if len(ids) == 0 {
		// It finished between the check above and the transaction: what
		// it finished as is the answer, as when it had finished before.
		d, err := s.Get(ctx, caller, id)
		if err == nil && (d.Status == StatusCompleted || d.Status == StatusFailed) {
			return Download{}, ErrAlreadyFinished.WithDetail("This download already %s; there is nothing to cancel.", d.Status)
		}
		return d, err
	}
	for _, did := range ids {
		if !s.runs.cancel(did, errCanceledByUser) {
			// No run here will clean up after it (its run ends in
			// finishCanceled): a download re-queued after a crash keeps
			// its folder and .part files here until now. A folder on
			// another node goes with that node's sweep (SweepTemp).
			s.removeJobDir(did)
		}
	}
	for _, j := range jobs {
		if err := s.queue.Cancel(context.WithoutCancel(ctx), j); err != nil {
			s.log.Warn("cancel job", "job_id", j, "err", err)
		}
	}
	s.audit.InfoContext(ctx, "download canceled", "action", "download.canceled", "actor_id", caller.UserID, "target", "download:"+id.String())
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
	for _, did := range ids {
		s.publishRow(ctx, did)
	}
	return s.Get(ctx, caller, id)
}

// Retry puts a failed or canceled download back in the queue (for a
// parent: its failed and canceled children, or the expansion itself).
func (s *Service) Retry(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Download, error) {
	r, err := s.load(ctx, s.db, caller, id, authz.Write)
	if err != nil {
		return Download{}, err
	}
	if r.Status != StatusFailed && r.Status != StatusCanceled {
		return Download{}, ErrNotRetryable.WithDetail("This download is %s; only failed or canceled downloads can be retried.", r.Status)
	}
	if r.ErrorCode != nil && *r.ErrorCode == CodeDRM {
		return Download{}, ErrNotRetryable.WithDetail("The media is DRM protected; retrying cannot download it.")
	}
	if err := s.checkDisk(ctx); err != nil {
		return Download{}, err
	}
	var retried []uuid.UUID
	var after row // the download as the retry left it, before a worker can claim it
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var children []row
		// DRM-protected items stay failed: no retry can download them.
		if err := tx.Where("parent_id = ? AND status IN ? AND (error_code IS NULL OR error_code <> ?)", id,
			[]string{string(StatusFailed), string(StatusCanceled)}, CodeDRM).
			Find(&children).Error; err != nil {
			return err
		}
		targets := children
		var total int64
		if err := tx.Model(&row{}).Where("parent_id = ?", id).Count(&total).Error; err != nil {
			return err
		}
		if total == 0 {
			targets = []row{r} // a plain item, or a parent that never expanded
		}
		for i := range targets {
			t := &targets[i]
			moved, err := s.transition(ctx, tx, move{ids: []uuid.UUID{t.ID}, from: []Status{StatusFailed, StatusCanceled},
				to: StatusQueued, fields: resetProgress()})
			if err != nil {
				return err
			}
			if moved == 0 {
				continue // retried or deleted meanwhile
			}
			if err := s.enqueueTx(ctx, tx, t); err != nil {
				return err
			}
			retried = append(retried, t.ID)
		}
		if total > 0 {
			// The parent waits for its children again.
			if _, err := s.transition(ctx, tx, move{ids: []uuid.UUID{id}, from: []Status{StatusFailed, StatusCanceled},
				to: StatusQueued}); err != nil {
				return err
			}
		}
		return tx.Where("id = ?", id).Take(&after).Error
	})
	if err != nil {
		return Download{}, err
	}
	s.audit.InfoContext(ctx, "download retried", "action", "download.retried", "actor_id", caller.UserID, "target", "download:"+id.String(), "items", len(retried))
	for _, did := range retried {
		s.publishRow(ctx, did)
	}
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	} else if len(retried) > 0 && retried[0] != id {
		s.publishRow(ctx, id)
	}
	// Answer with the row as the retry committed it: on Postgres a worker
	// is woken by the commit and may have claimed the job already.
	ds, err := s.withDetails(ctx, []row{after})
	if err != nil {
		return Download{}, err
	}
	return ds[0], nil
}

// Delete removes a download (and its children), cancelling it first when
// it runs. Its files are deleted with it, or kept in the library.
func (s *Service) Delete(ctx context.Context, caller *authz.Principal, id uuid.UUID, deleteFiles bool) error {
	r, err := s.load(ctx, s.db, caller, id, authz.Write)
	if err != nil {
		return err
	}
	if !r.Status.Final() {
		if _, err := s.Cancel(ctx, caller, id); err != nil && !errors.Is(err, ErrAlreadyFinished) {
			return err
		}
	}
	var fileRows []files.Row
	var ids []uuid.UUID
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&row{}).Where("id = ? OR parent_id = ?", id, id).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if deleteFiles {
			if err := tx.Where("download_id IN ?", ids).Find(&fileRows).Error; err != nil {
				return err
			}
		} else if err := tx.Model(&files.Row{}).Where("download_id IN ?", ids).Update("download_id", nil).Error; err != nil {
			return err
		}
		return tx.Where("id IN ?", ids).Delete(&row{}).Error
	})
	if err != nil {
		return err
	}
	if err := s.files.DeleteRows(ctx, fileRows); err != nil {
		return err
	}
	s.audit.InfoContext(ctx, "download deleted", "action", "download.deleted", "actor_id", caller.UserID, "target", "download:"+id.String(),
		"delete_files", deleteFiles, "files", len(fileRows), "url", r.URL)
	for _, did := range ids {
		s.publish(ctx, events.TypeDownloadDeleted, deletedEvent{ID: did, UserID: r.UserID})
	}
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
	return nil
}

// refreshParent derives a parent's status from its children: completed
// when all are, failed when all finished and one failed, canceled when all
// finished and one was canceled, otherwise the most advanced status of the
// unfinished ones.
//
// Children finish concurrently, each calling this after its own commit.
// The count and the write happen in one transaction holding the parent's
// row lock (FOR UPDATE on Postgres; SQLite transactions are IMMEDIATE), so
// a refresh that counted before a sibling's change can never write after
// the refresh that counted it.
func (s *Service) refreshParent(ctx context.Context, parentID uuid.UUID) {
	ctx = context.WithoutCancel(ctx)
	changed := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var parent row
		if err := store.ForUpdate(tx.Where("id = ?", parentID)).Take(&parent).Error; err != nil {
			return err
		}
		var counts []struct {
			Status string
			N      int
		}
		if err := tx.Model(&row{}).Select("status, COUNT(*) AS n").Where("parent_id = ?", parentID).
			Group("status").Scan(&counts).Error; err != nil || len(counts) == 0 {
			return err
		}
		by := map[Status]int{}
		total := 0
		for _, c := range counts {
			by[Status(c.Status)] = c.N
			total += c.N
		}
		next := parentStatus(by, total)
		if Status(parent.Status) == StatusCanceled && !next.Final() {
			// A canceled parent stays canceled until retried.
			return nil
		}
		now := time.Now().UTC()
		updates := map[string]any{"status": string(next), "updated_at": now}
		if next.Final() && parent.FinishedAt == nil {
			updates["finished_at"] = now
		}
		if !next.Final() {
			updates["finished_at"] = nil
		}
		updates["error_code"], updates["error_message"], updates["error_details"] = nil, nil, nil
		if next == StatusFailed {
			var code *string
			if err := tx.Model(&row{}).Select("error_code").
				Where("parent_id = ? AND status = ? AND error_code IS NOT NULL", parentID, string(StatusFailed)).Limit(1).Scan(&code).Error; err != nil {
				return err
			}
			if code == nil {
				code = ptr("internal")
			}
			updates["error_code"] = *code
			updates["error_message"] = strconv.Itoa(by[StatusFailed]) + " of " + strconv.Itoa(total) + " items failed; open the items to see why."
		}
		if err := tx.Model(&row{}).Where("id = ?", parentID).Updates(updates).Error; err != nil {
			return err
		}
		changed = true
		return nil
	})
	if err != nil {
		s.log.Warn("refresh parent", "parent_id", parentID, "err", err)
		return
	}
	if changed {
		s.publishRow(ctx, parentID)
	}
}

// parentStatus is the status a parent shows for its children's counts.
func parentStatus(by map[Status]int, total int) Status {
	finished := by[StatusCompleted] + by[StatusFailed] + by[StatusCanceled]
	switch {
	case by[StatusCompleted] == total:
		return StatusCompleted
	case finished == total && by[StatusFailed] > 0:
		return StatusFailed
	case finished == total:
		return StatusCanceled
	}
	for _, st := range []Status{StatusPostProcessing, StatusDownloading, StatusFetchingInfo, StatusNeedsMatch, StatusQueued} {
		if by[st] > 0 {
			return st
		}
	}
	return StatusQueued
}
