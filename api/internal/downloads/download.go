package downloads

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// jobDir is a download's temporary folder on this node.
func (s *Service) jobDir(id uuid.UUID) string { return filepath.Join(s.cfg.TempRoot, id.String()) }

// relayoutDir is where a move between layouts stages a completed
// download's files on this node. Not its job folder: the download's own
// worker removes that as it finishes, and the temp sweep removes those of
// finished downloads, either of which can happen while a move runs (the
// sweep passes over it: its name is not a download's id).
func (s *Service) relayoutDir(id uuid.UUID) string {
	return filepath.Join(s.cfg.TempRoot, ".relayout", id.String())
}

func (s *Service) removeJobDir(id uuid.UUID) {
	if err := os.RemoveAll(s.jobDir(id)); err != nil {
		s.log.Warn("cannot remove job folder", "download_id", id, "err", err)
	}
}

// download runs yt-dlp for one item and registers its files.
func (s *Service) download(ctx context.Context, r *row, jobID int64, it Item, src Source) error {
	dir := s.jobDir(r.ID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	settings, cleanup, err := s.settingsFor(ctx, r, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	job := ytdlp.Job{ID: r.ID.String(), URL: src.URL, Dir: dir, Options: it.Options, Settings: settings,
		AllEntries: src.AllEntries}
	tr := newTracker(ctx, s, r, jobID, src)
	stopWriter := tr.start(ctx)
	watchPlaylist := r.ParentID == nil && !src.AllEntries
	runCtx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	pol := s.policy.Platform(ctx, r.Platform)
	if pol.MaxDuration > 0 {
		var cancelTimeout context.CancelFunc
		runCtx, cancelTimeout = context.WithTimeoutCause(runCtx, pol.MaxDuration, errTooLong)
		defer cancelTimeout()
	}
	stopGuard := s.guard(runCtx, cancelRun, r, dir, pol, tr.setTempBytes)
	s.metrics.DownloadsStarted.WithLabelValues(r.Platform).Inc()
	started := time.Now()
	var paths []string
	var warnings []Warning
	if mf, ok := s.handler(r.Platform).(MediaFetcher); ok && src.Fetch {
		var fr FetchResult
		fr, err = mf.FetchMedia(runCtx, it, src, FetchRun{Dir: dir, DoneDir: job.DoneDir(), Settings: settings,
			Runner: s.runner, Events: tr.event})
		paths, warnings = collectFiles(job.DoneDir(), fr.Files), fr.Warnings
	} else {
		var res *ytdlp.Result
		res, err = s.runner.Run(runCtx, job, func(ev ytdlp.Event) {
			if info, ok := ev.(ytdlp.Info); ok && watchPlaylist && info.PlaylistIndex > 0 {
				cancelRun(errIsPlaylist)
				return
			}
			tr.event(ev)
		})
		if err == nil {
			paths = collectFiles(job.DoneDir(), res.Files)
		}
		if res != nil {
			warnings = append(warnings, s.degraded(r, res.Degradations)...)
		}
	}
	stopGuard()
	stopWriter()
	if f := limitFailure(context.Cause(runCtx), pol); f != nil && ctx.Err() == nil {
		s.countExit(err)
		return f
	}
	if watchPlaylist && errors.Is(context.Cause(runCtx), errIsPlaylist) {
		s.removeJobDir(r.ID)
		return errIsPlaylistRun
	}
	if err != nil {
		s.countExit(err)
		return err
	}
	s.metrics.YtdlpExits.WithLabelValues("ok").Inc()
	if len(paths) == 0 {
		return &ytdlp.ExitError{Reason: ytdlp.ReasonUnknown, SafeMessage: "yt-dlp finished but produced no file."}
	}
	if err := s.handler(r.Platform).Finish(ctx, it, src, paths); err != nil {
		return err
	}
	title := tr.title()
	meta := layoutMeta(r, it, tr.infoSnapshot(), title)
	if err := s.complete(ctx, r, jobID, title, paths, tr.thumbnail(), warnings, meta); err != nil {
		return err
	}
	s.metrics.DownloadDuration.WithLabelValues(r.Platform).Observe(time.Since(started).Seconds())
	s.removeJobDir(r.ID)
	return nil
}

// degraded turns yt-dlp's warnings of a worse result into the download's
// warnings, and counts them.
func (s *Service) degraded(r *row, ds []ytdlp.Degradation) []Warning {
	var out []Warning
	for _, d := range ds {
		s.metrics.YtdlpDegraded.WithLabelValues(r.Platform, d.Code).Inc()
		out = append(out, Warning{Code: d.Code, Message: d.Message})
	}
	return out
}

// errIsPlaylistRun tells runRow that the run stopped to expand.
var errIsPlaylistRun = errors.New("expand instead")

func (s *Service) countExit(err error) {
	var ee *ytdlp.ExitError
	reason := "error"
	if errors.As(err, &ee) {
		reason = string(ee.Reason)
	} else if errors.Is(err, ytdlp.ErrNotInstalled) {
		reason = "not_installed"
	}
	s.metrics.YtdlpExits.WithLabelValues(reason).Inc()
}

// collectFiles lists the finished files: those yt-dlp reported (the
// runner checked they are files in the done folder), then any others in
// it (subtitles written beside the video).
func collectFiles(done string, reported []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range reported {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	entries, _ := os.ReadDir(done)
	for _, e := range entries {
		p := filepath.Join(done, e.Name())
		if e.Type().IsRegular() && !seen[p] && !strings.HasSuffix(e.Name(), ".part") {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// settingsFor builds yt-dlp's settings for a row: the egress proxy lease,
// the platform's limits and a private copy of its cookies.
func (s *Service) settingsFor(ctx context.Context, r *row, dir string) (ytdlp.Settings, func(), error) {
	pol := s.policy.Platform(ctx, r.Platform)
	st := ytdlp.Settings{RateLimit: pol.RateLimit, SleepRequests: pol.SleepRequests, RefuseLive: !pol.LiveAllowed}
	s.handler(r.Platform).Tune(&st, pol)
	cleanup := func() {}
	if s.egress != nil {
		lease, err := s.egress.LeaseVia(r.ID.String(), pol.Proxy)
		if err != nil {
			return st, cleanup, err
		}
		// The lease's own port, without credentials: yt-dlp's command line
		// (and ffmpeg's environment, where yt-dlp puts its proxy) can be
		// read by other local users.
		if st.ProxyURL, err = lease.ChildURL(); err != nil {
			lease.Close()
			return st, cleanup, err
		}
		cleanup = lease.Close
	}
	if len(pol.Cookies) > 0 {
		// A private copy per job: yt-dlp writes cookies back into the file.
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return st, cleanup, err
		}
		p := filepath.Join(dir, "cookies.txt")
		if err := os.WriteFile(p, pol.Cookies, 0o600); err != nil {
			return st, cleanup, err
		}
		st.CookiesFile = p
		prev := cleanup
		cleanup = func() { prev(); _ = os.Remove(p) }
	}
	return st, cleanup, nil
}
