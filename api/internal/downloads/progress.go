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
type tracker struct {
	s     *Service
	id    uuid.UUID
	job   int64
	user  string
	paren *uuid.UUID
	src   Source

	mu      sync.Mutex
	status  Status
	info    ytdlp.Info
	hasInfo bool
	formats map[string]ytdlp.Progress
	order   []string
	prog    Progress
	dirty   bool
	urgent  chan struct{}

	// what the writer last stored, to publish full rows only on change
	wroteStatus Status
	wroteInfo   bool
}

func newTracker(s *Service, r *row, jobID int64, src Source) *tracker {
	return &tracker{s: s, id: r.ID, job: jobID, user: r.UserID.String(), paren: r.ParentID, src: src,
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
			ev := t.eventLocked()
			t.mu.Unlock()
			t.s.publish(context.Background(), events.TypeDownloadProgress, ev)
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
		ev := t.eventLocked()
		t.mu.Unlock()
		t.s.publish(context.Background(), events.TypeDownloadProgress, ev)
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

func (t *tracker) eventLocked() progressEvent {
	return progressEvent{ID: t.id, ParentID: t.paren, Status: t.status, Progress: t.prog, userID: t.user}
}

// start runs the row writer until the returned stop is called; stop writes
// a last time.
func (t *tracker) start(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(t.s.cfg.ProgressWriteInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				t.write(context.WithoutCancel(ctx))
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-t.urgent:
			}
			t.write(ctx)
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
	p, st, info, hasInfo := t.prog, t.status, t.info, t.hasInfo
	t.mu.Unlock()
	updates := map[string]any{
		"status": string(st), "percent": p.Percent, "downloaded_bytes": p.DownloadedBytes, "total_bytes": p.TotalBytes,
		"speed_bps": p.SpeedBps, "eta_seconds": p.ETASeconds, "fragment_index": p.FragmentIndex,
		"fragment_count": p.FragmentCount, "post_processor": p.PostProcessor, "updated_at": time.Now().UTC(),
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
	res := t.s.db.WithContext(ctx).Model(&row{}).Where("id = ? AND job_id = ? AND status IN ?", t.id, t.job, runningStatuses).
		Updates(updates)
	if res.Error != nil {
		t.s.log.Warn("progress write failed", "download_id", t.id, "err", res.Error)
		t.mu.Lock()
		t.dirty = true
		t.mu.Unlock()
		return
	}
	if st != t.wroteStatus || hasInfo != t.wroteInfo {
		t.wroteStatus, t.wroteInfo = st, hasInfo
		t.s.publishRow(ctx, t.id)
	}
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
