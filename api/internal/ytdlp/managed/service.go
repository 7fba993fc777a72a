package managed

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/downlink/downlink/api/internal/events"
)

// TypeUpdated is the live event sent (to admins) whenever a node's yt-dlp
// state changes: its data is the node's NodeState.
const TypeUpdated = events.TypeYtdlpUpdated

// Publisher sends live events.
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Node is a node of the cluster as its heartbeat says.
type Node struct {
	Name  string
	Alive bool
}

// Schedule is when a node looks for releases by itself.
type Schedule struct {
	// First is the wait after start before the first look (default 1m).
	First time.Duration
	// Every is how often the node looks whether its last check is a day
	// old (default 1h).
	Every time.Duration
	// CheckAfter is how old the last check must be for a new one (default
	// 24h: a daily check that survives restarts).
	CheckAfter time.Duration
}

// Deps are a Service's collaborators.
type Deps struct {
	DB        *gorm.DB
	Installer *Installer
	Policy    PolicySource
	// Nodes lists the nodes seen lately (system's node registry).
	Nodes func(ctx context.Context) ([]Node, error)
	// Bus carries TypeUpdated events; nil sends none (the CLI).
	Bus      Publisher
	NodeName string
	Logger   *slog.Logger
	Schedule Schedule
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service is this node's managed yt-dlp with its recorded state: the
// Installer's operations, recorded per node for the System page, audited,
// logged and announced live; and the daily check.
type Service struct {
	db     *gorm.DB
	inst   *Installer
	policy PolicySource
	nodes  func(ctx context.Context) ([]Node, error)
	bus    Publisher
	node   string
	log    *slog.Logger
	audit  *slog.Logger
	sched  Schedule
	now    func() time.Time

	mu       sync.Mutex
	recorded Active // what this node's row says it runs
	notified string // the newest version already announced in the log
}

// New returns the service.
func New(d Deps) (*Service, error) {
	if d.DB == nil || d.Installer == nil || d.Policy == nil || d.Nodes == nil || d.NodeName == "" || d.Logger == nil {
		return nil, errors.New("managed: DB, Installer, Policy, Nodes, NodeName and Logger are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Schedule.First <= 0 {
		d.Schedule.First = time.Minute
	}
	if d.Schedule.Every <= 0 {
		d.Schedule.Every = time.Hour
	}
	if d.Schedule.CheckAfter <= 0 {
		d.Schedule.CheckAfter = 24 * time.Hour
	}
	return &Service{db: d.DB, inst: d.Installer, policy: d.Policy, nodes: d.Nodes, bus: d.Bus, node: d.NodeName,
		log: d.Logger.With("source", "ytdlp"), audit: d.Logger.With("source", "audit", "audit", true),
		sched: d.Schedule, now: d.Now}, nil
}

// NodeName is this node.
func (s *Service) NodeName() string { return s.node }

// Installer is the file side of this node.
func (s *Service) Installer() *Installer { return s.inst }

// Active is the yt-dlp new jobs on this node start from.
func (s *Service) Active(ctx context.Context) Active { return s.inst.Active(ctx) }

// Policy is the current "yt-dlp updates" setting.
func (s *Service) Policy(ctx context.Context) Policy { return s.policy.YtdlpPolicy(ctx) }

// Actor is who started an operation.
type Actor struct {
	// ID is a user's id ("" for the schedule and the console).
	ID string
	// Name is shown as "requested by": an e-mail, "schedule", "console".
	Name string
}

// Actors that are not people.
var (
	ActorSchedule = Actor{Name: "schedule"}
	ActorConsole  = Actor{Name: "console"}
)

// Op names one operation on this node.
type Op struct {
	// ID ties the nodes' parts of one request together (a new one when
	// empty).
	ID    string
	Actor Actor
	// Watch, when set, also hears the progress (the console prints it).
	Watch func(Progress)
}

func (o Op) withID() Op {
	if o.ID == "" {
		o.ID = uuid.Must(uuid.NewV7()).String()
	}
	return o
}

// refreshActive records this node's active and previous yt-dlp when they
// changed (a CLI update, a system upgrade), and returns the active one.
func (s *Service) refreshActive(ctx context.Context) Active {
	a := s.inst.Active(ctx)
	s.mu.Lock()
	same := s.recorded == a
	s.mu.Unlock()
	if same {
		return a
	}
	if err := s.recordActive(ctx); err != nil {
		s.log.Debug("cannot record this node's yt-dlp", "err", err) // tried again at the next look
	}
	return a
}

// recordActive writes this node's active and previous yt-dlp.
func (s *Service) recordActive(ctx context.Context) error {
	a := s.inst.Active(ctx)
	r := nodeRow{ActiveVersion: a.Version, ActiveSource: string(a.Source), ActivePath: a.Path, ActiveError: a.Error}
	if p, ok := s.inst.Previous(ctx); ok {
		r.PreviousVersion, r.PreviousSource = p.Version, string(p.Source)
	}
	if err := s.save(ctx, r, "active_version", "active_source", "active_path", "active_error", "previous_version", "previous_source"); err != nil {
		return err
	}
	s.mu.Lock()
	s.recorded = a
	s.mu.Unlock()
	return nil
}

// save upserts this node's row, writing only cols (and updated_at), and
// announces the new state.
func (s *Service) save(ctx context.Context, r nodeRow, cols ...string) error {
	r.Node = s.node
	r.UpdatedAt = s.now().UTC()
	cols = append(cols, "updated_at")
	err := s.db.WithContext(context.WithoutCancel(ctx)).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "node"}},
		DoUpdates: clause.AssignmentColumns(cols),
	}).Create(&r).Error
	if err != nil {
		return err
	}
	s.announce(ctx)
	return nil
}

