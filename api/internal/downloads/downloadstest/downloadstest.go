// Package downloadstest runs the real download engine (rows, the state
// machine, expansion, file registration, events) on a fresh database with a
// scripted yt-dlp and an in-memory job queue whose jobs a test works one at
// a time: a download's whole life in milliseconds, no process started. What
// only the real yt-dlp can show (argv, progress parsing, process groups)
// is tested with it, in ytdlp and httpapi.
package downloadstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Queue is the job queue in memory: inserted jobs wait for the test to work
// them (Engine.Drain, Engine.WorkNext).
type Queue struct {
	mu       sync.Mutex
	next     int64
	jobs     []*river.Job[downloads.JobArgs]
	canceled []int64
}

// InsertTx implements downloads.Queue; the job is kept even if tx rolls
// back (the engine never inserts in a transaction that fails on purpose).
func (q *Queue) InsertTx(_ context.Context, _ *gorm.DB, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	at := opts.ScheduledAt
	if at.IsZero() {
		at = time.Now()
	}
	row := &rivertype.JobRow{ID: q.next, Queue: opts.Queue, ScheduledAt: at}
	q.jobs = append(q.jobs, &river.Job[downloads.JobArgs]{JobRow: row, Args: args.(downloads.JobArgs)})
	return &rivertype.JobInsertResult{Job: row}, nil
}

// Cancel implements downloads.Queue.
func (q *Queue) Cancel(_ context.Context, jobID int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.canceled = append(q.canceled, jobID)
	return nil
}

// Len is how many jobs wait.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs)
}

// Pop takes the next waiting job as River would hand it out: earliest
// scheduled first (a rescued row's job is scheduled at the row's creation,
// ahead of what was submitted after it), then in insertion order (nil:
// none).
func (q *Queue) Pop() *river.Job[downloads.JobArgs] {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return nil
	}
	i := 0
	for k, j := range q.jobs {
		if j.ScheduledAt.Before(q.jobs[i].ScheduledAt) {
			i = k
		}
	}
	j := q.jobs[i]
	q.jobs = slices.Delete(q.jobs, i, i+1)
	return j
}

// Runner is yt-dlp as the engine sees it, answering in yt-dlp's shapes and
// recording what it was handed. Its fields script the next runs.
type Runner struct {
	mu     sync.Mutex
	Listed []string // "url items", one per ListPlaylist
	Jobs   []ytdlp.Job

	// Playlist answers ListPlaylist.
	Playlist *ytdlp.Playlist
	// Files is how many files a run with AllEntries produces (a carousel);
	// a single item always produces one.
	Files int
	// Audio, when set, is copied as the file of audio-preset jobs.
	Audio string
	// Events are sent to the sink, in order, before the files appear (an
	// Info, Progress lines, a post-processor). Without an Info among them,
	// the run reports one titled "A post" when its files are done.
	Events []ytdlp.Event
	// Err fails every run after its events (an *ytdlp.ExitError as yt-dlp
	// would give).
	Err error
	// Hold, when set, keeps each run going after its events until the run
	// is canceled (Started says it got there), as a long download does.
	Hold    bool
	Started chan uuid.UUID
	// Release, when set, ends a held run as a finished download (a value
	// sent releases one run).
	Release chan struct{}
}

