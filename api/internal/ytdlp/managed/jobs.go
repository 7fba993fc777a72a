package managed

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// QueueName is the job queue only node works: how an admin's update,
// rollback or check reaches every node. River queue names are lower-case
// letters, digits, "_" and "-" (at most 64); a hash keeps names that
// clean up alike apart.
func QueueName(node string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(node) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	clean := strings.Trim(b.String(), "_")
	if len(clean) > 40 {
		clean = strings.Trim(clean[:40], "_")
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(node))
	if clean == "" {
		return fmt.Sprintf("ytdlp_%08x", h.Sum32())
	}
	return fmt.Sprintf("ytdlp_%s_%08x", clean, h.Sum32())
}

// QueueWorkers is how many of its queue's jobs a node works at once: one
// (operations on one node run one after another anyway).
const QueueWorkers = 1

// jobMaxAge is how old a job may be when its node gets to it: a node that
// was down when an admin clicked does not act on it days later.
const jobMaxAge = time.Hour

// NodeJobArgs is one node's part of an admin's request.
type NodeJobArgs struct {
	Node        string    `json:"node" river:"unique"`
	Action      Action    `json:"action" river:"unique"`
	OperationID string    `json:"operation_id"`
	ActorID     string    `json:"actor_id,omitempty"`
	ActorName   string    `json:"actor_name"`
	RequestedAt time.Time `json:"requested_at"`
	// Version is the update's target ("" : the newest).
	Version string `json:"version,omitempty"`
	// From and To are what the admin saw for a rollback.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// Kind implements river.JobArgs.
func (NodeJobArgs) Kind() string { return "ytdlp_node" }

// InsertOpts puts the job in its node's queue; one waiting job per node
// and action at a time (the fields tagged unique), so clicks on a node
// that is down do not pile up.
func (a NodeJobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueName(a.Node),
		MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{
			ByQueue: true,
			ByArgs:  true,
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
				rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable},
		},
	}
}

// NodeWorker runs a node's part of an admin's request on that node.
type NodeWorker struct {
	river.WorkerDefaults[NodeJobArgs]
	s *Service
}

// NewNodeWorker returns the worker for s's node.
func NewNodeWorker(s *Service) *NodeWorker { return &NodeWorker{s: s} }

// Timeout bounds one operation: a download of ~35 MB and a --version.
func (w *NodeWorker) Timeout(*river.Job[NodeJobArgs]) time.Duration { return 20 * time.Minute }

// Work runs the job; the outcome is recorded on the node's row, so a
// refusal is a finished job, not an error to retry.
func (w *NodeWorker) Work(ctx context.Context, job *river.Job[NodeJobArgs]) error {
	a := job.Args
	s := w.s
	op := Op{ID: a.OperationID, Actor: Actor{ID: a.ActorID, Name: a.ActorName}}
	if a.Node != s.node {
		return fmt.Errorf("managed: job for node %s reached node %s", a.Node, s.node)
	}
	if age := s.now().Sub(a.RequestedAt); age > jobMaxAge {
		s.begin(ctx, op, a.Action, a.Version)
		_, _ = s.end(ctx, op, a.Action, a.Version, fmt.Errorf("managed: the request is %v old; ask again", age.Round(time.Minute)), "")
		return nil
	}
	var err error
	switch a.Action {
	case ActionCheck:
		_, err = s.Check(ctx, op)
	case ActionUpdate:
		_, err = s.Update(ctx, op, a.Version)
	case ActionRollback:
		_, err = s.Rollback(ctx, op, Expect{Set: true, From: a.From, To: a.To})
	default:
		return fmt.Errorf("managed: unknown action %q", a.Action)
	}
	if err != nil {
		s.log.Info("yt-dlp "+string(a.Action)+" did not succeed on this node", "operation_id", a.OperationID, "err", err)
	}
	return nil
}
