package downloads_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/downloads/downloadstest"
	"github.com/downlink/downlink/api/internal/events"
)

// TestCompletionPublishedWhileHeartbeatRaces (issue 23, fault 2): a run's
// heartbeat that finds its row already completed (it waited on the
// completion's lock) must not end the run's context under the
// completion's publish. 50 downloads with a heartbeat every millisecond:
// every completion reaches the event stream as download.updated with its
// file, after which nothing about the row goes back.
func TestCompletionPublishedWhileHeartbeatRaces(t *testing.T) {
	e := downloadstest.New(t, downloadstest.Options{HeartbeatInterval: time.Millisecond})
	var ids []downloads.Download
	for i := 0; i < 50; i++ {
		ids = append(ids, e.Submit(t, fmt.Sprintf("https://www.youtube.com/watch?v=a%010d", i), ""))
	}
	e.Drain(t)
	for _, d := range ids {
		got := e.Get(t, d.ID)
		if got.Status != downloads.StatusCompleted || len(got.Files) != 1 {
			t.Fatalf("%s: %s with %d files", d.ID, got.Status, len(got.Files))
		}
		evs := e.Bus.For(d.ID)
		last := evs[len(evs)-1]
		if last.Type != events.TypeDownloadUpdated || last.Status != downloads.StatusCompleted {
			t.Errorf("%s: the last event is %s %s, want download.updated completed (%d events)", d.ID, last.Type, last.Status, len(evs))
		}
	}
}
