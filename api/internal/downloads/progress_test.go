package downloads

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// captureBus keeps what was published.
type captureBus struct {
	mu  sync.Mutex
	evs []events.Event
}

func (b *captureBus) Publish(_ context.Context, e events.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.evs = append(b.evs, e)
	return nil
}

func (b *captureBus) progress(t *testing.T) []progressEvent {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []progressEvent
	for _, e := range b.evs {
		if e.Type != events.TypeDownloadProgress {
			continue
		}
		var p progressEvent
		if err := json.Unmarshal(e.Data, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func newTestTracker() (*tracker, *captureBus) {
	bus := &captureBus{}
	s := &Service{bus: bus, log: slog.New(slog.DiscardHandler), runs: newRunTable()}
	r := &row{ID: uuid.New(), UserID: uuid.New()}
	return newTracker(context.Background(), s, r, 1, Source{}), bus
}

func dl(format string, done, total int64, status string) ytdlp.Progress {
	return ytdlp.Progress{Status: status, FormatID: format, DownloadedBytes: done, TotalBytes: total, ETASeconds: -1}
}

// TestTrackerPercent feeds the tracker what yt-dlp prints and checks the
// percent each progress event carries.
func TestTrackerPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		events []ytdlp.Event
		want   []float64 // percent of each download.progress event
	}{
		{
			name: "one stream",
			events: []ytdlp.Event{
				ytdlp.Info{FormatID: "18"},
				dl("18", 0, 1000, "downloading"), dl("18", 500, 1000, "downloading"),
				dl("18", 1000, 1000, "downloading"), dl("18", 1000, 1000, "finished"),
			},
			want: []float64{0, 50, 100, 100},
		},
		{
			// A merged download fetches the video, then the audio, each from
			// zero: the bar must neither jump to 100 after the video nor go
			// back when the audio starts.
			name: "video then audio",
			events: []ytdlp.Event{
				ytdlp.Info{FormatID: "137+140"},
				dl("137", 500, 1000, "downloading"), dl("137", 1000, 1000, "finished"),
				dl("140", 0, 500, "downloading"), dl("140", 250, 500, "downloading"),
				dl("140", 500, 500, "finished"),
			},
			// Until the audio starts, the video counts as half of the item.
			want: []float64{25, 50, 100 * 1000.0 / 1500, 100 * 1250.0 / 1500, 100},
		},
		{
			name: "fragments without a total",
			events: []ytdlp.Event{
				ytdlp.Info{FormatID: "hls-1"},
				ytdlp.Progress{Status: "downloading", FormatID: "hls-1", FragmentIndex: 1, FragmentCount: 4, ETASeconds: -1},
				ytdlp.Progress{Status: "downloading", FormatID: "hls-1", FragmentIndex: 3, FragmentCount: 4, ETASeconds: -1},
				ytdlp.Progress{Status: "finished", FormatID: "hls-1", FragmentIndex: 4, FragmentCount: 4, ETASeconds: -1},
			},
			want: []float64{25, 75, 100},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, bus := newTestTracker()
			for _, e := range tc.events {
				tr.event(e)
			}
			got := bus.progress(t)
			if len(got) != len(tc.want) {
				t.Fatalf("%d progress events, want %d", len(got), len(tc.want))
			}
			prev := 0.0
			for i, p := range got {
				if p.Progress.Percent < prev {
					t.Errorf("event %d: percent went back from %v to %v", i, prev, p.Progress.Percent)
				}
				prev = p.Progress.Percent
				if tc.want[i] != p.Progress.Percent {
					t.Errorf("event %d: percent %v, want %v", i, p.Progress.Percent, tc.want[i])
				}
				if p.Status != StatusDownloading {
					t.Errorf("event %d: status %s", i, p.Status)
				}
			}
			if tc.name == "video then audio" {
				// While the audio still downloads the item is not done.
				for i := 1; i < len(got)-1; i++ {
					if got[i].Progress.Percent >= 100 {
						t.Errorf("event %d: percent %v before the last stream finished", i, got[i].Progress.Percent)
					}
				}
			}
		})
	}
}

