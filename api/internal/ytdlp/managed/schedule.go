package managed

import (
	"context"
	"time"
)

// Run records what this node runs, cleans up after interrupted installs,
// then looks for releases by itself until ctx ends: every Schedule.Every
// it checks when the mode is not off and its last check is older than
// Schedule.CheckAfter, and in auto mode installs what is newer. Nodes check
// on their own: each may need a different build, and each installs its own.
func (s *Service) Run(ctx context.Context) {
	s.inst.CleanUp(ctx)
	if err := s.recordActive(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("cannot record this node's yt-dlp", "err", err)
	}
	timer := time.NewTimer(s.sched.First)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		s.CheckIfDue(ctx)
		timer.Reset(s.sched.Every)
	}
}

// CheckIfDue is one look of the schedule: unless the mode is off, check
// when this node's last check is older than Schedule.CheckAfter (or was
// for another channel), and in auto mode install what is newer.
func (s *Service) CheckIfDue(ctx context.Context) {
	pol := s.Policy(ctx)
	if pol.Mode == ModeOff {
		return
	}
	r, err := s.knownRow(ctx, s.node)
	if err != nil {
		s.log.Warn("cannot read this node's yt-dlp state", "err", err)
		return
	}
	if r.CheckedAt != nil && s.now().Sub(*r.CheckedAt) < s.sched.CheckAfter && r.Channel == string(pol.Channel) {
		return
	}
	if _, err := s.check(ctx, Op{Actor: ActorSchedule}.withID(), pol.Mode == ModeAuto, false); err != nil && ctx.Err() == nil {
		s.log.Info("scheduled yt-dlp check did not finish", "err", err)
	}
}
