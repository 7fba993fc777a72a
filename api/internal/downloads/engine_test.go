package downloads_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/downloads/downloadstest"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// The engine's state machine, run whole on a scripted yt-dlp: every test
// here takes milliseconds. What users see is the row (Get) and the events
// the dashboard applies in order (Bus).

// order ranks the statuses an item passes through on its way to done.
var order = map[downloads.Status]int{
	downloads.StatusQueued: 0, downloads.StatusFetchingInfo: 1, downloads.StatusDownloading: 2,
	downloads.StatusPostProcessing: 3, downloads.StatusCompleted: 4, downloads.StatusFailed: 4, downloads.StatusCanceled: 4,
}

// runEvents is what yt-dlp prints for a merged download: info, the two
// streams, the merger.
func runEvents() []ytdlp.Event {
	return []ytdlp.Event{
		ytdlp.Info{ID: "aaaaaaaaaaa", Title: "A video", FormatID: "137+140", DurationSeconds: 61},
		ytdlp.Progress{Status: "downloading", FormatID: "137", DownloadedBytes: 500, TotalBytes: 1000, ETASeconds: 3},
		ytdlp.Progress{Status: "finished", FormatID: "137", DownloadedBytes: 1000, TotalBytes: 1000, ETASeconds: -1},
		ytdlp.Progress{Status: "downloading", FormatID: "140", DownloadedBytes: 100, TotalBytes: 200, ETASeconds: 1},
		ytdlp.Progress{Status: "finished", FormatID: "140", DownloadedBytes: 200, TotalBytes: 200, ETASeconds: -1},
		ytdlp.Progress{Status: "started", PostProcessor: "Merger"},
	}
}

// TestItemLifecycle: queued → fetching_info → downloading →
// post_processing → completed, and what the dashboard sees on the way never
// goes back: no event carries an earlier status or a smaller percent than
// one before it.
func TestItemLifecycle(t *testing.T) {
	t.Parallel()
	e := downloadstest.New(t, downloadstest.Options{Runner: &downloadstest.Runner{Events: runEvents()}})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", `{"latest": null}`)
	if d.Status != downloads.StatusQueued || d.Kind != "video" || d.Platform != "youtube" {
		t.Fatalf("submitted %s %s %s", d.Status, d.Kind, d.Platform)
	}
	e.Drain(t)
	got := e.Get(t, d.ID)
	if got.Status != downloads.StatusCompleted || len(got.Files) != 1 || got.Progress.Percent != 100 ||
		got.FinishedAt == nil || got.Title == nil || *got.Title != "A video" || got.Attempts != 1 {
		t.Fatalf("after the run: %+v", got)
	}
	evs := e.Bus.For(d.ID)
	var seen []downloads.Status
	last, pct := -1, -1.0
	for i, ev := range evs {
		if order[ev.Status] < last || ev.Percent < pct {
			t.Fatalf("event %d (%s %s %.0f%%) goes back after %v", i, ev.Type, ev.Status, ev.Percent, evs[:i])
		}
		last, pct = order[ev.Status], ev.Percent
		if len(seen) == 0 || seen[len(seen)-1] != ev.Status {
			seen = append(seen, ev.Status)
		}
	}
	want := []downloads.Status{downloads.StatusQueued, downloads.StatusFetchingInfo, downloads.StatusDownloading,
		downloads.StatusPostProcessing, downloads.StatusCompleted}
	if !slices.Equal(seen, want) {
		t.Errorf("statuses published %v, want %v", seen, want)
	}
	if evs[0].Type != events.TypeDownloadCreated || evs[len(evs)-1].Type != events.TypeDownloadUpdated {
		t.Errorf("first %s, last %s", evs[0].Type, evs[len(evs)-1].Type)
	}
}

// TestFailureThenRetry: a yt-dlp failure ends the item failed with the
// code users see; retry puts it back in the queue with its progress reset,
// and it completes.
func TestFailureThenRetry(t *testing.T) {
	t.Parallel()
	r := &downloadstest.Runner{Err: &ytdlp.ExitError{Code: 1, Reason: ytdlp.ReasonPrivate, SafeMessage: "This video is private."}}
	e := downloadstest.New(t, downloadstest.Options{Runner: r})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	e.Drain(t)
	got := e.Get(t, d.ID)
	if got.Status != downloads.StatusFailed || got.Error == nil || got.Error.Code != "private" ||
		got.Error.Message != "This video is private." || got.FinishedAt == nil {
		t.Fatalf("failed: %+v %+v", got, got.Error)
	}
	if _, err := e.Svc.Cancel(context.Background(), e.User, d.ID); !errors.Is(err, downloads.ErrAlreadyFinished) {
		t.Errorf("cancel of a failed download: %v", err)
	}
	r.Err = nil
	back, err := e.Svc.Retry(context.Background(), e.User, d.ID)
	if err != nil || back.Status != downloads.StatusQueued || back.Error != nil || back.FinishedAt != nil || back.Progress.Percent != 0 {
		t.Fatalf("retry: %+v, %v", back, err)
	}
	e.Drain(t)
	if got := e.Get(t, d.ID); got.Status != downloads.StatusCompleted || got.Attempts != 2 {
		t.Fatalf("after retry: %s, %d attempts", got.Status, got.Attempts)
	}
	if _, err := e.Svc.Retry(context.Background(), e.User, d.ID); !errors.Is(err, downloads.ErrNotRetryable) {
		t.Errorf("retry of a completed download: %v", err)
	}
}

