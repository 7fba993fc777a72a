package downloads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Worker works download jobs.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	S *Service
}

// Timeout lets a download run as long as it needs; crash safety comes from
// heartbeats, not from a deadline.
func (w *Worker) Timeout(*river.Job[JobArgs]) time.Duration { return -1 }

// Causes of a run's context ending that are not the user's cancel.
var (
	errLostOwnership = errors.New("download taken over by another worker")
	errIsPlaylist    = errors.New("the URL is a playlist")
)

// Work runs one download job.
func (w *Worker) Work(ctx context.Context, job *river.Job[JobArgs]) error {
	return w.S.work(ctx, job.ID, job.Args.DownloadID)
}

func (s *Service) work(ctx context.Context, jobID int64, id uuid.UUID) error {
	var r row
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // deleted meanwhile
		}
		return err
	}
	if r.JobID == nil || *r.JobID != jobID {
		return nil // a stale job: the row was re-queued with a new one
	}
	st := Status(r.Status)
	if st.Final() || st == StatusNeedsMatch {
		return nil
	}
	pol := s.policy.Platform(ctx, r.Platform)
	release, ok := s.limiter.tryAcquire(r.Platform, pol.MaxConcurrent)
	if !ok {
		// Wait outside the worker pool so other platforms keep going.
		return river.JobSnooze(time.Duration(1500+rand.IntN(1500)) * time.Millisecond)
	}
	defer release()
	switch claimed, err := s.claim(ctx, &r, jobID); {
	case errors.Is(err, errClusterFull):
		return river.JobSnooze(time.Duration(1500+rand.IntN(1500)) * time.Millisecond)
	case err != nil:
		return err
	case !claimed:
		return nil
	}
	r.Status, r.Node = string(StatusFetchingInfo), &s.cfg.NodeName
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.runs.add(id, cancel)
	defer s.runs.remove(id)
	s.publishRow(ctx, id)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		s.heartbeat(runCtx, cancel, id, jobID)
	}()
	defer func() { cancel(nil); <-hbDone }()

	err := s.runRow(runCtx, &r, jobID)
	cause := context.Cause(runCtx)
	switch {
	case err == nil:
		return nil
	case errors.Is(cause, errCanceledByUser) || s.rowCanceled(id):
		s.finishCanceled(context.WithoutCancel(ctx), &r, jobID)
		return nil
	case errors.Is(cause, errLostOwnership):
		s.log.Warn("download taken over elsewhere; this run stops", "download_id", id)
		s.removeJobDir(id)
		return nil
	case ctx.Err() != nil:
		// The node is stopping: leave the row as it is; the next start
		// (or another node's heartbeat check) re-queues it, and yt-dlp
		// resumes from its .part files.
		return fmt.Errorf("download interrupted by shutdown: %w", ctx.Err())
	case s.databaseDown(ctx, err):
		// The database is down, not the download: River tries the job
		// again; the row stays claimed by it and yt-dlp resumes from the
		// job folder.
		s.log.Warn("database unreachable; the download will be tried again", "download_id", id, "err", err)
		return fmt.Errorf("database unreachable: %w", err)
	}
	s.fail(context.WithoutCancel(ctx), &r, jobID, err)
	return nil
}

// heartbeat proves the run is alive, and notices when the row was
// canceled or taken over by another worker.
func (s *Service) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, id uuid.UUID, jobID int64) {
	t := time.NewTicker(s.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res := s.db.WithContext(ctx).Model(&row{}).
			Where("id = ? AND job_id = ? AND status IN ?", id, jobID, runningStatuses).
			Update("heartbeat_at", time.Now().UTC())
		if res.Error != nil {
			s.log.Warn("heartbeat failed", "download_id", id, "err", res.Error)
			continue
		}
		if res.RowsAffected == 0 {
			if s.rowCanceled(id) {
				cancel(errCanceledByUser)
			} else {
				cancel(errLostOwnership)
			}
			return
		}
	}
}

func (s *Service) rowCanceled(id uuid.UUID) bool {
	var st string
	s.db.Model(&row{}).Select("status").Where("id = ?", id).Scan(&st)
	return Status(st) == StatusCanceled
}

// jobDir is a download's temporary folder on this node.
func (s *Service) jobDir(id uuid.UUID) string { return filepath.Join(s.cfg.TempRoot, id.String()) }

