package system

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/downlink/downlink/api/internal/queue"
)

// PruneNodesArgs is the periodic job that forgets nodes gone for a week,
// so the system view lists the cluster as it is.
type PruneNodesArgs struct{}

// Kind implements river.JobArgs.
func (PruneNodesArgs) Kind() string { return "prune_nodes" }

// InsertOpts puts the job on the maintenance queue.
func (PruneNodesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.Maintenance, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// PruneNodesWorker works PruneNodesArgs.
type PruneNodesWorker struct {
	river.WorkerDefaults[PruneNodesArgs]
	Service *Service
}

// Work deletes node rows not seen for NodeForgetAfter.
func (w *PruneNodesWorker) Work(ctx context.Context, _ *river.Job[PruneNodesArgs]) error {
	_, err := w.Service.PruneNodes(ctx)
	return err
}

// NodeForgetAfter is how long a silent node stays listed.
const NodeForgetAfter = 7 * 24 * time.Hour

// PruneNodes deletes nodes silent for NodeForgetAfter and says how many.
func (s *Service) PruneNodes(ctx context.Context) (int64, error) {
	res := s.st.DB.WithContext(ctx).Where("last_seen_at < ?", time.Now().UTC().Add(-NodeForgetAfter)).Delete(&nodeRow{})
	return res.RowsAffected, res.Error
}

// PeriodicPruneNodes schedules the prune hourly.
func PeriodicPruneNodes() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return PruneNodesArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "prune_nodes"})
}