// TestRetryAnswersWhatItDid: the retry's answer is the download as the
// retry left it (queued), even when a worker claims the job between the
// commit and the answer, as one woken by Postgres's NOTIFY can. The answer
// used to re-read the row and said fetching_info.
func TestRetryAnswersWhatItDid(t *testing.T) {
	t.Parallel()
	r := &downloadstest.Runner{Err: &ytdlp.ExitError{Code: 1, Reason: ytdlp.ReasonUnavailable, SafeMessage: "Gone."}}
	e := downloadstest.New(t, downloadstest.Options{Runner: r})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	e.Drain(t)
	e.Bus.OnPublish = func(ev downloadstest.Event) {
		if ev.ID == d.ID && ev.Status == downloads.StatusQueued {
			// A worker claims the job the moment the retry is committed.
			if err := e.DB.Exec("UPDATE downloads SET status = ? WHERE id = ?", downloads.StatusFetchingInfo, d.ID).Error; err != nil {
				t.Error(err)
			}
		}
	}
	back, err := e.Svc.Retry(context.Background(), e.User, d.ID)
	if err != nil || back.Status != downloads.StatusQueued || back.Error != nil {
		t.Fatalf("retry answered %+v, %v; want it queued", back, err)
	}
}

// TestDRMNeverRetried: DRM-protected media fails with code drm, and a
// retry is refused (no retry can download it); nothing runs again.
func TestDRMNeverRetried(t *testing.T) {
	r := &downloadstest.Runner{Err: &ytdlp.ExitError{Code: 1, Reason: ytdlp.ReasonDRM, SafeMessage: "The media is DRM protected."}}
	e := downloadstest.New(t, downloadstest.Options{Runner: r})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	e.Drain(t)
	if got := e.Get(t, d.ID); got.Status != downloads.StatusFailed || got.Error == nil || got.Error.Code != "drm" {
		t.Fatalf("failed: %+v %+v", got, got.Error)
	}
	if _, err := e.Svc.Retry(context.Background(), e.User, d.ID); !errors.Is(err, downloads.ErrNotRetryable) {
		t.Fatalf("retry of a DRM failure: %v", err)
	}
	e.Drain(t)
	if n := len(e.Runner.Ran()); n != 1 {
		t.Errorf("yt-dlp ran %d times, want 1", n)
	}
}

// TestCancelWhileRunning: a cancel stops the run, the row says canceled,
// its folder is gone, and nothing about the run is published after the
// canceled row (a late progress line must not bring it back).
func TestCancelWhileRunning(t *testing.T) {
	t.Parallel()
	r := &downloadstest.Runner{Events: runEvents()[:2], Hold: true, Started: make(chan uuid.UUID, 1)}
	e := downloadstest.New(t, downloadstest.Options{Runner: r})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.WorkNext(t)
	}()
	select {
	case <-r.Started:
	case <-time.After(10 * time.Second):
		t.Fatal("the run never started")
	}
	c, err := e.Svc.Cancel(context.Background(), e.User, d.ID)
	if err != nil || c.Status != downloads.StatusCanceled {
		t.Fatalf("cancel: %+v, %v", c, err)
	}
	<-done
	got := e.Get(t, d.ID)
	if got.Status != downloads.StatusCanceled || got.FinishedAt == nil || got.Progress.SpeedBps != nil || len(got.Files) != 0 {
		t.Fatalf("after cancel: %+v", got)
	}
	evs := e.Bus.For(d.ID)
	first := slices.IndexFunc(evs, func(ev downloadstest.Event) bool { return ev.Status == downloads.StatusCanceled })
	for _, ev := range evs[first:] {
		if ev.Status != downloads.StatusCanceled {
			t.Fatalf("published %s %s after the cancel: %v", ev.Type, ev.Status, evs)
		}
	}
}

// needsMatchHandler parks every item until a person picks its source.
type needsMatchHandler struct{ downloads.HandlerDefaults }