func (s *Service) removeJobDir(id uuid.UUID) {
	if err := os.RemoveAll(s.jobDir(id)); err != nil {
		s.log.Warn("cannot remove job folder", "download_id", id, "err", err)
	}
}

func (s *Service) item(r *row) Item {
	it := Item{ID: r.ID, UserID: r.UserID, URL: r.URL, Platform: r.Platform, Kind: r.Kind, ParentID: r.ParentID}
	_ = json.Unmarshal([]byte(r.Options), &it.Options)
	if r.Meta != nil {
		it.Meta = json.RawMessage(*r.Meta)
	}
	return it
}

// runRow does the work of a claimed row: expand a parent, or download an
// item.
func (s *Service) runRow(ctx context.Context, r *row, jobID int64) error {
	it := s.item(r)
	h := s.Platforms[r.Platform]
	if parentKinds[r.Kind] && r.ParentID == nil {
		return s.expand(ctx, r, jobID, h, it)
	}
	src := Source{URL: r.URL}
	if h != nil {
		var err error
		if src, err = h.Source(ctx, it); err != nil {
			var nm *NeedsMatch
			if errors.As(err, &nm) {
				return s.needsMatch(ctx, r, jobID, nm)
			}
			return err
		}
		if src.URL == "" {
			src.URL = r.URL
		}
		if err := s.applySource(ctx, r, jobID, src); err != nil {
			return err
		}
	}
	err := s.download(ctx, r, jobID, it, src)
	if errors.Is(err, errIsPlaylistRun) {
		// The URL turned out to be a playlist (a feed, a page of videos):
		// expand it into one child per entry instead.
		return s.expand(ctx, r, jobID, h, it)
	}
	return err
}

