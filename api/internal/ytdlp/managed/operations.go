package managed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/downlink/downlink/api/internal/problem"
)

// progressWriteInterval bounds progress writes per operation.
const progressWriteInterval = time.Second

// Check asks for the newest release of the configured channel and records
// it as this node's latest, and the check as its last operation.
func (s *Service) Check(ctx context.Context, op Op) (NodeState, error) {
	return s.check(ctx, op.withID(), false, true)
}

// check is Check; with auto (the daily check in auto mode) a newer release
// is installed right away. Unrecorded (the daily check), it updates only
// the latest release found, so the last update's outcome stays in view.
func (s *Service) check(ctx context.Context, op Op, auto, record bool) (NodeState, error) {
	pol := s.Policy(ctx)
	if record {
		s.begin(ctx, op, ActionCheck, "")
	}
	a := s.refreshActive(ctx)
	rel, err := s.inst.Latest(ctx, pol.Channel)
	now := s.now().UTC()
	r := nodeRow{Channel: string(pol.Channel), CheckedAt: &now}
	cols := []string{"channel", "checked_at", "check_error"}
	if err != nil {
		r.CheckError = reason(err)
		s.log.Warn("yt-dlp release check failed", "channel", pol.Channel, "err", err)
	} else {
		r.LatestVersion = rel.Version
		cols = append(cols, "latest_version")
	}
	if serr := s.save(ctx, r, cols...); serr != nil {
		return NodeState{}, serr
	}
	available := err == nil && newer(rel.Version, a.Version)
	if available {
		s.mu.Lock()
		first := s.notified != rel.Version
		s.notified = rel.Version
		s.mu.Unlock()
		if first {
			s.log.Info("a newer yt-dlp is available", "version", rel.Version, "channel", pol.Channel, "active", a.Version)
		}
	}
	switch {
	case auto && available:
		return s.Update(ctx, op, rel.Version)
	case !record && err != nil:
		return NodeState{}, err
	case !record:
		return s.Node(ctx)
	case err != nil:
		return s.end(ctx, op, ActionCheck, "", err, "")
	}
	return s.end(ctx, op, ActionCheck, "", nil,
		fmt.Sprintf("yt-dlp %s is the newest %s release; this node runs %s", rel.Version, pol.Channel, orUnknown(a.Version)))
}

// Update installs version (the newest of the channel when "") on this node
// and makes it active.
func (s *Service) Update(ctx context.Context, op Op, version string) (NodeState, error) {
	op = op.withID()
	pol := s.Policy(ctx)
	s.begin(ctx, op, ActionUpdate, version)
	out, err := s.inst.Update(ctx, pol.Channel, version, s.progress(ctx, op))
	if err != nil {
		return s.end(ctx, op, ActionUpdate, version, err, "")
	}
	return s.done(ctx, op, ActionUpdate, out)
}

// Rollback makes this node's previous yt-dlp active again.
func (s *Service) Rollback(ctx context.Context, op Op, expect Expect) (NodeState, error) {
	op = op.withID()
	target := ""
	if expect.Set {
		target = expect.To
	}
	s.begin(ctx, op, ActionRollback, target)
	out, err := s.inst.Rollback(ctx, expect, s.progress(ctx, op))
	if err != nil {
		return s.end(ctx, op, ActionRollback, target, err, "")
	}
	return s.done(ctx, op, ActionRollback, out)
}

// Install installs files an admin brought on this node.
func (s *Service) Install(ctx context.Context, op Op, f Files) (NodeState, error) {
	op = op.withID()
	s.begin(ctx, op, ActionInstall, "")
	out, err := s.inst.Install(ctx, f, s.progress(ctx, op))
	if err != nil {
		return s.end(ctx, op, ActionInstall, "", err, "")
	}
	return s.done(ctx, op, ActionInstall, out)
}

// begin records that op started on this node.
func (s *Service) begin(ctx context.Context, op Op, a Action, target string) {
	now := s.now().UTC()
	r := nodeRow{OpID: op.ID, OpAction: string(a), OpStatus: string(OpRunning), OpTarget: target,
		OpRequestedBy: op.Actor.Name, OpStartedAt: &now}
	if err := s.save(ctx, r, "op_id", "op_action", "op_status", "op_phase", "op_target", "op_code", "op_message",
		"op_bytes_done", "op_bytes_total", "op_requested_by", "op_started_at", "op_finished_at"); err != nil {
		s.log.Warn("cannot record a yt-dlp operation", "action", a, "err", err)
	}
}