// Run implements downloads.Runner.
func (f *Runner) Run(ctx context.Context, job ytdlp.Job, sink ytdlp.Sink) (*ytdlp.Result, error) {
	f.mu.Lock()
	f.Jobs = append(f.Jobs, job)
	n, evs, fail, hold, audio, release := f.Files, slices.Clone(f.Events), f.Err, f.Hold, f.Audio, f.Release
	f.mu.Unlock()
	if !job.AllEntries || n < 1 {
		n = 1
	}
	for _, ev := range evs {
		sink(ev)
	}
	if hold {
		// What a download in progress leaves in its job folder.
		if err := os.WriteFile(filepath.Join(job.Dir, job.ID+".mp4.part"), []byte("half a video"), 0o600); err != nil {
			return nil, err
		}
		if f.Started != nil {
			f.Started <- uuid.MustParse(job.ID)
		}
		select {
		case <-ctx.Done():
			return &ytdlp.Result{}, &ytdlp.ExitError{Code: -1, Reason: ytdlp.ReasonCanceled, SafeMessage: "canceled"}
		case <-release:
		}
	}
	if fail != nil {
		return &ytdlp.Result{}, fail
	}
	if err := os.MkdirAll(job.DoneDir(), 0o750); err != nil {
		return nil, err
	}
	res := &ytdlp.Result{}
	if audio != "" && job.Options.Preset == ytdlp.PresetAudio {
		b, err := os.ReadFile(audio)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(job.DoneDir(), job.ID+filepath.Ext(audio))
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
	if i := slices.IndexFunc(evs, func(ev ytdlp.Event) bool { _, ok := ev.(ytdlp.Info); return ok }); i >= 0 {
		info = evs[i].(ytdlp.Info) // the scripted run said what it is
	} else {
		sink(info)
	}
	res.Info = info
	return res, nil
}

// Probe implements downloads.Runner (not scripted).
func (f *Runner) Probe(context.Context, string, ytdlp.Settings) (*ytdlp.ProbeResult, error) {
	return nil, errors.New("downloadstest: probe is not scripted")
}

// ListPlaylist implements downloads.Runner.
func (f *Runner) ListPlaylist(_ context.Context, url, items string, s ytdlp.Settings) (*ytdlp.Playlist, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Listed = append(f.Listed, url+" "+items)
	if f.Playlist == nil {
		return nil, errors.New("downloadstest: no playlist scripted")
	}
	// As yt-dlp does: --playlist-items START:END (1-based, inclusive)
	// or, without items, the first ListLimit entries.
	from, to := 1, len(f.Playlist.Entries)
	var a, b int
	if _, err := fmt.Sscanf(items, "%d:%d", &a, &b); err == nil && a >= 1 && b >= a {
		from, to = a, min(b, to)
	} else if items == "" && s.ListLimit > 0 {
		to = min(s.ListLimit, to)
	} else {
		return f.Playlist, nil
	}
	pl := *f.Playlist
	pl.Entries = nil
	if from <= to {
		pl.Entries = slices.Clone(f.Playlist.Entries[from-1 : to])
	}
	return &pl, nil
}

// SetHold changes Hold for the runs that start from now on.
func (f *Runner) SetHold(hold bool) {
	f.mu.Lock()
	f.Hold = hold
	f.mu.Unlock()
}

// ListedCount is how many times a playlist was listed.
func (f *Runner) ListedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.Listed)
}

// Ran returns the jobs run so far.
func (f *Runner) Ran() []ytdlp.Job {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.Jobs)
}

// Event is one published event, its data decoded.
type Event struct {
	Type   string
	ID     uuid.UUID
	Status downloads.Status
	// Percent is the progress the event carries.
	Percent float64
}

// Bus records what the engine publishes.
type Bus struct {
	mu     sync.Mutex
	events []Event
	// OnPublish, when set, runs for each event after it is recorded, in
	// the publisher's goroutine (a test acts between two engine steps).
	OnPublish func(Event)
}

// Publish implements downloads.Publisher.
func (b *Bus) Publish(_ context.Context, e events.Event) error {
	var d struct {
		ID       uuid.UUID        `json:"id"`
		Status   downloads.Status `json:"status"`
		Progress struct {
			Percent float64 `json:"percent"`
		} `json:"progress"`
	}
	_ = json.Unmarshal(e.Data, &d)
	ev := Event{Type: e.Type, ID: d.ID, Status: d.Status, Percent: d.Progress.Percent}
	b.mu.Lock()
	b.events = append(b.events, ev)
	hook := b.OnPublish
	b.mu.Unlock()
	if hook != nil {
		hook(ev)
	}
	return nil
}

// For returns the events about download id, in order.
func (b *Bus) For(id uuid.UUID) []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Event
	for _, e := range b.events {
		if e.ID == id {
			out = append(out, e)
		}
	}
	return out
}

// Policy allows every platform, with the settings a fresh install has.
type Policy struct {
	// Overrides replace a platform's policy.
	Overrides map[string]downloads.PlatformPolicy
	// Generic is the "other sites" switch.
	Generic bool
}

// Platform implements downloads.Policy.
func (p Policy) Platform(_ context.Context, platform string) downloads.PlatformPolicy {
	if o, ok := p.Overrides[platform]; ok {
		return o
	}
	return downloads.PlatformPolicy{Enabled: true, DefaultPreset: ytdlp.PresetBest, AudioFormat: ytdlp.AudioMP3,
		MaxConcurrent: 4, GenericEnabled: p.Generic}
}

// GenericEnabled implements downloads.Policy.
func (p Policy) GenericEnabled(context.Context) bool { return p.Generic }

