package system

import (
	"context"
	"time"

	"github.com/downlink/downlink/api/internal/queue"
)

// pruneNodesArgs is the job that forgets nodes gone for a week, so the
// system view lists the cluster as it is.
type pruneNodesArgs struct{}

// Kind implements river.JobArgs.
func (pruneNodesArgs) Kind() string { return "prune_nodes" }

// PruneNodesTask runs PruneNodes hourly (and at start).
func (s *Service) PruneNodesTask() queue.Task {
	return queue.NewTask[pruneNodesArgs](queue.TaskOptions{Every: time.Hour, Unique: time.Hour, RunOnStart: true},
		func(ctx context.Context) error { _, err := s.PruneNodes(ctx); return err })
}

// NodeForgetAfter is how long a silent node stays listed.
const NodeForgetAfter = 7 * 24 * time.Hour

// PruneNodes deletes nodes silent for NodeForgetAfter and says how many.
func (s *Service) PruneNodes(ctx context.Context) (int64, error) {
	res := s.st.DB.WithContext(ctx).Where("last_seen_at < ?", time.Now().UTC().Add(-NodeForgetAfter)).Delete(&nodeRow{})
	return res.RowsAffected, res.Error
}