// progress returns the Installer's progress callback: phases are written
// at once, byte counts at most once per progressWriteInterval; op.Watch
// hears everything.
func (s *Service) progress(ctx context.Context, op Op) func(Progress) {
	var mu sync.Mutex
	var last time.Time
	var phase Phase
	return func(p Progress) {
		if op.Watch != nil {
			op.Watch(p)
		}
		mu.Lock()
		write := p.Phase != phase || time.Since(last) >= progressWriteInterval
		if write {
			phase, last = p.Phase, time.Now()
		}
		mu.Unlock()
		if !write {
			return
		}
		r := nodeRow{OpPhase: string(p.Phase), OpBytesDone: p.Done, OpBytesTotal: p.Total}
		if err := s.save(ctx, r, "op_phase", "op_bytes_done", "op_bytes_total"); err != nil {
			s.log.Debug("cannot record yt-dlp progress", "err", err)
		}
	}
}

// done records a successful update, rollback or install, audits it and
// logs it.
func (s *Service) done(ctx context.Context, op Op, a Action, out Outcome) (NodeState, error) {
	if err := s.recordActive(ctx); err != nil {
		s.log.Warn("cannot record this node's yt-dlp", "err", err)
	}
	from, to := describe(out.From), describe(out.To)
	var msg string
	switch {
	case !out.Changed:
		msg = fmt.Sprintf("%s was already active; nothing changed", to)
	case a == ActionRollback:
		msg = fmt.Sprintf("rolled back from %s to %s", from, to)
	default:
		msg = fmt.Sprintf("updated from %s to %s", from, to)
	}
	if out.Changed {
		action := map[Action]string{ActionUpdate: "ytdlp.updated", ActionRollback: "ytdlp.rolled_back", ActionInstall: "ytdlp.installed"}[a]
		s.auditf(ctx, op, "yt-dlp "+msg, action, "from", out.From.Version, "from_source", out.From.Source,
			"to", out.To.Version, "to_source", out.To.Source, "removed", out.Removed)
	}
	return s.end(ctx, op, a, out.To.Version, nil, msg)
}

// end records how op ended; a failure is audited as a refusal and
// returned.
func (s *Service) end(ctx context.Context, op Op, a Action, target string, err error, msg string) (NodeState, error) {
	now := s.now().UTC()
	r := nodeRow{OpStatus: string(OpSucceeded), OpMessage: msg, OpFinishedAt: &now, OpTarget: target}
	if err != nil {
		r.OpStatus, r.OpCode, r.OpMessage = string(OpFailed), string(codeOf(err)), reason(err)
		if a == ActionCheck {
			s.log.Warn("yt-dlp check failed", "operation_id", op.ID, "err", err)
		} else {
			s.auditf(ctx, op, "yt-dlp "+string(a)+" refused: "+r.OpMessage, "ytdlp.refused",
				"operation", a, "code", r.OpCode, "reason", r.OpMessage, "target_version", target, "err", err.Error())
		}
	}
	if serr := s.save(ctx, r, "op_status", "op_code", "op_message", "op_finished_at", "op_target"); serr != nil {
		s.log.Warn("cannot record the end of a yt-dlp operation", "err", serr)
	}
	st, nerr := s.Node(ctx)
	if err != nil {
		return st, err
	}
	return st, nerr
}

// auditf writes one audit record (and so one log line) about this node.
func (s *Service) auditf(ctx context.Context, op Op, msg, action string, attrs ...any) {
	base := []any{"action", action, "target", "ytdlp:" + s.node, "operation_id", op.ID, "actor", op.Actor.Name}
	if op.Actor.ID != "" {
		base = append(base, "actor_id", op.Actor.ID)
	}
	s.audit.InfoContext(ctx, msg, append(base, attrs...)...)
}

// codeOf is the code recorded for a failed operation.
func codeOf(err error) Code {
	var r *Refusal
	switch {
	case errors.As(err, &r):
		return r.Code
	case errors.Is(err, ErrBusy):
		return "busy"
	case errors.Is(err, ErrNothingToRollBack):
		return "nothing_to_roll_back"
	case errors.Is(err, ErrStateChanged):
		return "state_changed"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "interrupted"
	}
	return "error"
}

// reason says why an operation failed, for the admin.
func reason(err error) string {
	var r *Refusal
	var p *problem.Problem
	switch {
	case errors.As(err, &r):
		return r.Message
	case errors.As(err, &p) && p.Detail != "":
		return p.Detail
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "interrupted (the node is stopping); nothing changed"
	}
	return "failed: " + err.Error()
}

func describe(a Active) string {
	switch {
	case a.Source == SourceManaged:
		return "yt-dlp " + a.Version
	case a.Version != "":
		return fmt.Sprintf("the %s yt-dlp %s", a.Source, a.Version)
	}
	return fmt.Sprintf("the %s yt-dlp", a.Source)
}

func orUnknown(v string) string {
	if v == "" {
		return "an unknown version"
	}
	return v
}