// applySource stores what the handler decided before downloading.
func (s *Service) applySource(ctx context.Context, r *row, jobID int64, src Source) error {
	updates := map[string]any{"updated_at": time.Now().UTC()}
	if src.URL != r.URL {
		updates["source_url"] = src.URL
	}
	if src.Title != "" {
		updates["title"] = src.Title
	}
	if src.Uploader != "" {
		updates["uploader"] = src.Uploader
	}
	if src.ThumbnailURL != "" {
		updates["thumbnail_url"] = src.ThumbnailURL
	}
	if src.Duration > 0 {
		updates["duration_seconds"] = src.Duration
	}
	if len(src.Meta) > 0 {
		updates["meta"] = string(src.Meta)
	}
	return s.db.WithContext(ctx).Model(&row{}).Where("id = ? AND job_id = ?", r.ID, jobID).Updates(updates).Error
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
	tr := newTracker(s, r, jobID, src)
	stopWriter := tr.start(ctx)
	watchPlaylist := r.ParentID == nil && !src.AllEntries
	cancelRun := context.CancelCauseFunc(nil)
	runCtx := ctx
	if watchPlaylist {
		runCtx, cancelRun = context.WithCancelCause(ctx)
		defer cancelRun(nil)
	}
	s.metrics.DownloadsStarted.WithLabelValues(r.Platform).Inc()
	started := time.Now()
	res, err := s.runner.Run(runCtx, job, func(ev ytdlp.Event) {
		if info, ok := ev.(ytdlp.Info); ok && watchPlaylist && info.PlaylistIndex > 0 {
			cancelRun(errIsPlaylist)
			return
		}
		tr.event(ev)
	})
	stopWriter()
	if watchPlaylist && errors.Is(context.Cause(runCtx), errIsPlaylist) {
		s.removeJobDir(r.ID)
		return errIsPlaylistRun
	}
	if err != nil {
		s.countExit(err)
		return err
	}
	s.metrics.YtdlpExits.WithLabelValues("ok").Inc()
	paths := collectFiles(job.DoneDir(), res.Files)
	if len(paths) == 0 {
		return &ytdlp.ExitError{Reason: ytdlp.ReasonUnknown, SafeMessage: "yt-dlp finished but produced no file."}
	}
	if h := s.Platforms[r.Platform]; h != nil {
		if err := h.Finish(ctx, it, src, paths); err != nil {
			return err
		}
	}
	title := tr.title()
	if err := s.complete(ctx, r, jobID, title, paths, tr.thumbnail()); err != nil {
		return err
	}
	s.metrics.DownloadDuration.WithLabelValues(r.Platform).Observe(time.Since(started).Seconds())
	s.removeJobDir(r.ID)
	return nil
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

// collectFiles lists the finished files: those yt-dlp reported, then any
// others in the done folder (subtitles written beside the video).
func collectFiles(done string, reported []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range reported {
		if files.Inside(done, p) && !seen[p] {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				seen[p] = true
				out = append(out, p)
			}
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
	st := ytdlp.Settings{RateLimit: pol.RateLimit, SleepRequests: pol.SleepRequests,
		AllowGeneric:      r.Platform == QueueGeneric || (r.Platform == QueueSpotify && s.policy.GenericEnabled(ctx)),
		AllowSponsorBlock: r.Platform == QueueYouTube}
	cleanup := func() {}
	if s.egress != nil {
		lease, err := s.egress.LeaseVia(r.ID.String(), pol.Proxy)
		if err != nil {
			return st, cleanup, err
		}
		st.ProxyURL = lease.URL()
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

// complete moves the files into the library and marks the row completed
// in one transaction, fenced by the job id: if the row was canceled or
// taken over meanwhile, nothing is registered and the files are removed.
func (s *Service) complete(ctx context.Context, r *row, jobID int64, title string, paths []string, thumb *string) error {
	tag := r.ID.String()[len(r.ID.String())-8:]
	stem := title
	if stem == "" {
		stem = "download"
	}
	var imported []files.Imported
	discard := func() {
		for _, im := range imported {
			s.files.Discard(im.RelPath)
		}
	}
	for _, p := range paths {
		ext := filepath.Ext(p)
		name := stem
		if len(paths) > 1 {
			// Keep what tells several files apart (language of subtitles,
			// carousel index) from yt-dlp's own name.
			base := strings.TrimSuffix(filepath.Base(p), ext)
			if i := strings.LastIndexByte(base, '.'); i > 0 {
				ext = base[i:] + ext
			}
		}
		im, err := s.files.ImportContext(ctx, p, r.UserID, r.Platform, name, tag, ext)
		if err != nil {
			discard()
			if errors.Is(err, files.ErrDiskFull) {
				return &ytdlp.ExitError{Reason: ytdlp.ReasonDiskFull, SafeMessage: "The disk is full: the download could not be saved."}
			}
			return err
		}
		imported = append(imported, im)
	}
	now := time.Now().UTC()
	var fileRows []files.Row
	var total int64
	// The files are in the library now: while the database cannot be
	// reached, wait for it rather than discard them.
	err := s.untilReachable(ctx, r.ID, func() error {
		fileRows, total = nil, 0
		return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res := tx.Model(&row{}).Where("id = ? AND job_id = ? AND status IN ?", r.ID, jobID, runningStatuses).Updates(map[string]any{
				"status": string(StatusCompleted), "finished_at": now, "updated_at": now, "percent": 100,
				"speed_bps": nil, "eta_seconds": nil, "post_processor": nil, "heartbeat_at": nil,
				"error_code": nil, "error_message": nil,
			})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return errLostOwnership
			}
			for _, im := range imported {
				mt, kind := files.TypeOf(im.Name)
				fr := files.Row{ID: newID(), DownloadID: &r.ID, UserID: r.UserID, Name: im.Name, RelPath: im.RelPath,
					SizeBytes: im.Size, MimeType: mt, Kind: kind, Platform: r.Platform, Thumbnail: thumb, CreatedAt: now}
				if err := tx.Create(&fr).Error; err != nil {
					return err
				}
				total += im.Size
				fileRows = append(fileRows, fr)
			}
			if err := tx.Model(&row{}).Where("id = ?", r.ID).Update("downloaded_bytes", total).Error; err != nil {
				return err
			}
			return s.notifyTx(ctx, tx, r.ID)
		})
	})
	if err != nil {
		discard()
		if errors.Is(err, errLostOwnership) {
			return errLostOwnership
		}
		return err
	}
	s.metrics.DownloadsFinished.WithLabelValues(r.Platform, string(StatusCompleted)).Inc()
	s.metrics.DownloadBytes.WithLabelValues(r.Platform).Add(float64(total))
	for _, fr := range fileRows {
		f := s.files.View(ctx, fr)
		data, _ := json.Marshal(f)
		_ = s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: events.TypeFileCreated, UserID: r.UserID.String(), Data: data})
	}
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
	s.log.Info("download completed", "download_id", r.ID, "platform", r.Platform, "files", len(fileRows), "bytes", total)
	return nil
}

