package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// These tests run the real downloads service (rows, expansion, file
// registration) with the platform handlers, and a fake yt-dlp: the real
// extractors cannot reach YouTube or Instagram offline. The fake answers
// in the shapes yt-dlp gives and records each job it is handed.

// fakeQueue keeps inserted jobs for the test to work one by one.
type fakeQueue struct {
	mu   sync.Mutex
	next int64
	jobs []*river.Job[downloads.JobArgs]
}

func (q *fakeQueue) InsertTx(_ context.Context, _ *gorm.DB, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	row := &rivertype.JobRow{ID: q.next, Queue: opts.Queue}
	q.jobs = append(q.jobs, &river.Job[downloads.JobArgs]{JobRow: row, Args: args.(downloads.JobArgs)})
	return &rivertype.JobInsertResult{Job: row}, nil
}

func (q *fakeQueue) Cancel(context.Context, int64) error { return nil }

func (q *fakeQueue) pop() *river.Job[downloads.JobArgs] {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return nil
	}
	j := q.jobs[0]
	q.jobs = q.jobs[1:]
	return j
}

// fakeRunner is yt-dlp as the service sees it.
type fakeRunner struct {
	mu       sync.Mutex
	listed   []string // "url items"
	jobs     []ytdlp.Job
	playlist *ytdlp.Playlist
	// files is how many files a run produces (a carousel: several).
	files int
	// audio, when set, is copied as the file of audio-preset jobs.
	audio string
}

func (f *fakeRunner) Run(_ context.Context, job ytdlp.Job, sink ytdlp.Sink) (*ytdlp.Result, error) {
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	n := f.files
	f.mu.Unlock()
	if !job.AllEntries {
		n = 1
	}
	if err := os.MkdirAll(job.DoneDir(), 0o750); err != nil {
		return nil, err
	}
	res := &ytdlp.Result{}
	if f.audio != "" && job.Options.Preset == ytdlp.PresetAudio {
		b, err := os.ReadFile(f.audio)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(job.DoneDir(), job.ID+filepath.Ext(f.audio))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, p)
		return res, nil
	}
	for i := 1; i <= n; i++ {
		name := job.ID + ".mp4"
		if job.AllEntries {
			name = fmt.Sprintf("%s.%03d.mp4", job.ID, i) // the autonumber output template
		}
		p := filepath.Join(job.DoneDir(), name)
		if err := os.WriteFile(p, []byte("media "+name), 0o600); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, p)
	}
	info := ytdlp.Info{ID: "C0abcdefghi", Title: "A post", Ext: "mp4"}
	sink(info)
	res.Info = info
	return res, nil
}

func (f *fakeRunner) Probe(context.Context, string, ytdlp.Settings) (*ytdlp.ProbeResult, error) {
	return nil, fmt.Errorf("not used")
}

func (f *fakeRunner) ListPlaylist(_ context.Context, url, items string, _ ytdlp.Settings) (*ytdlp.Playlist, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listed = append(f.listed, url+" "+items)
	return f.playlist, nil
}

type allowAll struct{}

func (allowAll) Platform(context.Context, string) downloads.PlatformPolicy {
	return downloads.PlatformPolicy{Enabled: true, DefaultPreset: ytdlp.PresetBest, AudioFormat: ytdlp.AudioMP3, MaxConcurrent: 4}
}
func (allowAll) GenericEnabled(context.Context) bool       { return true }
func (allowAll) MinFreeDisk(context.Context) int64         { return 0 }
func (allowAll) AllowPrivateNetworks(context.Context) bool { return true }

type nopBus struct{}

func (nopBus) Publish(context.Context, events.Event) error { return nil }

// engine is a downloads service on a fresh database with the handlers.
type engine struct {
	svc    *downloads.Service
	queue  *fakeQueue
	runner *fakeRunner
	user   *authz.Principal
}

