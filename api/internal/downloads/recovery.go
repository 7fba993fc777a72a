package downloads

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Recover runs when this node starts, before it takes jobs: it kills
// yt-dlp and ffmpeg left by its previous life, re-queues the downloads it
// was running (they resume from their .part files), and removes temporary
// folders no live download owns.
func (s *Service) Recover(ctx context.Context) error {
	if err := os.MkdirAll(s.cfg.TempRoot, 0o750); err != nil {
		return err
	}
	killed, err := ytdlp.KillLeftovers(s.cfg.TempRoot, s.log)
	if err != nil {
		s.log.Warn("cannot look for leftover processes", "err", err)
	}
	if killed > 0 {
		s.log.Warn("killed yt-dlp processes left by the previous run", "groups", killed)
	}
	var orphans []row
	if err := s.db.WithContext(ctx).Where("node = ? AND status IN ?", s.cfg.NodeName, runningStatuses).Find(&orphans).Error; err != nil {
		return err
	}
	for i := range orphans {
		if err := s.requeue(ctx, &orphans[i]); err != nil {
			return err
		}
		s.metrics.ShutdownsRequeued.Inc()
	}
	if len(orphans) > 0 {
		s.log.Warn("re-queued downloads interrupted by the last stop", "count", len(orphans))
	}
	// Jobs handed to a worker that died before it claimed its row: the row
	// is still queued while River holds the job as running. Those fetched
	// before this node started are from a dead life (a live node claims
	// within milliseconds; if one still does, the new job id fences it).
	n, err := s.requeueUnclaimed(ctx, time.Now().UTC())
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Warn("re-queued downloads whose worker died before starting them", "count", n)
	}
	return s.cleanTemp(ctx)
}

// requeueUnclaimed gives a new job to queued rows whose current job River
// considers running since before cutoff: their worker died between
// fetching the job and claiming the row.
func (s *Service) requeueUnclaimed(ctx context.Context, cutoff time.Time) (int, error) {
	var rows []row
	err := s.db.WithContext(ctx).Model(&row{}).
		Joins("JOIN river_job j ON j.id = downloads.job_id").
		Where("downloads.status = ? AND j.state = ? AND j.attempted_at < ?", string(StatusQueued), "running", cutoff).
		Find(&rows).Error
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range rows {
		r := &rows[i]
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res := tx.Model(&row{}).Where("id = ? AND status = ? AND job_id IS NOT DISTINCT FROM ?", r.ID, string(StatusQueued), r.JobID).
				Update("updated_at", time.Now().UTC())
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			n++
			return s.enqueueInLineTx(ctx, tx, r)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// requeue gives a row a new job (a new fencing token), so a worker still
// holding the old one can no longer finish it, at the row's old place in
// the queue.
func (s *Service) requeue(ctx context.Context, r *row) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&row{}).Where("id = ? AND status IN ? AND job_id IS NOT DISTINCT FROM ?", r.ID, runningStatuses, r.JobID).
			Updates(map[string]any{"status": string(StatusQueued), "heartbeat_at": nil, "speed_bps": nil,
				"eta_seconds": nil, "updated_at": time.Now().UTC()})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.enqueueInLineTx(ctx, tx, r)
	})
}

// cleanTemp removes job folders of this node that belong to no download
// still waiting or running here.
func (s *Service) cleanTemp(ctx context.Context) error {
	entries, err := os.ReadDir(s.cfg.TempRoot)
	if err != nil {
		return err
	}
	for _, e := range entries {
		id, err := uuid.Parse(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		var st string
		s.db.WithContext(ctx).Model(&row{}).Select("status").Where("id = ?", id).Scan(&st)
		if st == string(StatusQueued) || Status(st).Running() {
			continue // re-queued: yt-dlp resumes from what is there
		}
		if err := os.RemoveAll(filepath.Join(s.cfg.TempRoot, e.Name())); err != nil {
			s.log.Warn("cannot remove stale temp folder", "dir", e.Name(), "err", err)
		}
	}
	return nil
}

// RescueStalled re-queues downloads whose worker stopped proving it is
// alive (its node died), so another node finishes them.
func (s *Service) RescueStalled(ctx context.Context) (int, error) {
	cutoff := time.Now().UTC().Add(-s.cfg.HeartbeatTimeout)
	var stalled []row
	err := s.db.WithContext(ctx).Where("status IN ? AND (heartbeat_at IS NULL OR heartbeat_at < ?) AND updated_at < ?",
		runningStatuses, cutoff, cutoff).Find(&stalled).Error
	if err != nil {
		return 0, err
	}
	// Rows never claimed by a worker that died: queued, their job running
	// for longer than a heartbeat timeout.
	n, err := s.requeueUnclaimed(ctx, cutoff)
	if err != nil {
		return n, err
	}
	for i := range stalled {
		r := &stalled[i]
		if _, mine := s.runningHere(r.ID); mine {
			continue
		}
		if err := s.requeue(ctx, r); err != nil {
			return n, err
		}
		n++
		s.metrics.HeartbeatRequeued.Inc()
		node := ""
		if r.Node != nil {
			node = *r.Node
		}
		s.log.Warn("re-queued a download whose worker stopped", "download_id", r.ID, "node", node)
	}
	return n, nil
}

func (s *Service) runningHere(id uuid.UUID) (struct{}, bool) {
	s.runs.mu.Lock()
	defer s.runs.mu.Unlock()
	_, ok := s.runs.runs[id]
	return struct{}{}, ok
}

// RescueArgs is the periodic job that looks for stalled downloads.
type RescueArgs struct{}

// Kind implements river.JobArgs.
func (RescueArgs) Kind() string { return "downloads_rescue" }

// InsertOpts puts the job on the maintenance queue.
func (RescueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.Maintenance, UniqueOpts: river.UniqueOpts{ByPeriod: 20 * time.Second}}
}

// RescueWorker works RescueArgs.
type RescueWorker struct {
	river.WorkerDefaults[RescueArgs]
	S *Service
}

// Work re-queues stalled downloads.
func (w *RescueWorker) Work(ctx context.Context, _ *river.Job[RescueArgs]) error {
	_, err := w.S.RescueStalled(ctx)
	return err
}

// PeriodicRescue checks every 30 seconds, so a dead node's downloads move
// within HeartbeatTimeout plus 30 s (two minutes by default).
func PeriodicRescue() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(30*time.Second),
		func() (river.JobArgs, *river.InsertOpts) { return RescueArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "downloads_rescue"})
}