// reasonCodes maps yt-dlp failure reasons to the API's error codes.
var reasonCodes = map[ytdlp.Reason]string{
	ytdlp.ReasonUnavailable: "unavailable", ytdlp.ReasonPrivate: "private", ytdlp.ReasonGeoBlocked: "geo_blocked",
	ytdlp.ReasonLoginRequired: "login_required", ytdlp.ReasonBotCheck: "bot_check",
	ytdlp.ReasonUnsupportedURL: "unsupported_url", ytdlp.ReasonNetwork: "network", ytdlp.ReasonDiskFull: "disk_full",
	ytdlp.ReasonBlockedDestination: "blocked_destination",
}

// failureOf turns an error into the code and message users see.
func failureOf(err error) (code, msg string) {
	var ee *ytdlp.ExitError
	var pf *platformFailure
	switch {
	case errors.As(err, &pf):
		return pf.code, pf.message
	case errors.As(err, &ee):
		code = reasonCodes[ee.Reason]
		if code == "" {
			code = "internal"
		}
		return code, ee.SafeMessage
	case errors.Is(err, ytdlp.ErrNotInstalled):
		return "ytdlp_missing", "yt-dlp is not installed on the server (or DOWNLINK_YTDLP_PATH is wrong); an administrator must install it."
	case errors.Is(err, files.ErrDiskFull):
		return "disk_full", "The disk is full: the download could not be saved."
	}
	return "internal", "Something went wrong on the server; an administrator can find the cause in the logs."
}

// platformFailure is a failure a platform handler explains itself.
type platformFailure struct{ code, message string }

func (e *platformFailure) Error() string { return e.code + ": " + e.message }

// Failure lets platform handlers fail an item with their own code.
func Failure(code, message string) error { return &platformFailure{code: code, message: message} }

// fail marks a row failed (fenced) and cleans its folder.
func (s *Service) fail(ctx context.Context, r *row, jobID int64, err error) {
	code, msg := failureOf(s.explain(r.Platform, err))
	s.log.Warn("download failed", "download_id", r.ID, "platform", r.Platform, "code", code, "err", err)
	now := time.Now().UTC()
	txErr := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&row{}).Where("id = ? AND job_id = ? AND status NOT IN ?", r.ID, jobID,
			[]string{string(StatusCompleted), string(StatusCanceled)}).Updates(map[string]any{
			"status": string(StatusFailed), "error_code": code, "error_message": msg, "finished_at": now, "updated_at": now,
			"speed_bps": nil, "eta_seconds": nil, "heartbeat_at": nil,
		})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.notifyTx(ctx, tx, r.ID)
	})
	if txErr != nil {
		s.log.Error("cannot mark download failed", "download_id", r.ID, "err", txErr)
	}
	s.removeJobDir(r.ID)
	s.metrics.DownloadsFinished.WithLabelValues(r.Platform, string(StatusFailed)).Inc()
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
}

// finishCanceled cleans up after a cancel: the process is gone, its folder
// goes too, and the row says canceled.
func (s *Service) finishCanceled(ctx context.Context, r *row, jobID int64) {
	now := time.Now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&row{}).Where("id = ? AND job_id = ? AND status IN ?", r.ID, jobID,
			append([]string{string(StatusQueued)}, runningStatuses...)).Updates(map[string]any{
			"status": string(StatusCanceled), "finished_at": now, "updated_at": now, "speed_bps": nil, "eta_seconds": nil,
		})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.notifyTx(ctx, tx, r.ID)
	})
	if err != nil {
		s.log.Error("cannot mark download canceled", "download_id", r.ID, "err", err)
	}
	s.removeJobDir(r.ID)
	s.metrics.DownloadsFinished.WithLabelValues(r.Platform, string(StatusCanceled)).Inc()
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
}

// needsMatch parks a Spotify item until a person picks a source.
func (s *Service) needsMatch(ctx context.Context, r *row, jobID int64, nm *NeedsMatch) error {
	now := time.Now().UTC()
	err := s.db.WithContext(ctx).Model(&row{}).Where("id = ? AND job_id = ?", r.ID, jobID).Updates(map[string]any{
		"status": string(StatusNeedsMatch), "meta": string(nm.Meta), "error_code": "no_confident_match",
		"error_message": nm.Message, "updated_at": now, "heartbeat_at": nil,
	}).Error
	if err != nil {
		return err
	}
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
	return nil
}