func (needsMatchHandler) Source(_ context.Context, it downloads.Item) (downloads.Source, error) {
	var m struct {
		Match *downloads.Match `json:"match"`
	}
	_ = json.Unmarshal(it.Meta, &m)
	if m.Match == nil || m.Match.ChosenURL == nil {
		meta, _ := json.Marshal(map[string]any{"match": downloads.Match{Threshold: 0.7,
			Candidates: []downloads.MatchCandidate{{URL: "https://www.youtube.com/watch?v=bbbbbbbbbbb", Title: "B", Score: 0.4}}}})
		return downloads.Source{}, &downloads.NeedsMatch{Meta: meta, Message: "No confident match."}
	}
	return downloads.Source{URL: *m.Match.ChosenURL, Title: "Matched"}, nil
}

// TestNeedsMatchThenMatched: an item without a confident source waits in
// needs_match (not final, no run); a person's pick queues it again, and it
// downloads what was picked.
func TestNeedsMatchThenMatched(t *testing.T) {
	t.Parallel()
	e := downloadstest.New(t, downloadstest.Options{Handlers: map[string]downloads.PlatformHandler{"spotify": needsMatchHandler{}}})
	d := e.Submit(t, "https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT", "")
	e.Drain(t)
	got := e.Get(t, d.ID)
	if got.Status != downloads.StatusNeedsMatch || got.Match == nil || len(got.Match.Candidates) != 1 ||
		got.Error == nil || got.Error.Code != "no_confident_match" || len(e.Runner.Ran()) != 0 {
		t.Fatalf("waiting: %+v", got)
	}
	if _, err := e.Svc.Retry(context.Background(), e.User, d.ID); !errors.Is(err, downloads.ErrNotRetryable) {
		t.Errorf("retry of an item waiting for a match: %v", err)
	}
	zero := 0
	m, err := e.Svc.Match(context.Background(), e.User, d.ID, downloads.MatchChoice{CandidateIndex: &zero})
	if err != nil || m.Status != downloads.StatusQueued || m.Error != nil || !m.Match.Manual {
		t.Fatalf("match: %+v, %v", m, err)
	}
	e.Drain(t)
	got = e.Get(t, d.ID)
	ran := e.Runner.Ran()
	if got.Status != downloads.StatusCompleted || len(ran) != 1 || ran[0].URL != "https://www.youtube.com/watch?v=bbbbbbbbbbb" ||
		*got.Title != "Matched" {
		t.Fatalf("after the match: %s, runs %+v", got.Status, ran)
	}
}

// TestPlaylistExpands: a parent is listed once, becomes one child per
// entry (options without the playlist selection), waits queued while they
// run, and ends as they end.
func TestPlaylistExpands(t *testing.T) {
	t.Parallel()
	pl := &ytdlp.Playlist{Title: "Mix", Entries: []ytdlp.PlaylistEntry{
		{Index: 1, URL: "https://www.youtube.com/watch?v=aaaaaaaaaaa", Title: "One"},
		{Index: 2, URL: "https://www.youtube.com/watch?v=bbbbbbbbbbb", Title: "Two"},
	}}
	e := downloadstest.New(t, downloadstest.Options{Runner: &downloadstest.Runner{Playlist: pl}})
	d := e.Submit(t, "https://www.youtube.com/playlist?list=PLabcdefghijklmnop", `{"latest": 2}`)
	if d.Kind != "playlist" || d.Options.PlaylistItems != "1-2" || d.Options.Latest != nil {
		t.Fatalf("submitted %s with options %+v", d.Kind, d.Options)
	}
	if !e.WorkNext(t) {
		t.Fatal("no job for the parent")
	}
	parent := e.Get(t, d.ID)
	kids := e.Children(t, d.ID)
	if parent.Status != downloads.StatusQueued || *parent.Title != "Mix" || len(kids) != 2 || kids[1].Title == nil ||
		*kids[1].Title != "Two" || kids[0].Options.PlaylistItems != "" {
		t.Fatalf("expanded: parent %s, children %+v", parent.Status, kids)
	}
	e.Drain(t)
	parent = e.Get(t, d.ID)
	if parent.Status != downloads.StatusCompleted || parent.ChildrenCount != 2 ||
		parent.ChildrenSummary["completed"] != 2 || len(e.Runner.Ran()) != 2 {
		t.Fatalf("after the children: %+v", parent)
	}
}

// TestCompletedDownloadKeepsItsFiles: a completed row's files are in the
// library and its job folder is gone.
func TestCompletedDownloadKeepsItsFiles(t *testing.T) {
	t.Parallel()
	e := downloadstest.New(t, downloadstest.Options{})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	e.Drain(t)
	got := e.Get(t, d.ID)
	if len(got.Files) != 1 || got.Files[0].SizeBytes == 0 || got.Progress.DownloadedBytes != got.Files[0].SizeBytes {
		t.Fatalf("files %+v, progress %+v", got.Files, got.Progress)
	}
	job := e.Runner.Ran()[0]
	if _, err := os.Stat(job.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("job folder %s left behind: %v", filepath.Base(job.Dir), err)
	}
}
