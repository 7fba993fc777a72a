package managed

import (
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// MaxAge is how old the active yt-dlp may be before readiness warns:
// yt-dlp ships YouTube fixes every few weeks.
const MaxAge = 60 * 24 * time.Hour

// nodeRow is the ytdlp_nodes table: what one node runs, found and did.
// Each node writes only its own row.
type nodeRow struct {
	Node            string `gorm:"primaryKey"`
	ActiveVersion   string
	ActiveSource    string
	ActivePath      string
	ActiveError     string
	PreviousVersion string
	PreviousSource  string
	Channel         string
	LatestVersion   string
	CheckedAt       *time.Time
	CheckError      string
	OpID            string
	OpAction        string
	OpStatus        string
	OpPhase         string
	OpTarget        string
	OpCode          string
	OpMessage       string
	OpBytesDone     int64
	OpBytesTotal    int64
	OpRequestedBy   string
	OpStartedAt     *time.Time
	OpFinishedAt    *time.Time
	UpdatedAt       time.Time
}

func (nodeRow) TableName() string { return "ytdlp_nodes" }

// Action is what an operation does.
type Action string

// Actions.
const (
	ActionCheck    Action = "check"
	ActionUpdate   Action = "update"
	ActionRollback Action = "rollback"
	ActionInstall  Action = "install"
)

// OpStatus is where an operation is.
type OpStatus string

// Operation statuses.
const (
	OpQueued    OpStatus = "queued"
	OpRunning   OpStatus = "running"
	OpSucceeded OpStatus = "succeeded"
	OpFailed    OpStatus = "failed"
)

// Status is the managed yt-dlp of the whole cluster, as the System page
// shows it.
type Status struct {
	Settings Policy      `json:"settings"`
	Nodes    []NodeState `json:"nodes"`
	// VersionsDiffer is true when the alive nodes run different versions.
	VersionsDiffer bool `json:"versions_differ"`
}

// NodeState is one node's yt-dlp.
type NodeState struct {
	Node  string `json:"node"`
	Alive bool   `json:"alive"`
	// Active is the yt-dlp new jobs start from.
	Active Tool `json:"active"`
	// Previous is where a rollback goes; null when there is nowhere.
	Previous *Tool `json:"previous"`
	// Latest is what the last check found; null before the first check.
	Latest          *Latest    `json:"latest"`
	UpdateAvailable bool       `json:"update_available"`
	Operation       *Operation `json:"operation"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// Tool is a yt-dlp on a node.
type Tool struct {
	Version *string `json:"version"`
	Source  Source  `json:"source"`
	Path    string  `json:"path"`
	// ReleasedOn is the date in the version (yt-dlp versions are release
	// dates); AgeDays counts the days since.
	ReleasedOn *string `json:"released_on"`
	AgeDays    *int    `json:"age_days"`
	// Error says why it does not run; null when it does.
	Error *string `json:"error"`
}

// Latest is the result of a node's last check.
type Latest struct {
	// Version is the newest release found; null when no check succeeded
	// yet.
	Version   *string   `json:"version"`
	Channel   Channel   `json:"channel"`
	CheckedAt time.Time `json:"checked_at"`
	OK        bool      `json:"ok"`
	Error     *string   `json:"error"`
}

// Operation is a node's last update, rollback, install or check.
type Operation struct {
	ID            string     `json:"id"`
	Action        Action     `json:"action"`
	Status        OpStatus   `json:"status"`
	Phase         *Phase     `json:"phase"`
	TargetVersion *string    `json:"target_version"`
	Code          *Code      `json:"code"`
	Message       string     `json:"message"`
	BytesDone     int64      `json:"bytes_done"`
	BytesTotal    *int64     `json:"bytes_total"`
	RequestedBy   *string    `json:"requested_by"`
	StartedAt     *time.Time `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
}

// releasedOn is the date a yt-dlp version names.
func releasedOn(v string) (time.Time, bool) {
	if !ValidVersion(v) {
		return time.Time{}, false
	}
	t, err := time.Parse("2006.1.2", joinDate(v))
	return t, err == nil
}

// joinDate keeps the first three parts of a version.
func joinDate(v string) string {
	n, dots := 0, 0
	for ; n < len(v); n++ {
		if v[n] == '.' {
			if dots++; dots == 3 {
				break
			}
		}
	}
	return v[:n]
}

func tool(version string, src Source, path, errText string, now time.Time) Tool {
	t := Tool{Source: src, Path: path, Version: nonEmpty(version), Error: nonEmpty(errText)}
	if d, ok := releasedOn(version); ok {
		s := d.Format(time.DateOnly)
		age := int(now.Sub(d).Hours() / 24)
		t.ReleasedOn, t.AgeDays = &s, &age
	}
	return t
}

// view is a row as the API shows it.
func (r nodeRow) view(alive bool, now time.Time) NodeState {
	n := NodeState{Node: r.Node, Alive: alive, UpdatedAt: r.UpdatedAt.UTC(),
		Active: tool(r.ActiveVersion, Source(r.ActiveSource), r.ActivePath, r.ActiveError, now)}
	if r.PreviousSource != "" {
		p := tool(r.PreviousVersion, Source(r.PreviousSource), "", "", now)
		n.Previous = &p
	}
	if r.CheckedAt != nil {
		n.Latest = &Latest{Version: nonEmpty(r.LatestVersion), Channel: Channel(r.Channel), CheckedAt: r.CheckedAt.UTC(),
			OK: r.CheckError == "", Error: nonEmpty(r.CheckError)}
		n.UpdateAvailable = newer(r.LatestVersion, r.ActiveVersion)
	}
	if r.OpID != "" {
		op := &Operation{ID: r.OpID, Action: Action(r.OpAction), Status: OpStatus(r.OpStatus),
			TargetVersion: nonEmpty(r.OpTarget), Message: r.OpMessage, BytesDone: r.OpBytesDone,
			RequestedBy: nonEmpty(r.OpRequestedBy), StartedAt: utc(r.OpStartedAt), FinishedAt: utc(r.OpFinishedAt)}
		if r.OpPhase != "" {
			p := Phase(r.OpPhase)
			op.Phase = &p
		}
		if r.OpCode != "" {
			c := Code(r.OpCode)
			op.Code = &c
		}
		if r.OpBytesTotal > 0 {
			op.BytesTotal = &r.OpBytesTotal
		}
		n.Operation = op
	}
	return n
}

// newer reports whether latest is a newer version than active (any
// version is newer than an unknown one).
func newer(latest, active string) bool {
	if latest == "" {
		return false
	}
	return active == "" || ytdlp.CompareVersions(latest, active) > 0
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