// announce sends this node's state to admins' live streams.
func (s *Service) announce(ctx context.Context) {
	if s.bus == nil {
		return
	}
	var r nodeRow
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Where("node = ?", s.node).Take(&r).Error; err != nil {
		return
	}
	data, err := json.Marshal(r.view(true, s.now()))
	if err != nil {
		return
	}
	_ = s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: TypeUpdated, Data: data})
}

// Node returns this node's state.
func (s *Service) Node(ctx context.Context) (NodeState, error) {
	var r nodeRow
	if err := s.db.WithContext(ctx).Where("node = ?", s.node).Take(&r).Error; err != nil {
		return NodeState{}, err
	}
	return r.view(true, s.now()), nil
}

// markQueued records on node's row that op waits in its queue.
func (s *Service) markQueued(ctx context.Context, node string, op Op, action Action, target string) error {
	now := s.now().UTC()
	r := nodeRow{Node: node, OpID: op.ID, OpAction: string(action), OpStatus: string(OpQueued), OpTarget: target,
		OpRequestedBy: op.Actor.Name, UpdatedAt: now}
	cols := []string{"op_id", "op_action", "op_status", "op_phase", "op_target", "op_code", "op_message",
		"op_bytes_done", "op_bytes_total", "op_requested_by", "op_started_at", "op_finished_at", "updated_at"}
	// The node may have started the job already (it was queued first):
	// then its own record of op stands.
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "node"}},
		DoUpdates: clause.AssignmentColumns(cols),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "ytdlp_nodes.op_id <> excluded.op_id"}}},
	}).Create(&r).Error
}

// knownRow returns node's row (zero when it has none).
func (s *Service) knownRow(ctx context.Context, node string) (nodeRow, error) {
	var r nodeRow
	err := s.db.WithContext(ctx).Where("node = ?", node).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nodeRow{Node: node}, nil
	}
	return r, err
}

func (s *Service) aliveNames(ctx context.Context) ([]string, error) {
	nodes, err := s.nodes(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range nodes {
		if n.Alive {
			names = append(names, n.Name)
		}
	}
	if !slices.Contains(names, s.node) {
		names = append(names, s.node)
	}
	slices.Sort(names)
	return names, nil
}
