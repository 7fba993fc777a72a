package downloads

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/queue"
)

// Recover runs when this node starts, before it takes jobs: it kills
// yt-dlp and ffmpeg left by its previous life, re-queues the downloads it
// was running (they resume from their .part files), and removes temporary
// folders no live download owns.
func (s *Service) Recover(ctx context.Context) error {
	if err := os.MkdirAll(s.cfg.TempRoot, 0o750); err != nil {
		return err
	}
	killed, err := proc.KillLeftovers(s.cfg.TempRoot, s.log)
	if err != nil {
		s.log.Warn("cannot look for leftover processes", "err", err)
	}
	if killed > 0 {
		s.log.Warn("killed yt-dlp processes left by the previous run", "groups", killed)
	}
	var orphans []row
	if err := s.db.WithContext(ctx).Where("node = ? AND status IN ?", s.cfg.NodeName, runningStatuses).
		Where(notExpanded).Find(&orphans).Error; err != nil {
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

// notExpanded leaves out parents that have children: a parent's running
// status is its children's (refreshParent), its work is in them and they
// are recovered and rescued on their own. Re-queueing such a parent would
// list and download the playlist a second time.
const notExpanded = "NOT EXISTS (SELECT 1 FROM downloads c WHERE c.parent_id = downloads.id)"

// requeueUnclaimed gives a new job to queued rows whose current job River
// considers running since before cutoff: their worker died between
// fetching the job and claiming the row.
func (s *Service) requeueUnclaimed(ctx context.Context, cutoff time.Time) (int, error) {
	var rows []row
	err := s.db.WithContext(ctx).Model(&row{}).
		Joins("JOIN river_job j ON j.id = downloads.job_id").
		Where("downloads.status = ? AND j.state = ? AND j.attempted_at < ?", StatusQueued, "running", cutoff).
		Find(&rows).Error
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range rows {
		r := &rows[i]
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			moved, err := s.transition(ctx, tx, move{ids: []uuid.UUID{r.ID}, job: r.JobID, from: []Status{StatusQueued},
				to: StatusQueued})
			if err != nil || moved == 0 {
				return err
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
		moved, err := s.transition(ctx, tx, move{ids: []uuid.UUID{r.ID}, job: r.JobID, from: runningStatuses, to: StatusQueued})
		if err != nil || moved == 0 {
			return err
		}
		return s.enqueueInLineTx(ctx, tx, r)
	})
}

// cleanTemp removes job folders of this node that belong to no download
// still waiting or running here.
func (s *Service) cleanTemp(ctx context.Context) error {
	_, err := s.sweep(ctx, func(st Status) bool { return st == StatusQueued || st.Running() })
	return err
}

// SweepTemp removes job folders of this node whose download is in a final
// state or deleted: one canceled on another node, or while no process
// ran it, leaves its folder (and .part files) here. It runs on every node
// that downloads (RunTempSweep) and reports how many folders it removed.
func (s *Service) SweepTemp(ctx context.Context) (int, error) {
	return s.sweep(ctx, func(st Status) bool { return st != "" && !st.Final() })
}

// sweep removes the job folders whose download's status keep refuses
// ("" for a download that no longer exists), except those running here.
func (s *Service) sweep(ctx context.Context, keep func(Status) bool) (int, error) {
	entries, err := os.ReadDir(s.cfg.TempRoot)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	for _, e := range entries {
		id, err := uuid.Parse(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		var st Status
		if err := s.db.WithContext(ctx).Model(&row{}).Select("status").Where("id = ?", id).Scan(&st).Error; err != nil {
			return n, err
		}
		if keep(st) || s.runs.get(id) != nil {
			continue // re-queued: yt-dlp resumes from what is there
		}
		if err := os.RemoveAll(filepath.Join(s.cfg.TempRoot, e.Name())); err != nil {
			s.log.Warn("cannot remove stale temp folder", "dir", e.Name(), "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// RunTempSweep runs SweepTemp every interval until ctx ends. Each node
// runs its own (its temp folders are its own), not one for the cluster.
func (s *Service) RunTempSweep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.SweepTemp(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("temp folder sweep failed", "err", err)
		}
		if n > 0 {
			s.log.Info("removed temp folders of finished downloads", "count", n)
		}
	}
}

// RescueStalled re-queues downloads whose worker stopped proving it is
// alive (its node died), so another node finishes them.
func (s *Service) RescueStalled(ctx context.Context) (int, error) {
	cutoff := time.Now().UTC().Add(-s.cfg.HeartbeatTimeout)
	var stalled []row
	err := s.db.WithContext(ctx).Where("status IN ? AND (heartbeat_at IS NULL OR heartbeat_at < ?) AND updated_at < ?",
		runningStatuses, cutoff, cutoff).Where(notExpanded).Find(&stalled).Error
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
		if s.runs.get(r.ID) != nil {
			continue // running here: this node's heartbeat is just late
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
		s.log.Warn("re-queued a download whose worker stopped", "download_id", r.ID, "worker_node", node)
	}
	return n, nil
}

// rescueArgs is the periodic job that looks for stalled downloads.
type rescueArgs struct{}

// Kind implements river.JobArgs.
func (rescueArgs) Kind() string { return "downloads_rescue" }

// RescueTask runs RescueStalled every 30 seconds (and at start), so a dead
// node's downloads move within HeartbeatTimeout plus 30 s (two minutes by
// default).
func (s *Service) RescueTask() queue.Task {
	return queue.NewTask[rescueArgs](queue.TaskOptions{Every: 30 * time.Second, Unique: 20 * time.Second, RunOnStart: true},
		func(ctx context.Context) error { _, err := s.RescueStalled(ctx); return err })
}
