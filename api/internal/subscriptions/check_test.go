package subscriptions_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/downloads/downloadstest"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/subscriptions"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// noQueue drops check jobs: these tests run the checks themselves.
type noQueue struct{}

func (noQueue) Insert(context.Context, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{}}, nil
}

func (noQueue) InsertTx(context.Context, *gorm.DB, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{}}, nil
}

func video(id, title string, dur float64, live string) ytdlp.PlaylistEntry {
	return ytdlp.PlaylistEntry{URL: "https://www.youtube.com/watch?v=" + id, ID: id, Title: title, DurationSeconds: dur, LiveStatus: live}
}

// queuedTitles are the titles of the downloads the subscription queued.
func queuedTitles(t *testing.T, e *downloadstest.Engine, res subscriptions.CheckResult) []string {
	t.Helper()
	var out []string
	for _, id := range res.Queued {
		d := e.Get(t, id)
		out = append(out, *d.Title)
	}
	return out
}

// TestCheckYtdlpSource: a playlist listed flat by yt-dlp (the listing
// path of channels and playlists): the first check backfills the newest
// one, the next queues exactly the new entries that pass the filters
// (shorts, live streams, titles), oldest first, and a third queues
// nothing.
func TestCheckYtdlpSource(t *testing.T) {
	t.Parallel()
	e := downloadstest.New(t, downloadstest.Options{})
	svc := subscriptions.New(subscriptions.Deps{DB: e.DB, Queue: noQueue{}, Downloads: e.Svc, Logger: storetest.Logger()})
	ctx := context.Background()
	url := "https://www.youtube.com/playlist?list=PLdownlinktest"
	e.Runner.Playlist = &ytdlp.Playlist{Title: "Test playlist", Entries: []ytdlp.PlaylistEntry{
		video("vid00000003", "Three", 300, "not_live"), video("vid00000002", "Two", 300, ""), video("vid00000001", "One", 300, ""),
	}}
	sub, err := svc.Create(ctx, e.User, subscriptions.Input{URL: &url, Backfill: &subscriptions.Backfill{Mode: subscriptions.BackfillLast, Count: 1},
		Filters: &subscriptions.Filters{SkipShorts: true, SkipLive: true, TitleExclude: []string{"^trailer"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Check(ctx, sub.ID)
	if err != nil || res.Err != nil {
		t.Fatalf("first check: %v %v", err, res.Err)
	}
	if got := queuedTitles(t, e, res); !slices.Equal(got, []string{"Three"}) || res.Skipped != 2 {
		t.Errorf("first check queued %v (skipped %d), want the newest, Three", got, res.Skipped)
	}
	if e.Runner.Listed[0] != "https://www.youtube.com/playlist?list=PLdownlinktest " {
		t.Errorf("listed %q", e.Runner.Listed)
	}

	e.Runner.Playlist.Entries = append([]ytdlp.PlaylistEntry{
		video("vid00000008", "Eight", 600, ""),
		video("vid00000007", "Trailer for eight", 90, ""),
		video("vid00000006", "Now live", 0, "is_live"),
		{URL: "https://www.youtube.com/shorts/vid00000005", ID: "vid00000005", Title: "A short"},
		video("vid00000004", "Four", 45, ""), // 45 s: a short by its length
		video("vid00000009", "Nine", 400, ""),
	}, e.Runner.Playlist.Entries...)
	res, err = svc.Check(ctx, sub.ID)
	if err != nil || res.Err != nil {
		t.Fatalf("second check: %v %v", err, res.Err)
	}
	if got := queuedTitles(t, e, res); !slices.Equal(got, []string{"Nine", "Eight"}) || res.Filtered != 4 {
		t.Errorf("second check queued %v (filtered %d), want Nine then Eight (oldest first) and 4 filtered", got, res.Filtered)
	}
	for _, id := range res.Queued {
		if d := e.Get(t, id); d.SubscriptionID == nil || *d.SubscriptionID != sub.ID || d.DurationSeconds == nil {
			t.Errorf("download %+v", d)
		}
	}
	res, _ = svc.Check(ctx, sub.ID)
	if len(res.Queued) != 0 || res.New != 0 {
		t.Errorf("third check: %+v", res)
	}
	got, err := svc.Get(ctx, e.User, sub.ID)
	if err != nil || got.Checks != 3 || got.ItemsQueued != 3 || got.Status != subscriptions.StatusOK || got.Name != "Test playlist" {
		t.Errorf("subscription %+v, %v", got, err)
	}
}

// TestCheckSkipsArchivedItems: an item its owner downloaded before is
// recorded as archived, not queued again.
func TestCheckSkipsArchivedItems(t *testing.T) {
	t.Parallel()
	e := downloadstest.New(t, downloadstest.Options{})
	svc := subscriptions.New(subscriptions.Deps{DB: e.DB, Queue: noQueue{}, Downloads: e.Svc, Logger: storetest.Logger()})
	ctx := context.Background()
	done := e.Submit(t, "https://www.youtube.com/watch?v=vid00000002", "")
	e.Drain(t)
	if d := e.Get(t, done.ID); d.Status != downloads.StatusCompleted {
		t.Fatalf("one-off download %s", d.Status)
	}
	e.Runner.Playlist = &ytdlp.Playlist{Entries: []ytdlp.PlaylistEntry{video("vid00000002", "Two", 300, ""), video("vid00000001", "One", 300, "")}}
	url := "https://www.youtube.com/playlist?list=PLdownlinktest"
	sub, err := svc.Create(ctx, e.User, subscriptions.Input{URL: &url, Backfill: &subscriptions.Backfill{Mode: subscriptions.BackfillAll}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Check(ctx, sub.ID)
	if err != nil || res.Archived != 1 || fmt.Sprint(queuedTitles(t, e, res)) != "[One]" {
		t.Errorf("check %+v (%v): want One queued and Two archived", res, err)
	}
}

// TestCheckYtdlpSourcePagesToAKnownEntry: a yt-dlp source that published
// more than a page (50) of entries since the last check is read page by
// page until a known entry appears, so every new entry is queued; a
// source with more new entries than the bound (10 pages, 500) queues the
// newest 500 and stops there.
func TestCheckYtdlpSourcePagesToAKnownEntry(t *testing.T) {
	t.Parallel()
	e := downloadstest.New(t, downloadstest.Options{})
	svc := subscriptions.New(subscriptions.Deps{DB: e.DB, Queue: noQueue{}, Downloads: e.Svc, Logger: storetest.Logger()})
	ctx := context.Background()
	url := "https://www.youtube.com/playlist?list=PLdownlinkpages"
	e.Runner.Playlist = &ytdlp.Playlist{Title: "Busy channel", Entries: []ytdlp.PlaylistEntry{
		video("old00000002", "Old two", 300, ""), video("old00000001", "Old one", 300, ""),
	}}
	sub, err := svc.Create(ctx, e.User, subscriptions.Input{URL: &url})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := svc.Check(ctx, sub.ID); err != nil || res.Err != nil || len(res.Queued) != 0 || res.Skipped != 2 {
		t.Fatalf("first check (backfill none): %+v %v", res, err)
	}
	publish := func(n, from int) {
		var fresh []ytdlp.PlaylistEntry
		for i := from + n - 1; i >= from; i-- { // newest first
			fresh = append(fresh, video(fmt.Sprintf("new%08d", i), fmt.Sprintf("New %d", i), 300, ""))
		}
		e.Runner.Playlist.Entries = append(fresh, e.Runner.Playlist.Entries...)
	}

	publish(120, 1)
	listed := e.Runner.ListedCount()
	res, err := svc.Check(ctx, sub.ID)
	if err != nil || res.Err != nil {
		t.Fatalf("second check: %v %v", err, res.Err)
	}
	got := queuedTitles(t, e, res)
	if len(got) != 120 || got[0] != "New 1" || got[119] != "New 120" {
		t.Fatalf("second check queued %d (%v … %v), want all 120 new, oldest first", len(got), got[:min(3, len(got))], got[max(0, len(got)-3):])
	}
	if pages := e.Runner.Listed[listed:]; !slices.Equal(pages, []string{url + " ", url + " 52:101", url + " 102:151"}) {
		t.Errorf("listed %q, want three pages (the third holds a known entry)", pages)
	}

	// Nothing new: one page, nothing queued.
	listed = e.Runner.ListedCount()
	if res, _ := svc.Check(ctx, sub.ID); len(res.Queued) != 0 || e.Runner.ListedCount()-listed != 1 {
		t.Errorf("third check: %+v after %d listings", res, e.Runner.ListedCount()-listed)
	}

	// More than the bound: the newest 500, in ten pages.
	publish(700, 1000)
	listed = e.Runner.ListedCount()
	res, err = svc.Check(ctx, sub.ID)
	if err != nil || res.Err != nil {
		t.Fatalf("fourth check: %v %v", err, res.Err)
	}
	got = queuedTitles(t, e, res)
	if len(got) != 500 || got[0] != "New 1200" || got[499] != "New 1699" || e.Runner.ListedCount()-listed != 10 {
		t.Errorf("fourth check queued %d (%v … %v) in %d listings, want the newest 500 in 10", len(got),
			got[:min(1, len(got))], got[max(0, len(got)-1):], e.Runner.ListedCount()-listed)
	}
}

// growingPlaylist is a platform handler that lists a playlist itself,
// oldest entry first, as the Spotify handler lists a playlist's embed
// page.
type growingPlaylist struct {
	downloads.HandlerDefaults
	mu      sync.Mutex
	entries int
}

func (g *growingPlaylist) add(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.entries += n
}

func (g *growingPlaylist) Expand(context.Context, downloads.Item) (downloads.Expansion, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	exp := downloads.Expansion{Title: "Growing", OldestFirst: true}
	for i := 1; i <= g.entries; i++ {
		exp.Children = append(exp.Children, downloads.Child{URL: fmt.Sprintf("https://open.spotify.com/track/%022d", i),
			Title: fmt.Sprintf("Track %d", i), Kind: "track"})
	}
	return exp, nil
}

// TestCheckOldestFirstListing: a source its handler lists oldest first
// (a Spotify playlist, which grows at its end) is read newest first: the
// first check's "newest 2" are its last two entries, and a later check
// queues every entry added since — more than a page of them, from a
// playlist longer than a page — oldest first, and nothing it saw before.
func TestCheckOldestFirstListing(t *testing.T) {
	t.Parallel()
	pl := &growingPlaylist{entries: 80}
	e := downloadstest.New(t, downloadstest.Options{Handlers: map[string]downloads.PlatformHandler{"spotify": pl}})
	svc := subscriptions.New(subscriptions.Deps{DB: e.DB, Queue: noQueue{}, Downloads: e.Svc, Logger: storetest.Logger()})
	ctx := context.Background()
	url := "https://open.spotify.com/playlist/37i9dQZF1DXcheck000001"
	sub, err := svc.Create(ctx, e.User, subscriptions.Input{URL: &url, Backfill: &subscriptions.Backfill{Mode: subscriptions.BackfillLast, Count: 2}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Check(ctx, sub.ID)
	if err != nil || res.Err != nil {
		t.Fatalf("first check: %v %v", err, res.Err)
	}
	if got := queuedTitles(t, e, res); !slices.Equal(got, []string{"Track 79", "Track 80"}) {
		t.Errorf("first check queued %v, want the last two, oldest first", got)
	}

	pl.add(70) // 81..150: more than a page (50)
	res, err = svc.Check(ctx, sub.ID)
	if err != nil || res.Err != nil {
		t.Fatalf("second check: %v %v", err, res.Err)
	}
	got := queuedTitles(t, e, res)
	if len(got) != 70 || got[0] != "Track 81" || got[69] != "Track 150" {
		t.Errorf("second check queued %d (%v … %v), want Tracks 81 to 150, oldest first", len(got),
			got[:min(2, len(got))], got[max(0, len(got)-2):])
	}
	if res, _ := svc.Check(ctx, sub.ID); len(res.Queued) != 0 || res.New != 0 {
		t.Errorf("third check: %+v", res)
	}
}