// MinFreeDisk implements downloads.Policy.
func (Policy) MinFreeDisk(context.Context) int64 { return 0 }

// AllowPrivateNetworks implements downloads.Policy.
func (Policy) AllowPrivateNetworks(context.Context) bool { return true }

// UserLimits implements downloads.Policy: none.
func (Policy) UserLimits(context.Context) downloads.UserLimits { return downloads.UserLimits{} }

// Options shape an Engine.
type Options struct {
	// Runner is the scripted yt-dlp (default: one file per run).
	Runner *Runner
	// Handlers are the platform handlers (default: none, the plain path).
	Handlers map[string]downloads.PlatformHandler
	// Policy is the settings (default: everything allowed).
	Policy downloads.Policy
	// HeartbeatInterval is how often a run beats (default the service's).
	HeartbeatInterval time.Duration
	// Layout is how the library files downloads (default: the default).
	Layout func(context.Context) files.Layout
}

// Engine is a downloads service with its fakes, and a user to act as.
type Engine struct {
	Svc    *downloads.Service
	DB     *gorm.DB
	Queue  *Queue
	Runner *Runner
	Bus    *Bus
	User   *authz.Principal
	// TempRoot holds the node's job folders; Library is the library's
	// folder.
	TempRoot, Library string
}

// New starts an engine on a fresh database.
func New(t testing.TB, o Options) *Engine {
	t.Helper()
	st := storetest.New(t)
	log := storetest.Logger()
	libDir := t.TempDir()
	backend, err := files.NewLocal(libDir)
	if err != nil {
		t.Fatal(err)
	}
	if o.Runner == nil {
		o.Runner = &Runner{}
	}
	if o.Policy == nil {
		o.Policy = Policy{}
	}
	bus := &Bus{}
	lib := files.New(files.Deps{DB: st.DB, Backend: backend, Logger: log, Bus: bus})
	q := &Queue{}
	temp := t.TempDir()
	svc := downloads.New(downloads.Config{NodeName: "test", TempRoot: temp, Workers: func() int { return 4 },
		HeartbeatInterval: o.HeartbeatInterval},
		downloads.Deps{DB: st.DB, Queue: q, Bus: bus, Runner: o.Runner, Files: lib, Policy: o.Policy,
			Metrics: metrics.New(), Logger: log, StorageQuota: lib, Handlers: o.Handlers, Layout: o.Layout})
	return &Engine{Svc: svc, DB: st.DB, Queue: q, Runner: o.Runner, Bus: bus, TempRoot: temp, Library: libDir,
		User: &authz.Principal{UserID: uuid.New(), Role: authz.RoleUser, Method: authz.MethodSession}}
}

// Submit creates a download the way POST /downloads does (options is
// the request's JSON, "" for none).
func (e *Engine) Submit(t testing.TB, url, options string) downloads.Download {
	t.Helper()
	opts, err := downloads.DecodeOptions(json.RawMessage(options), "")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := e.Svc.Create(context.Background(), e.User, downloads.CreateRequest{URL: url, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// WorkNext works the oldest waiting job; false when there was none.
func (e *Engine) WorkNext(t testing.TB) bool {
	t.Helper()
	j := e.Queue.Pop()
	if j == nil {
		return false
	}
	if err := (&downloads.Worker{S: e.Svc}).Work(context.Background(), j); err != nil {
		t.Fatalf("job %d: %v", j.ID, err)
	}
	return true
}

// Work works one job with ctx as River would give it (a canceled ctx is
// the node stopping) and returns what the worker returned.
func (e *Engine) Work(ctx context.Context, j *river.Job[downloads.JobArgs]) error {
	return (&downloads.Worker{S: e.Svc}).Work(ctx, j)
}

// Drain works every waiting job, those queued meanwhile included.
func (e *Engine) Drain(t testing.TB) {
	t.Helper()
	for e.WorkNext(t) {
	}
}

// Get reads a download as its owner.
func (e *Engine) Get(t testing.TB, id uuid.UUID) downloads.Download {
	t.Helper()
	d, err := e.Svc.Get(context.Background(), e.User, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Children lists a parent's children in playlist order.
func (e *Engine) Children(t testing.TB, id uuid.UUID) []downloads.Download {
	t.Helper()
	page, err := e.Svc.List(context.Background(), e.User, downloads.ListParams{ParentID: &id, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(page.Items, func(a, b downloads.Download) int { return a.PlaylistIndex - b.PlaylistIndex })
	return page.Items
}
