package system

import (
	"context"
	"fmt"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/downlink/downlink/api/internal/buildinfo"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Readiness is the answer of /readyz.
type Readiness struct {
	Ready   bool            `json:"ready"`
	Status  string          `json:"status"` // "ready" or "not_ready"
	Checks  ReadinessChecks `json:"checks"`
	Reasons []string        `json:"reasons"`
	// Warnings do not make the node unready (e.g. an outdated yt-dlp).
	Warnings []string `json:"warnings"`
}

// ReadinessChecks are the individual checks.
type ReadinessChecks struct {
	Database DatabaseCheck `json:"database"`
	Ytdlp    Ytdlp         `json:"ytdlp"`
	Ffmpeg   Tool          `json:"ffmpeg"`
	Disk     Disk          `json:"disk"`
	// YouTubeSolver is yt-dlp's JavaScript challenge solver; not ready is
	// a warning (YouTube still answers, with fewer formats).
	YouTubeSolver *ytdlp.SolverState `json:"youtube_solver,omitempty"`
}

// DatabaseCheck says whether the database answered.
type DatabaseCheck struct {
	OK        bool    `json:"ok"`
	Driver    string  `json:"driver"`
	LatencyMs float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// Ready runs every check. A node is ready when the database answers, yt-dlp
// and ffmpeg run, yt-dlp is recent enough to report progress, and free disk
// is above the threshold.
func (s *Service) Ready(ctx context.Context) Readiness {
	r := Readiness{Reasons: []string{}, Warnings: []string{}}
	// The database is asked beside the other checks, so that one which
	// also waits on it (the minimum free disk is a setting) does not add
	// its wait to the database's own deadline.
	db := make(chan DatabaseCheck, 1)
	go func() { db <- s.checkDatabase(ctx) }()
	disk, diskErr := s.DiskInfo(ctx)
	r.Checks.Database = <-db
	if !r.Checks.Database.OK {
		r.Reasons = append(r.Reasons, "database unreachable: "+r.Checks.Database.Error)
	}
	r.Checks.Ytdlp = s.YtdlpInfo(ctx)
	switch y := r.Checks.Ytdlp; {
	case !y.Found:
		r.Reasons = append(r.Reasons, "yt-dlp "+y.Error+" (DOWNLINK_YTDLP_PATH="+y.Path+")")
	case y.TooOld:
		r.Reasons = append(r.Reasons, fmt.Sprintf("yt-dlp %s is older than %s: update it", y.Version, ytdlp.MinVersion))
	case y.Outdated:
		r.Warnings = append(r.Warnings, fmt.Sprintf("yt-dlp %s predates %s, which fixed known security holes: update it", y.Version, ytdlp.SafeVersion))
	}
	if r.Checks.Database.OK {
		// The yt-dlp warnings read the database: with its own short
		// deadline, so a database that hangs right now cannot hold
		// readiness up (it was reported above when it does not answer).
		wctx, cancel := context.WithTimeout(ctx, readinessDBTimeout)
		r.Warnings = append(r.Warnings, s.ytdlp.Warnings(wctx)...)
		cancel()
	}
	if s.solver != nil && r.Checks.Ytdlp.Found {
		st := s.solver.SolverNow()
		r.Checks.YouTubeSolver = &st
		if st.Status != ytdlp.SolverReady && st.Status != ytdlp.SolverUnknown {
			r.Warnings = append(r.Warnings, "YouTube challenge solver "+string(st.Status)+": "+st.Message)
		}
	}
	r.Checks.Ffmpeg = s.FfmpegInfo(ctx)
	if !r.Checks.Ffmpeg.Found {
		r.Reasons = append(r.Reasons, "ffmpeg "+r.Checks.Ffmpeg.Error+" (DOWNLINK_FFMPEG_PATH="+r.Checks.Ffmpeg.Path+")")
	}
	r.Checks.Disk = disk
	switch {
	case diskErr != nil:
		r.Reasons = append(r.Reasons, "cannot measure free disk: "+diskErr.Error())
	case disk.BelowMinimum:
		r.Reasons = append(r.Reasons, fmt.Sprintf("free disk %s is below the minimum %s", humanize.IBytes(uint64(disk.FreeBytes)), humanize.IBytes(uint64(disk.MinFreeBytes))))
	}
	r.Ready = len(r.Reasons) == 0
	r.Status = "ready"
	if !r.Ready {
		r.Status = "not_ready"
	}
	return r
}

// readinessDBTimeout is readiness's own deadline for the database, shorter
// than a request's statements get: a load balancer asks often and wants
// a quick answer.
const readinessDBTimeout = 2 * time.Second

func (s *Service) checkDatabase(ctx context.Context) DatabaseCheck {
	ctx, cancel := context.WithTimeout(ctx, readinessDBTimeout)
	defer cancel()
	start := time.Now()
	err := s.st.Ping(ctx)
	c := DatabaseCheck{Driver: string(s.st.Kind), LatencyMs: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		c.Error = "no answer within 2s"
		if ctx.Err() == nil {
			c.Error = "connection failed"
		}
		s.log.Warn("database ping failed", "err", err)
		return c
	}
	c.OK = true
	return c
}

// Info is the answer of GET /api/v1/system.
type Info struct {
	Version   string   `json:"version"`
	Commit    string   `json:"commit"`
	GoVersion string   `json:"go_version"`
	Node      NodeSelf `json:"node"`
	Ytdlp     Ytdlp    `json:"ytdlp"`
	// YouTubeSolver: see ReadinessChecks.
	YouTubeSolver *ytdlp.SolverState          `json:"youtube_solver,omitempty"`
	Ffmpeg        Tool                        `json:"ffmpeg"`
	Disk          Disk                        `json:"disk"`
	Queue         QueueSummary                `json:"queue"`
	Nodes         []Node                      `json:"nodes"`
	Database      DatabaseCheck               `json:"database"`
	Ready         bool                        `json:"ready"`
	Problems      []string                    `json:"problems"`
	Warnings      []string                    `json:"warnings"`
	Uptime        int64                       `json:"uptime_seconds"`
	ByQueue       map[string]queue.QueueDepth `json:"-"`
}

// NodeSelf names the node that answered.
type NodeSelf struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// QueueSummary totals the job queue.
type QueueSummary struct {
	Queued  int64                       `json:"queued"`
	Running int64                       `json:"running"`
	ByQueue map[string]queue.QueueDepth `json:"by_queue"`
}

// Info gathers the system view.
func (s *Service) Info(ctx context.Context) (Info, error) {
	b := buildinfo.Get()
	ready := s.Ready(ctx)
	info := Info{
		Version: b.Version, Commit: b.Commit, GoVersion: b.GoVersion,
		Node:  NodeSelf{Name: s.cfg.NodeName, Role: s.role},
		Ytdlp: ready.Checks.Ytdlp, YouTubeSolver: ready.Checks.YouTubeSolver, Ffmpeg: ready.Checks.Ffmpeg, Disk: ready.Checks.Disk,
		Database: ready.Checks.Database, Ready: ready.Ready, Problems: ready.Reasons, Warnings: ready.Warnings,
		Uptime: int64(time.Since(s.started).Seconds()),
		Queue:  QueueSummary{ByQueue: map[string]queue.QueueDepth{}},
		Nodes:  []Node{},
	}
	if !ready.Checks.Database.OK {
		return info, nil
	}
	depth, err := s.queue.Depth(ctx)
	if err != nil {
		return info, err
	}
	for name, d := range depth {
		if name == queue.Maintenance {
			continue
		}
		info.Queue.ByQueue[name] = d
		info.Queue.Queued += d.Queued
		info.Queue.Running += d.Running
	}
	if info.Nodes, err = s.Nodes(ctx); err != nil {
		return info, err
	}
	return info, nil
}

// QueueDepth returns jobs waiting and running per queue.
func (s *Service) QueueDepth(ctx context.Context) (map[string]queue.QueueDepth, error) {
	return s.queue.Depth(ctx)
}

// ForUser is the view for a caller who is not an admin (or a key without
// admin:read): health and capacity — readiness, problems, disk, queue —
// without what helps an attacker more than a user: versions, commit,
// executable paths, tool errors, the database error and the other nodes.
func (i Info) ForUser() Info {
	i.Version, i.Commit, i.GoVersion = "", "", ""
	i.Ytdlp.Path, i.Ytdlp.Version, i.Ytdlp.Error, i.Ytdlp.MinVersion, i.Ytdlp.SafeVersion = "", "", "", "", ""
	i.Ffmpeg.Path, i.Ffmpeg.Version, i.Ffmpeg.Error = "", "", ""
	i.Database.Error = ""
	i.Nodes = []Node{}
	if sv := i.YouTubeSolver; sv != nil {
		// The state, not the runtime's path, its version or yt-dlp's.
		i.YouTubeSolver = &ytdlp.SolverState{Status: sv.Status, Providers: []string{}, CheckedAt: sv.CheckedAt,
			Message: userSolverMessage[sv.Status]}
	}
	// Problems and warnings name paths and versions: a user learns that
	// something is wrong, an admin what.
	if len(i.Problems) > 0 {
		i.Problems = []string{UserProblem}
	}
	i.Warnings = []string{}
	return i
}

// userSolverMessage is what a non-admin reads about the YouTube challenge
// solver in each state (an admin's message names runtimes and versions).
var userSolverMessage = map[ytdlp.SolverStatus]string{
	ytdlp.SolverReady:       "YouTube's JavaScript challenges are solved.",
	ytdlp.SolverUnknown:     "The YouTube challenge solver has not been checked yet.",
	ytdlp.SolverMissing:     solverNotReady,
	ytdlp.SolverUnsupported: solverNotReady,
	ytdlp.SolverDisabled:    solverNotReady,
}

const solverNotReady = "YouTube downloads may lose formats or fail; an administrator can see why on the System page."

// UserProblem is the one problem a non-admin sees while the node is not
// ready.
const UserProblem = "Downloads may not work right now; an administrator can see why on the System page."
