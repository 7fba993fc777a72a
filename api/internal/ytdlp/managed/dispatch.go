package managed

import (
	"context"
	"net/http"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/downlink/downlink/api/internal/problem"
)

// Inserter puts jobs in the queue.
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Dispatcher sends an admin's check, update or rollback to every alive
// node of the cluster (or one), each through its own job queue; each node
// records how it went on its row of the System page.
type Dispatcher struct {
	q   Inserter
	svc *Service
}

// NewDispatcher returns a Dispatcher inserting into q.
func NewDispatcher(q Inserter, svc *Service) *Dispatcher { return &Dispatcher{q: q, svc: svc} }

// Request is what an admin asked for.
type Request struct {
	Action Action
	// Version is an update's target ("" : the newest of the channel).
	Version string
	// Node limits the request to one node ("" : every alive node).
	Node  string
	Actor Actor
}

// Dispatched says where a request went.
type Dispatched struct {
	OperationID string    `json:"operation_id"`
	Action      Action    `json:"action"`
	Nodes       []string  `json:"nodes"`
	Skipped     []Skipped `json:"skipped"`
}

// Skipped is a node a request was not sent to, and why.
type Skipped struct {
	Node   string `json:"node"`
	Reason string `json:"reason"`
}

// Errors of Dispatch.
var (
	ErrUnknownNode = problem.New(http.StatusNotFound, "Unknown node").WithDetail("No alive node has that name.")
	ErrBadVersion  = problem.Invalid("version", "must be a yt-dlp version such as 2026.10.26")
)

// Dispatch queues one job per node and marks each node's operation as
// queued. A rollback goes only to nodes with something to roll back to,
// and carries what each node had, so a node that shares its data folder
// with one that already rolled back does not roll back twice.
func (d *Dispatcher) Dispatch(ctx context.Context, req Request) (Dispatched, error) {
	if req.Version != "" && !ValidVersion(req.Version) {
		return Dispatched{}, ErrBadVersion
	}
	op := Op{Actor: req.Actor}.withID()
	out := Dispatched{OperationID: op.ID, Action: req.Action, Nodes: []string{}, Skipped: []Skipped{}}
	names, err := d.svc.aliveNames(ctx)
	if err != nil {
		return Dispatched{}, err
	}
	if req.Node != "" {
		found := false
		for _, n := range names {
			if n == req.Node {
				found = true
			}
		}
		if !found {
			return Dispatched{}, ErrUnknownNode
		}
		names = []string{req.Node}
	}
	now := d.svc.now().UTC()
	for _, node := range names {
		args := NodeJobArgs{Node: node, Action: req.Action, OperationID: op.ID, ActorID: req.Actor.ID,
			ActorName: req.Actor.Name, RequestedAt: now, Version: req.Version}
		target := req.Version
		if req.Action == ActionRollback {
			r, err := d.svc.knownRow(ctx, node)
			if err != nil {
				return Dispatched{}, err
			}
			if r.PreviousSource == "" {
				out.Skipped = append(out.Skipped, Skipped{Node: node, Reason: "nothing to roll back to"})
				continue
			}
			args.From, args.To, target = r.ActiveVersion, r.PreviousVersion, r.PreviousVersion
			if r.ActiveSource != string(SourceManaged) {
				args.From = ""
			}
			if r.PreviousSource != string(SourceManaged) {
				args.To, target = "", ""
			}
		}
		opts := args.InsertOpts()
		res, err := d.q.Insert(ctx, args, &opts)
		if err != nil {
			return Dispatched{}, err
		}
		if res.UniqueSkippedAsDuplicate {
			out.Skipped = append(out.Skipped, Skipped{Node: node, Reason: "a " + string(req.Action) + " already waits for this node"})
			continue
		}
		if err := d.svc.markQueued(ctx, node, op, req.Action, target); err != nil {
			return Dispatched{}, err
		}
		out.Nodes = append(out.Nodes, node)
	}
	d.svc.auditf(ctx, op, "yt-dlp "+string(req.Action)+" requested", "ytdlp."+string(req.Action)+"_requested",
		"nodes", out.Nodes, "skipped", len(out.Skipped), "version", req.Version)
	if len(out.Nodes) == 0 && len(out.Skipped) > 0 && req.Action == ActionRollback {
		return out, ErrNothingToRollBack.WithDetail("No node has a previous yt-dlp to go back to.")
	}
	return out, nil
}
