package downloads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/platforms"
)

// Worker works download jobs.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	S *Service
}

// Timeout lets a download run as long as it needs; crash safety comes from
// heartbeats, not from a deadline.
func (w *Worker) Timeout(*river.Job[JobArgs]) time.Duration { return -1 }

// Causes of a run's context ending that are not the user's cancel.
var (
	errLostOwnership = errors.New("download taken over by another worker")
	errIsPlaylist    = errors.New("the URL is a playlist")
)

// Work runs one download job.
func (w *Worker) Work(ctx context.Context, job *river.Job[JobArgs]) error {
	return w.S.work(ctx, job.ID, job.Args.DownloadID)
}

func (s *Service) work(ctx context.Context, jobID int64, id uuid.UUID) error {
	var r row
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // deleted meanwhile
		}
		return err
	}
	if r.JobID == nil || *r.JobID != jobID {
		return nil // a stale job: the row was re-queued with a new one
	}
	if r.Status.Final() || r.Status == StatusNeedsMatch {
		return nil
	}
	if r.ParentID == nil {
		// A parent's job is its expansion, done once: a job for a parent
		// that has children (re-queued by an older version, or by a rescue
		// that raced the expansion) lists nothing, and the parent shows
		// its children's state again.
		switch expanded, err := s.hasChildren(ctx, id); {
		case err != nil:
			return err
		case expanded:
			s.log.Warn("a playlist's job ran again after its expansion; its children carry on", "download_id", id)
			s.refreshParent(ctx, id)
			return nil
		}
	}
	pol := s.policy.Platform(ctx, r.Platform)
	release, ok := s.limiter.tryAcquire(r.Platform, pol.MaxConcurrent)
	if !ok {
		// Wait outside the worker pool so other platforms keep going.
		return river.JobSnooze(time.Duration(1500+rand.IntN(1500)) * time.Millisecond)
	}
	defer release()
	if wait := s.pacer.reserve(r.Platform, pol.StartInterval); wait > 0 {
		// Paced: back in the queue until this platform may start again.
		s.log.Debug("download paced", "download_id", id, "platform", r.Platform, "wait", wait)
		return river.JobSnooze(wait + time.Duration(rand.IntN(250))*time.Millisecond)
	}
	if err := s.runs.waitIdle(ctx, id); err != nil {
		return err
	}
	switch claimed, err := s.claim(ctx, &r, jobID); {
	case errors.Is(err, errClusterFull):
		return river.JobSnooze(time.Duration(1500+rand.IntN(1500)) * time.Millisecond)
	case err != nil:
		return err
	case !claimed:
		return nil
	}
	r.Status, r.Node = StatusFetchingInfo, &s.cfg.NodeName
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rn := s.runs.add(id, runCtx, cancel)
	defer s.runs.remove(id, rn)
	s.publishRow(ctx, id)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		s.heartbeat(runCtx, cancel, id, jobID)
	}()
	defer func() { cancel(nil); <-hbDone }()

	err := s.runRow(runCtx, &r, jobID)
	cause := context.Cause(runCtx)
	switch {
	case err == nil:
		return nil
	case errors.Is(cause, errCanceledByUser) || s.rowCanceled(id):
		s.finishCanceled(context.WithoutCancel(ctx), &r, jobID)
		return nil
	case errors.Is(cause, errLostOwnership):
		s.log.Warn("download taken over elsewhere; this run stops", "download_id", id)
		s.removeJobDir(id)
		return nil
	case ctx.Err() != nil:
		// The node is stopping: leave the row as it is; the next start
		// (or another node's heartbeat check) re-queues it, and yt-dlp
		// resumes from its .part files.
		return fmt.Errorf("download interrupted by shutdown: %w", ctx.Err())
	case s.databaseDown(ctx, err):
		// The database is down, not the download: River tries the job
		// again; the row stays claimed by it and yt-dlp resumes from the
		// job folder.
		s.log.Warn("database unreachable; the download will be tried again", "download_id", id, "err", err)
		return fmt.Errorf("database unreachable: %w", err)
	}
	s.fail(context.WithoutCancel(ctx), &r, jobID, err)
	return nil
}