// TestTrackerPostProcessing moves to post_processing and clears speed and
// ETA.
func TestTrackerPostProcessing(t *testing.T) {
	t.Parallel()
	tr, bus := newTestTracker()
	tr.event(ytdlp.Info{FormatID: "18"})
	tr.event(ytdlp.Progress{Status: "downloading", FormatID: "18", DownloadedBytes: 10, TotalBytes: 10, SpeedBps: 99, ETASeconds: 3})
	tr.event(ytdlp.Progress{Status: "started", PostProcessor: "ExtractAudio"})
	got := bus.progress(t)
	last := got[len(got)-1]
	if last.Status != StatusPostProcessing || last.Progress.PostProcessor == nil || *last.Progress.PostProcessor != "ExtractAudio" ||
		last.Progress.SpeedBps != nil || last.Progress.ETASeconds != nil || last.Progress.Percent != 100 {
		t.Errorf("post-processing event %+v", last)
	}
}

// newRunningTracker is a tracker of a real row (running, held by job 1)
// of a service on a fresh database.
func newRunningTracker(t *testing.T, ctx context.Context) (*tracker, *captureBus, *row) {
	t.Helper()
	st := storetest.New(t)
	bus := &captureBus{}
	s := New(Config{NodeName: "node-a", Workers: func() int { return 1 }},
		Deps{DB: st.DB, Bus: bus, Logger: storetest.Logger(), Files: testLibrary(t, st)})
	r := insertRow(t, s, "youtube", string(StatusFetchingInfo), 1, nil)
	runCtx, cancel := context.WithCancelCause(ctx)
	t.Cleanup(func() { cancel(nil) })
	s.runs.add(r.ID, runCtx, cancel)
	return newTracker(runCtx, s, r, 1, Source{}), bus, r
}

// updates decodes the download.updated events.
func (b *captureBus) updates(t *testing.T) []Download {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Download
	for _, e := range b.evs {
		if e.Type == events.TypeDownloadUpdated {
			var d Download
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
	}
	return out
}

// A row update published during a run carries the run's newest progress,
// not the older one last written: it never undoes a progress event the
// dashboard already applied.
func TestTrackerUpdateCarriesTheNewestProgress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tr, bus, _ := newRunningTracker(t, ctx)
	tr.event(ytdlp.Info{FormatID: "18", Title: "T"})
	tr.event(dl("18", 100, 1000, "downloading"))
	tr.write(ctx) // stores 10%
	tr.event(dl("18", 600, 1000, "downloading"))
	tr.publishRow(ctx)
	ups := bus.updates(t)
	if len(ups) == 0 {
		t.Fatal("no row update published")
	}
	last := ups[len(ups)-1]
	if last.Status != StatusDownloading || last.Progress.Percent != 60 {
		t.Fatalf("update shows %s at %.0f%%, want downloading at 60%% (the progress already published)", last.Status, last.Progress.Percent)
	}
}

// Once a run's context ends (a cancel), the run publishes nothing more:
// the canceled row is the last word.
func TestTrackerIsSilentAfterCancel(t *testing.T) {
	t.Parallel()
	tr, bus, _ := newRunningTracker(t, context.Background())
	tr.event(ytdlp.Info{FormatID: "18"})
	tr.event(dl("18", 100, 1000, "downloading"))
	before := len(bus.progress(t))
	tr.run.cancel(errCanceledByUser)
	tr.event(dl("18", 900, 1000, "downloading"))
	tr.publishRow(context.Background())
	if got := len(bus.progress(t)); got != before || len(bus.updates(t)) != 0 {
		t.Fatalf("published after the cancel: %d progress events (had %d), %d updates", got, before, len(bus.updates(t)))
	}
}
