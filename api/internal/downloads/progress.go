package downloads

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// progressEvent is the small event published on every progress line.
type progressEvent struct {
	ID       uuid.UUID  `json:"id"`
	ParentID *uuid.UUID `json:"parent_id"`
	Status   Status     `json:"status"`
	Progress Progress   `json:"progress"`
	userID   string
}

// tracker follows one yt-dlp run: it publishes progress as soon as yt-dlp
// prints it and writes the row at most once per interval (status changes
// at once), never blocking the reader of yt-dlp's output on the database.
// It is the run's one publisher: progress events and row updates go out
// under the run's publication lock, each update carrying the newest
// progress, so they never contradict each other (see publish.go).
type tracker struct {
	s     *Service
	id    uuid.UUID
	job   int64
	user  string
	paren *uuid.UUID
	src   Source
	run   *run

	mu      sync.Mutex
	status  Status
	ytdlp   string // the version of the yt-dlp that runs this download
	info    ytdlp.Info
	hasInfo bool
	formats map[string]ytdlp.Progress
	order   []string
	prog    Progress
	dirty   bool
	// temp is the bytes in the job's folder, measured by the guard
	// (tempSet: measured since the last write).
	temp    int64
	tempSet bool
	urgent  chan struct{}

	// what the writer last stored, to publish full rows only on change
	wroteStatus Status
	wroteInfo   bool
	wroteYtdlp  bool
}

func newTracker(ctx context.Context, s *Service, r *row, jobID int64, src Source) *tracker {
	rn := s.runs.get(r.ID)
	if rn == nil {
		rn = &run{ctx: ctx, cancel: func(error) {}}
	}
	return &tracker{s: s, id: r.ID, job: jobID, user: r.UserID.String(), paren: r.ParentID, src: src, run: rn,
		status: StatusFetchingInfo, formats: map[string]ytdlp.Progress{}, urgent: make(chan struct{}, 1)}
}

func (t *tracker) nudge() {
	select {
	case t.urgent <- struct{}{}:
	default:
	}
}

// event receives yt-dlp's events in order.
func (t *tracker) event(ev ytdlp.Event) {
	t.mu.Lock()
	switch e := ev.(type) {
	case ytdlp.Started:
		t.ytdlp = e.Version
		t.dirty = true
		t.mu.Unlock()
		t.nudge()
		return
	case ytdlp.Info:
		t.info, t.hasInfo = e, true
		if t.status == StatusFetchingInfo {
			t.status = StatusDownloading
		}
		t.dirty = true
		t.mu.Unlock()
		t.nudge()
		return
	case ytdlp.Progress:
		if e.IsPostProcessing() {
			changed := t.status != StatusPostProcessing
			t.status = StatusPostProcessing
			pp := e.PostProcessor
			t.prog.PostProcessor = &pp
			t.prog.SpeedBps, t.prog.ETASeconds = nil, nil
			t.dirty = true
			t.mu.Unlock()
			t.publishProgress()
			if changed {
				t.nudge()
			}
			return
		}
		if t.status == StatusFetchingInfo || t.status == StatusPostProcessing && e.Status == "downloading" {
			t.status = StatusDownloading
		}
		key := e.FormatID
		if _, seen := t.formats[key]; !seen {
			t.order = append(t.order, key)
		}
		t.formats[key] = e
		t.aggregateLocked(e)
		t.dirty = true
		t.mu.Unlock()
		t.publishProgress()
		return
	}
	t.mu.Unlock()
}

// aggregateLocked sums the streams of a merged download (each counts from
// zero) and keeps the bar from moving backwards when a new stream starts.
func (t *tracker) aggregateLocked(last ytdlp.Progress) {
	var done, total int64
	unknown := false
	for _, k := range t.order {
		p := t.formats[k]
		done += p.DownloadedBytes
		if p.TotalBytes > 0 {
			total += p.TotalBytes
		} else {
			unknown = true
		}
	}
	// A merged download ("137+140") fetches its streams one after the
	// other; until the last one started, the streams seen so far are
	// only part of the item.
	expected := 1
	if t.hasInfo {
		expected = strings.Count(t.info.FormatID, "+") + 1
	}
	seen := min(len(t.order), expected)
	share := float64(seen) / float64(expected)
	pct := t.prog.Percent
	switch {
	case total > 0 && !unknown:
		pct = float64(done) * 100 / float64(total) * share
	case last.FragmentCount > 0:
		pct = float64(last.FragmentIndex) * 100 / float64(last.FragmentCount) * share
	}
	if last.Status == "finished" && len(t.order) >= expected {
		pct = 100
	}
	if pct > 100 {
		pct = 100
	}
	if pct < t.prog.Percent {
		pct = t.prog.Percent
	}
	t.prog.Percent = pct
	t.prog.DownloadedBytes = done
	t.prog.TotalBytes = nil
	if total > 0 {
		tb := total
		t.prog.TotalBytes = &tb
	}
	t.prog.SpeedBps, t.prog.ETASeconds = nil, nil
	if last.SpeedBps > 0 {
		v := float64(last.SpeedBps)
		t.prog.SpeedBps = &v
	}
	if last.ETASeconds >= 0 && last.Status == "downloading" {
		v := last.ETASeconds
		t.prog.ETASeconds = &v
	}
	t.prog.FragmentIndex, t.prog.FragmentCount = nil, nil
	if last.FragmentCount > 0 {
		fi, fc := last.FragmentIndex, last.FragmentCount
		t.prog.FragmentIndex, t.prog.FragmentCount = &fi, &fc
	}
	t.prog.PostProcessor = nil
}

