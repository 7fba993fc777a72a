package downloads_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/downloads/downloadstest"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Issue 23, fault 1: a playlist must be expanded once and each of its
// items downloaded once, whatever stops or rescues happen while its
// children run. A parent's status follows its children, so it reads
// "downloading" while one of them does; recovery and the rescue job must
// not mistake it for an interrupted download, and a parent that has
// children must never be listed and expanded again.

// fivePlaylist is a playlist of five entries.
func fivePlaylist() *ytdlp.Playlist {
	pl := &ytdlp.Playlist{Title: "Five"}
	for i := 1; i <= 5; i++ {
		pl.Entries = append(pl.Entries, ytdlp.PlaylistEntry{Index: i, ID: fmt.Sprintf("item%d", i),
			URL: fmt.Sprintf("http://127.0.0.1:1/media/%d.mp4", i), Title: fmt.Sprintf("Item %d", i)})
	}
	return pl
}

// midPlaylist is a playlist caught while it downloads: expanded into five
// children, the first completed, the second running (held by the
// scripted yt-dlp until ctx ends or the runner releases it), three
// waiting. The parent then shows a running status.
type midPlaylist struct {
	e        *downloadstest.Engine
	parent   uuid.UUID
	stop     context.CancelFunc // stops the node running the second child
	runDone  chan error         // the second child's Work returned
	urlsRun  func() map[string]int
	released chan struct{}
}

