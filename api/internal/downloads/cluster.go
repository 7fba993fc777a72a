package downloads

import (
	"context"
	"errors"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/platforms"
)

// errClusterFull says the platform's cluster-wide cap is reached: the job
// waits (snoozes) and tries again.
var errClusterFull = errors.New("cluster-wide cap for the platform reached")

// claim takes a queued (or re-queued) row for this node, fenced by the job
// id. With a cluster cap for the platform (DOWNLINK_CLUSTER_MAX_CONCURRENT)
// the count of rows of that platform running anywhere with a fresh
// heartbeat is checked in the same transaction: claims of one platform are
// serialized by an advisory lock on Postgres (SQLite has one writer), so
// nodes starting jobs at the same moment cannot overshoot. A dead node's
// rows stop counting once their heartbeat is stale.
//
// Per-node limits (DOWNLINK_WORKERS, a platform's max_concurrent) are
// enforced in memory by each node's limiter; only this cap spans nodes.
func (s *Service) claim(ctx context.Context, r *row, jobID int64) (bool, error) {
	limit := s.cfg.ClusterCaps[r.Platform]
	claimed := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		if limit > 0 {
			if tx.Dialector.Name() == "postgres" {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", clusterLockKey(r.Platform)).Error; err != nil {
					return err
				}
			}
			var running int64
			err := tx.Model(&row{}).Where("platform = ? AND status IN ? AND heartbeat_at >= ? AND id <> ?",
				r.Platform, runningStatuses, now.Add(-s.cfg.HeartbeatTimeout), r.ID).Count(&running).Error
			if err != nil {
				return err
			}
			if running >= int64(limit) {
				return errClusterFull
			}
		}
		if err := s.checkUserRunning(ctx, tx, r, now); err != nil {
			return err
		}
		moved, err := s.transition(ctx, tx, move{ids: []uuid.UUID{r.ID}, job: &jobID, to: StatusFetchingInfo,
			fields: map[string]any{"node": s.cfg.NodeName, "heartbeat_at": now,
				"started_at": gorm.Expr("COALESCE(started_at, ?)", now), "attempts": gorm.Expr("attempts + 1")}})
		claimed = moved > 0
		return err
	})
	return claimed, err
}

// checkUserRunning refuses the claim (errClusterFull: the job waits) while
// the row's owner has as many downloads running anywhere as the settings
// allow (limits.max_running_downloads_per_user). Parents that have expanded
// do not count (their children do); claims of one user are serialized on
// Postgres by an advisory lock, on SQLite by its single writer.
func (s *Service) checkUserRunning(ctx context.Context, tx *gorm.DB, r *row, now time.Time) error {
	if s.policy == nil {
		return nil // a bare service in the engine's own tests
	}
	limit := s.policy.UserLimits(ctx).MaxRunning
	if limit <= 0 {
		return nil
	}
	if tx.Dialector.Name() == "postgres" {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", userLockKey(r.UserID)).Error; err != nil {
			return err
		}
	}
	var running int64
	err := tx.Model(&row{}).Where("user_id = ? AND status IN ? AND heartbeat_at >= ? AND id <> ? AND NOT (parent_id IS NULL AND kind IN ?)",
		r.UserID, runningStatuses, now.Add(-s.cfg.HeartbeatTimeout), r.ID, platforms.ParentKinds).Count(&running).Error
	if err != nil {
		return err
	}
	if running >= int64(limit) {
		return errClusterFull
	}
	return nil
}

// userLockKey is the advisory lock of one user's claims.
func userLockKey(id uuid.UUID) int64 {
	h := fnv.New32a()
	_, _ = h.Write(id[:])
	return 0x646d_0000_0000_0000 | int64(h.Sum32())
}

// clusterLockKey is the advisory lock of a platform's claims: a fixed
// namespace in the high bits so it cannot meet another feature's locks.
func clusterLockKey(platform string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(platform))
	return 0x646c_0000_0000_0000 | int64(h.Sum32())
}

// enqueueInLineTx gives a rescued row a new job at its old place in its
// platform's queue. River hands out available jobs by priority, then
// scheduled time: a job scheduled at the row's creation goes ahead of
// everything submitted after it, instead of behind the whole backlog (with
// a deep queue, the back of it is far more than the two minutes a dead
// node's download may take to move). River inserts a job scheduled in the
// past as "scheduled"; its scheduler makes it available within seconds.
func (s *Service) enqueueInLineTx(ctx context.Context, tx *gorm.DB, r *row) error {
	if r.CreatedAt.IsZero() {
		return s.enqueueTx(ctx, tx, r)
	}
	opts := insertOpts(r.Platform)
	opts.ScheduledAt = r.CreatedAt
	res, err := s.queue.InsertTx(ctx, tx, JobArgs{DownloadID: r.ID, Platform: r.Platform}, opts)
	if err != nil {
		return err
	}
	r.JobID = &res.Job.ID
	return tx.Model(&row{}).Where("id = ?", r.ID).Update("job_id", res.Job.ID).Error
}