// publishProgress publishes the newest progress, unless the run ended.
func (t *tracker) publishProgress() {
	t.run.pub.Lock()
	defer t.run.pub.Unlock()
	if t.run.ctx.Err() != nil {
		return // canceled or stopping: whoever ends the run publishes its end
	}
	t.mu.Lock()
	ev := progressEvent{ID: t.id, ParentID: t.paren, Status: t.status, Progress: t.prog, userID: t.user}
	t.mu.Unlock()
	t.s.publish(context.Background(), events.TypeDownloadProgress, ev)
}

// publishRow publishes the row as written, with the newest status and
// progress laid over it (newer than the last write, never older than the
// last progress event), unless the run ended.
func (t *tracker) publishRow(ctx context.Context) {
	t.run.pub.Lock()
	defer t.run.pub.Unlock()
	if t.run.ctx.Err() != nil {
		return
	}
	d, ok := t.s.current(ctx, t.id)
	if !ok {
		return
	}
	t.mu.Lock()
	if d.Status.Running() {
		d.Status, d.Progress = t.status, t.prog
	}
	t.mu.Unlock()
	t.s.publish(ctx, events.TypeDownloadUpdated, d)
}

// start runs the row writer until the returned stop is called; stop writes
// a last time.
func (t *tracker) start(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		every := t.s.cfg.ProgressWriteInterval
		tick := time.NewTicker(every)
		defer tick.Stop()
		var last time.Time
		for {
			select {
			case <-done:
				t.write(context.WithoutCancel(ctx))
				return
			case <-ctx.Done():
				return
			case now := <-tick.C:
				// A tick that was delayed (a busy machine) and the next
				// one on time would write twice in a row: a periodic write
				// waits at least half the interval after the last write.
				if now.Sub(last) < every/2 {
					continue
				}
			case <-t.urgent:
			}
			t.write(ctx)
			last = time.Now()
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// write stores the latest state, fenced by the job id.
func (t *tracker) write(ctx context.Context) {
	t.mu.Lock()
	if !t.dirty {
		t.mu.Unlock()
		return
	}
	t.dirty = false
	p, st, info, hasInfo, version := t.prog, t.status, t.info, t.hasInfo, t.ytdlp
	temp, tempSet := t.temp, t.tempSet
	t.tempSet = false
	t.mu.Unlock()
	updates := map[string]any{
		"percent": p.Percent, "downloaded_bytes": p.DownloadedBytes, "total_bytes": p.TotalBytes,
		"speed_bps": p.SpeedBps, "eta_seconds": p.ETASeconds, "fragment_index": p.FragmentIndex,
		"fragment_count": p.FragmentCount, "post_processor": p.PostProcessor,
	}
	if tempSet {
		updates["temp_bytes"] = temp
	}
	newVersion := version != "" && !t.wroteYtdlp
	if newVersion {
		updates["ytdlp_version"] = version
	}
	if hasInfo && !t.wroteInfo {
		if t.src.Title == "" && info.Title != "" {
			updates["title"] = info.Title
		}
		if t.src.Duration == 0 && info.DurationSeconds > 0 {
			updates["duration_seconds"] = info.DurationSeconds
		}
		if t.src.ThumbnailURL == "" && info.Thumbnail != "" {
			updates["thumbnail_url"] = info.Thumbnail
		}
		if t.src.Uploader == "" && info.Uploader != "" {
			updates["uploader"] = info.Uploader
		}
	}
	_, err := t.s.transition(ctx, t.s.db, move{ids: []uuid.UUID{t.id}, job: &t.job, to: st, fields: updates})
	if err != nil {
		t.s.log.Warn("progress write failed", "download_id", t.id, "err", err)
		t.mu.Lock()
		t.dirty = true
		t.tempSet = t.tempSet || tempSet
		t.mu.Unlock()
		return
	}
	if st != t.wroteStatus || hasInfo != t.wroteInfo || newVersion {
		t.wroteStatus, t.wroteInfo, t.wroteYtdlp = st, hasInfo, t.wroteYtdlp || newVersion
		t.publishRow(ctx)
	}
}

// setTempBytes takes the guard's measure of the job's folder for the next
// row write (temp_bytes: counted against the owner's storage quota).
func (t *tracker) setTempBytes(n int64) {
	t.mu.Lock()
	t.temp, t.tempSet, t.dirty = n, true, true
	t.mu.Unlock()
}

// infoSnapshot is what yt-dlp said about the item (zero before it did).
func (t *tracker) infoSnapshot() ytdlp.Info {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.info
}

// title is the best title known for naming files.
func (t *tracker) title() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.src.Title != "" {
		return t.src.Title
	}
	if t.info.Title != "" {
		return t.info.Title
	}
	return t.info.ID
}

func (t *tracker) thumbnail() *string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.src.ThumbnailURL != "" {
		return ptr(t.src.ThumbnailURL)
	}
	if t.info.Thumbnail != "" {
		return ptr(t.info.Thumbnail)
	}
	return nil
}