func startMidPlaylist(t *testing.T) *midPlaylist {
	t.Helper()
	r := &downloadstest.Runner{Playlist: fivePlaylist(), Started: make(chan uuid.UUID, 1), Release: make(chan struct{}, 1)}
	e := downloadstest.New(t, downloadstest.Options{Runner: r})
	d := e.Submit(t, "https://www.youtube.com/playlist?list=PLabcdefghijklmnop", "")
	if !e.WorkNext(t) {
		t.Fatal("no job for the parent")
	}
	first, second := e.Queue.Pop(), e.Queue.Pop()
	if first == nil || second == nil {
		t.Fatal("the playlist was not expanded into jobs")
	}
	r.SetHold(true)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	done := make(chan error, 1)
	go func() { done <- e.Work(ctx, second) }()
	select {
	case <-r.Started:
	case <-time.After(10 * time.Second):
		t.Fatal("the second child never started")
	}
	r.SetHold(false)
	if err := e.Work(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	if p := e.Get(t, d.ID); !p.Status.Running() {
		t.Fatalf("the parent should show its running child: %s", p.Status)
	}
	return &midPlaylist{e: e, parent: d.ID, stop: stop, runDone: done, released: r.Release,
		urlsRun: func() map[string]int {
			n := map[string]int{}
			for _, j := range r.Ran() {
				n[j.URL]++
			}
			return n
		}}
}

// checkOnce asserts what the user sees at the end: one listing, exactly
// five children, each completed with one file, the parent completed.
func (m *midPlaylist) checkOnce(t *testing.T) {
	t.Helper()
	e := m.e
	kids := e.Children(t, m.parent)
	if n := e.Runner.ListedCount(); n != 1 {
		t.Errorf("the playlist was listed %d times, want once", n)
	}
	if len(kids) != 5 {
		t.Fatalf("%d children for a playlist of 5 items", len(kids))
	}
	seen := map[string]bool{}
	for _, k := range kids {
		if k.Status != downloads.StatusCompleted || len(k.Files) != 1 || seen[k.URL] {
			t.Errorf("child %d %s: %s with %d files (seen before: %v)", k.PlaylistIndex, k.URL, k.Status, len(k.Files), seen[k.URL])
		}
		seen[k.URL] = true
	}
	if p := e.Get(t, m.parent); p.Status != downloads.StatusCompleted || p.ChildrenCount != 5 {
		t.Errorf("parent: %s with %d children", p.Status, p.ChildrenCount)
	}
}

// TestPlaylistNotExpandedAgainAfterRestart: the node stops (kill -9 or
// SIGTERM: either way the run's context ends and the row stays as it
// was) while a child downloads; at the next start recovery re-queues
// the interrupted child only, and the playlist ends with its five items,
// each downloaded once (the interrupted one resumed).
func TestPlaylistNotExpandedAgainAfterRestart(t *testing.T) {
	m := startMidPlaylist(t)
	m.stop()
	if err := <-m.runDone; err == nil {
		t.Fatal("a run stopped by its node should return an error for River to retry")
	}
	if err := m.e.Svc.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Three children waited; recovery adds the interrupted one, nothing else.
	if n := m.e.Queue.Len(); n != 4 {
		t.Errorf("%d jobs wait after recovery, want 4 (3 waiting children and the interrupted one)", n)
	}
	m.e.Drain(t)
	m.checkOnce(t)
	for u, n := range m.urlsRun() {
		if want := 1; u == "http://127.0.0.1:1/media/2.mp4" {
			want = 2 // interrupted, then resumed
			if n != want {
				t.Errorf("%s ran %d times, want %d", u, n, want)
			}
		} else if n != want {
			t.Errorf("%s ran %d times, want %d", u, n, want)
		}
	}
}

// TestPlaylistNotRescuedWhileChildrenRun: no fault at all, a child just
// downloads for longer than the heartbeat timeout, so the parent's row is
// not touched for that long. The periodic rescue must leave the parent
// alone (its work is in its children, which have their own heartbeats).
func TestPlaylistNotRescuedWhileChildrenRun(t *testing.T) {
	m := startMidPlaylist(t)
	// Time passes: the parent was last written an hour ago.
	if err := m.e.DB.Exec("UPDATE downloads SET updated_at = ? WHERE id = ?", time.Now().UTC().Add(-time.Hour), m.parent).Error; err != nil {
		t.Fatal(err)
	}
	n, err := m.e.Svc.RescueStalled(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("rescue re-queued %d downloads; none stalled", n)
	}
	m.released <- struct{}{}
	if err := <-m.runDone; err != nil {
		t.Fatal(err)
	}
	m.e.Drain(t)
	m.checkOnce(t)
	for u, n := range m.urlsRun() {
		if n != 1 {
			t.Errorf("%s ran %d times, want once", u, n)
		}
	}
}

// TestParentWithChildrenNeverExpandsAgain: a parent's expansion job that
// runs again once the parent has children (a job re-queued by an older
// version, or by a rescue that raced the expansion) finds them and lists
// nothing: the playlist still ends with five items.
func TestParentWithChildrenNeverExpandsAgain(t *testing.T) {
	m := startMidPlaylist(t)
	if err := downloads.RequeueRunning(m.e.Svc, context.Background(), m.parent); err != nil {
		t.Fatal(err)
	}
	m.released <- struct{}{}
	if err := <-m.runDone; err != nil {
		t.Fatal(err)
	}
	m.e.Drain(t)
	m.checkOnce(t)
}

// TestPlaylistRepeatedEntry: children are keyed by their entry, and a
// listing that names one item twice still becomes one child per entry
// (the key tells the repeats apart), not a failed expansion.
func TestPlaylistRepeatedEntry(t *testing.T) {
	pl := fivePlaylist()
	pl.Entries[4].URL, pl.Entries[4].ID = pl.Entries[0].URL, pl.Entries[0].ID
	e := downloadstest.New(t, downloadstest.Options{Runner: &downloadstest.Runner{Playlist: pl}})
	d := e.Submit(t, "https://www.youtube.com/playlist?list=PLabcdefghijklmnop", "")
	e.Drain(t)
	if kids := e.Children(t, d.ID); len(kids) != 5 {
		t.Fatalf("%d children for 5 entries", len(kids))
	}
	if p := e.Get(t, d.ID); p.Status != downloads.StatusCompleted {
		t.Fatalf("parent %s", p.Status)
	}
}