func newEngine(t *testing.T, runner *fakeRunner) *engine {
	t.Helper()
	st := storetest.New(t)
	log := storetest.Logger()
	lib, err := files.New(st.DB, t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	q := &fakeQueue{}
	svc := downloads.New(downloads.Config{NodeName: "test", TempRoot: t.TempDir(), Workers: func() int { return 4 }},
		downloads.Deps{DB: st.DB, Queue: q, Bus: nopBus{}, Runner: runner, Files: lib, Policy: allowAll{},
			Metrics: metrics.New(), Logger: log})
	svc.Platforms["youtube"] = &handlers.YouTube{Lister: svc}
	svc.Platforms["instagram"] = handlers.Instagram{}
	return &engine{svc: svc, queue: q, runner: runner,
		user: &authz.Principal{UserID: uuid.New(), Role: authz.RoleUser, Method: authz.MethodSession}}
}

// submit creates a download the way POST /downloads does.
func (e *engine) submit(t *testing.T, url, options string) downloads.Download {
	t.Helper()
	d, _, err := e.svc.Create(context.Background(), e.user, downloads.CreateRequest{URL: url, Options: json.RawMessage(options)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// drain works every queued job (children queued meanwhile included).
func (e *engine) drain(t *testing.T) {
	t.Helper()
	w := &downloads.Worker{S: e.svc}
	for j := e.queue.pop(); j != nil; j = e.queue.pop() {
		if err := w.Work(context.Background(), j); err != nil {
			t.Fatalf("job %d: %v", j.ID, err)
		}
	}
}

func (e *engine) get(t *testing.T, id uuid.UUID) downloads.Download {
	t.Helper()
	d, err := e.svc.Get(context.Background(), e.user, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *engine) children(t *testing.T, id uuid.UUID) []downloads.Download {
	t.Helper()
	page, err := e.svc.List(context.Background(), e.user, downloads.ListParams{ParentID: &id, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(page.Items, func(a, b downloads.Download) int { return a.PlaylistIndex - b.PlaylistIndex })
	return page.Items
}

func TestEngineYouTubeChannelLatestN(t *testing.T) {
	e := newEngine(t, &fakeRunner{playlist: channelUploads(), files: 1})
	d := e.submit(t, "https://www.youtube.com/@synthwave", `{"playlist_items":"1-2"}`)
	e.drain(t)
	if len(e.runner.listed) != 1 || e.runner.listed[0] != "https://www.youtube.com/@synthwave/videos 1-2" {
		t.Fatalf("listed %v; want the videos tab with items 1-2", e.runner.listed)
	}
	kids := e.children(t, d.ID)
	if len(kids) != 2 || kids[0].URL != "https://www.youtube.com/watch?v=aaaaaaaaaaa" || kids[0].Kind != "video" {
		t.Fatalf("children %+v", kids)
	}
	for _, j := range e.runner.jobs {
		if j.AllEntries || j.Options.PlaylistItems != "" {
			t.Errorf("a child ran as a playlist: %+v", j)
		}
	}
	if got := e.get(t, d.ID); got.Status != downloads.StatusCompleted || got.Kind != "channel" || *got.Title != "Synthwave Test - Videos" {
		t.Errorf("parent %s %s %v", got.Status, got.Kind, got.Title)
	}
}

func TestEngineYouTubePlaylistExpands(t *testing.T) {
	pl := &ytdlp.Playlist{ID: "PLabcdefghijklmnop", Title: "Mix", Entries: []ytdlp.PlaylistEntry{
		{Index: 1, URL: "https://www.youtube.com/watch?v=aaaaaaaaaaa", Title: "One", DurationSeconds: 60},
		{Index: 2, URL: "https://www.youtube.com/watch?v=bbbbbbbbbbb", Title: "Two", DurationSeconds: 70},
		{Index: 3, URL: "https://www.youtube.com/watch?v=ccccccccccc", Title: "Three", DurationSeconds: 80},
	}}
	e := newEngine(t, &fakeRunner{playlist: pl, files: 1})
	d := e.submit(t, "https://www.youtube.com/playlist?list=PLabcdefghijklmnop&si=x", `{}`)
	e.drain(t)
	if len(e.runner.listed) != 1 || e.runner.listed[0] != "https://www.youtube.com/playlist?list=PLabcdefghijklmnop&si=x " {
		t.Fatalf("listed %v", e.runner.listed)
	}
	kids := e.children(t, d.ID)
	if len(kids) != 3 || kids[2].URL != "https://www.youtube.com/watch?v=ccccccccccc" || kids[2].PlaylistIndex != 3 {
		t.Fatalf("children %+v", kids)
	}
	if len(e.runner.jobs) != 3 || e.runner.jobs[1].URL != "https://www.youtube.com/watch?v=bbbbbbbbbbb" || e.runner.jobs[1].AllEntries {
		t.Errorf("jobs %+v", e.runner.jobs)
	}
	if got := e.get(t, d.ID); got.Status != downloads.StatusCompleted || got.ChildrenCount != 3 {
		t.Errorf("parent %+v", got)
	}
}

func TestEngineInstagramCarouselIsOneDownloadWithSeveralFiles(t *testing.T) {
	e := newEngine(t, &fakeRunner{files: 3})
	post := e.submit(t, "https://www.instagram.com/p/C0abcdefghi/?img_index=1", `{}`)
	reel := e.submit(t, "https://www.instagram.com/reel/C0abcdefghj/", `{}`)
	e.drain(t)
	if len(e.runner.jobs) != 2 || !e.runner.jobs[0].AllEntries || e.runner.jobs[1].AllEntries {
		t.Fatalf("jobs %+v; want the post with all entries, the reel single", e.runner.jobs)
	}
	got := e.get(t, post.ID)
	if got.Status != downloads.StatusCompleted || got.ChildrenCount != 0 || len(got.Files) != 3 {
		t.Fatalf("post %s with %d children and %d files", got.Status, got.ChildrenCount, len(got.Files))
	}
	names := map[string]bool{}
	for _, f := range got.Files {
		names[f.Name] = true
	}
	if len(names) != 3 {
		t.Errorf("carousel files share names: %v", names)
	}
	if r := e.get(t, reel.ID); r.Status != downloads.StatusCompleted {
		t.Errorf("reel %s", r.Status)
	}
}

func TestEngineSpotifyNeedsMatchThenMatchedByURL(t *testing.T) {
	w := newSpotifyWorld(t)
	e := newEngine(t, &fakeRunner{files: 1, audio: testmedia.GenerateAudio(t, testmedia.AudioSpec{Format: "mp3"})})
	e.svc.Platforms["spotify"] = w.h
	ctx := context.Background()
	d := e.submit(t, "spotify:track:"+w.album.Tracks[2].ID, `{}`) // "Lost Signal": no confident match
	e.drain(t)
	got := e.get(t, d.ID)
	if got.Status != downloads.StatusNeedsMatch || got.Match == nil || len(got.Match.Candidates) != 2 || got.Error == nil ||
		got.Error.Code != "no_confident_match" || len(e.runner.jobs) != 0 {
		t.Fatalf("after matching: %s %+v %+v; %d runs", got.Status, got.Match, got.Error, len(e.runner.jobs))
	}
	refused := []struct {
		name   string
		choice downloads.MatchChoice
	}{
		{"index out of range", downloads.MatchChoice{CandidateIndex: ptrTo(2)}},
		{"negative index", downloads.MatchChoice{CandidateIndex: ptrTo(-1)}},
		{"a Spotify page", downloads.MatchChoice{CandidateURL: "https://open.spotify.com/track/" + w.album.Tracks[0].ID}},
		{"a Spotify URI", downloads.MatchChoice{CandidateURL: "spotify:track:" + w.album.Tracks[0].ID}},
		{"not a URL", downloads.MatchChoice{CandidateURL: "--exec=rm"}},
	}
	for _, tc := range refused {
		var p *problem.Problem
		if _, err := e.svc.Match(ctx, e.user, d.ID, tc.choice); !errors.As(err, &p) || p.Status != 422 ||
			len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Field, "candidate_") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	other := &authz.Principal{UserID: uuid.New(), Role: authz.RoleUser, Method: authz.MethodSession}
	if _, err := e.svc.Match(ctx, other, d.ID, downloads.MatchChoice{CandidateIndex: ptrTo(0)}); !errors.Is(err, downloads.ErrNotFound) {
		t.Errorf("another user's item: %v", err)
	}

	own := "https://music.youtube.com/watch?v=zzzzzzzzzzz"
	m, err := e.svc.Match(ctx, e.user, d.ID, downloads.MatchChoice{CandidateURL: " " + own + " "})
	if err != nil || m.Status != downloads.StatusQueued || !m.Match.Manual || *m.Match.ChosenURL != own || m.Match.Score != nil || m.Error != nil {
		t.Fatalf("match: %+v %v", m, err)
	}
	if _, err := e.svc.Match(ctx, e.user, d.ID, downloads.MatchChoice{CandidateIndex: ptrTo(0)}); !errors.Is(err, downloads.ErrNotAwaitingMatch) {
		t.Errorf("second match: %v", err)
	}
	e.drain(t)
	if len(e.runner.jobs) != 1 || e.runner.jobs[0].URL != own || e.runner.jobs[0].Options.AudioFormat != ytdlp.AudioMP3 {
		t.Fatalf("runs %+v", e.runner.jobs)
	}
	got = e.get(t, d.ID)
	if got.Status != downloads.StatusCompleted || len(got.Files) != 1 || *got.SourceURL != own || *got.Title != "Lost Signal" {
		t.Fatalf("after download: %s %+v", got.Status, got)
	}
	if _, err := e.svc.Match(ctx, e.user, d.ID, downloads.MatchChoice{CandidateIndex: ptrTo(0)}); !errors.Is(err, downloads.ErrNotAwaitingMatch) {
		t.Errorf("match of a completed item: %v", err)
	}
}

func ptrTo[T any](v T) *T { return &v }
