package downloads

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/events"
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
	s := &Service{bus: bus, log: slog.New(slog.DiscardHandler)}
	r := &row{ID: uuid.New(), UserID: uuid.New()}
	return newTracker(s, r, 1, Source{}), bus
}

func dl(format string, done, total int64, status string) ytdlp.Progress {
	return ytdlp.Progress{Status: status, FormatID: format, DownloadedBytes: done, TotalBytes: total, ETASeconds: -1}
}

// TestTrackerPercent feeds the tracker what yt-dlp prints and checks the
// percent each progress event carries.
func TestTrackerPercent(t *testing.T) {
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