// heartbeat proves the run is alive, and notices when the row was
// canceled or taken over by another worker.
func (s *Service) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, id uuid.UUID, jobID int64) {
	t := time.NewTicker(s.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res := s.db.WithContext(ctx).Model(&row{}).
			Where("id = ? AND job_id = ? AND status IN ?", id, jobID, runningStatuses).
			Update("heartbeat_at", time.Now().UTC())
		if res.Error != nil {
			s.log.Warn("heartbeat failed", "download_id", id, "err", res.Error)
			continue
		}
		if res.RowsAffected == 0 {
			switch st := s.rowStatus(id); {
			case st == StatusCanceled:
				cancel(errCanceledByUser)
			case st.Final():
				// The run itself finished the row a moment ago (this beat
				// waited on its lock): it still publishes what it
				// committed, so its context must not end under it.
			default:
				cancel(errLostOwnership)
			}
			return
		}
	}
}

func (s *Service) rowCanceled(id uuid.UUID) bool { return s.rowStatus(id) == StatusCanceled }

// rowStatus is the row's status now ("" when it cannot be read).
func (s *Service) rowStatus(id uuid.UUID) Status {
	var st Status
	s.db.Model(&row{}).Select("status").Where("id = ?", id).Scan(&st)
	return st
}

func (s *Service) item(r *row) Item {
	it := Item{ID: r.ID, UserID: r.UserID, URL: r.URL, Platform: r.Platform, Kind: r.Kind, ParentID: r.ParentID,
		Options: r.Options}
	if r.Meta != nil {
		it.Meta = json.RawMessage(*r.Meta)
	}
	return it
}

// runRow does the work of a claimed row: expand a parent, or download an
// item.
func (s *Service) runRow(ctx context.Context, r *row, jobID int64) error {
	it := s.item(r)
	h := s.handler(r.Platform)
	if platforms.Kind(r.Kind).IsParent() && r.ParentID == nil {
		return s.expand(ctx, r, jobID, h, it)
	}
	src, err := h.Source(ctx, it)
	if errors.Is(err, ErrExpand) && r.ParentID == nil {
		return s.expand(ctx, r, jobID, h, it)
	}
	if err != nil {
		var nm *NeedsMatch
		if errors.As(err, &nm) {
			return s.needsMatch(ctx, r, jobID, nm)
		}
		return err
	}
	if src.URL == "" {
		src.URL = r.URL
	}
	if err := s.applySource(ctx, r, jobID, src); err != nil {
		return err
	}
	err = s.download(ctx, r, jobID, it, src)
	if errors.Is(err, errIsPlaylistRun) {
		// The URL turned out to be a playlist (a feed, a page of videos):
		// expand it into one child per entry instead.
		return s.expand(ctx, r, jobID, h, it)
	}
	return err
}

// applySource stores what the handler decided before downloading.
func (s *Service) applySource(ctx context.Context, r *row, jobID int64, src Source) error {
	updates := map[string]any{"updated_at": time.Now().UTC()}
	if src.URL != r.URL {
		updates["source_url"] = src.URL
	}
	if src.Title != "" {
		updates["title"] = src.Title
	}
	if src.Uploader != "" {
		updates["uploader"] = src.Uploader
	}
	if src.ThumbnailURL != "" {
		updates["thumbnail_url"] = src.ThumbnailURL
	}
	if src.Duration > 0 {
		updates["duration_seconds"] = src.Duration
	}
	if len(src.Meta) > 0 {
		updates["meta"] = string(src.Meta)
	}
	if len(src.Warnings) > 0 {
		updates["warnings"] = warningsColumn(src.Warnings)
	}
	if len(updates) == 1 {
		return nil // the item's own URL, nothing decided
	}
	return s.db.WithContext(ctx).Model(&row{}).Where("id = ? AND job_id = ?", r.ID, jobID).Updates(updates).Error
}
