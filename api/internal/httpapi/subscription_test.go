package httpapi_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// subscription is the part of a subscription the tests look at.
type subscription struct {
	ID                  uuid.UUID  `json:"id"`
	UserID              uuid.UUID  `json:"user_id"`
	Name                string     `json:"name"`
	Status              string     `json:"status"`
	SourceTitle         *string    `json:"source_title"`
	LastCheckAt         *time.Time `json:"last_check_at"`
	NextCheckAt         *time.Time `json:"next_check_at"`
	LastError           *string    `json:"last_error"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	LastNewItems        int        `json:"last_new_items"`
	Checks              int        `json:"checks"`
	ItemsQueued         int        `json:"items_queued"`
}

// liveFeed is an RSS feed on 127.0.0.1 that a test adds items to between
// checks; each item's enclosure is the test video, told apart by a query.
type liveFeed struct {
	*httptest.Server
	media  *testmedia.Server
	mu     sync.Mutex
	items  []feedItem // oldest first
	status int        // answer this instead of the feed (0: the feed)
}

type feedItem struct {
	n     int
	title string
}

func newLiveFeed(t *testing.T, media *testmedia.Server) *liveFeed {
	f := &liveFeed{media: media}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// add appends items numbered from the next number, titled "Episode N"
// unless a title is given.
func (f *liveFeed) add(titles ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, title := range titles {
		n := len(f.items) + 1
		if title == "" {
			title = testmedia.FeedItemTitle(n)
		}
		f.items = append(f.items, feedItem{n: n, title: title})
	}
}

func (f *liveFeed) itemURL(n int) string {
	return fmt.Sprintf("%s?feed_item=%d", f.media.URL(testmedia.PathVideo), n)
}

func (f *liveFeed) serve(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	type enclosure struct {
		URL  string `xml:"url,attr"`
		Type string `xml:"type,attr"`
	}
	type image struct {
		Href string `xml:"href,attr"`
	}
	type item struct {
		Title       string    `xml:"title"`
		GUID        string    `xml:"guid"`
		PubDate     string    `xml:"pubDate"`
		Duration    string    `xml:"itunes:duration"`
		Description string    `xml:"description"`
		Image       image     `xml:"itunes:image"`
		Enclosure   enclosure `xml:"enclosure"`
	}
	var items []item
	for i := len(f.items) - 1; i >= 0; i-- { // newest first
		it := f.items[i]
		items = append(items, item{Title: it.title, GUID: fmt.Sprintf("live-%d", it.n),
			PubDate:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, it.n).Format(time.RFC1123Z),
			Duration: "4", Description: fmt.Sprintf("About episode %d.", it.n),
			Image: image{Href: f.media.URL(testmedia.PathPoster)}, Enclosure: enclosure{URL: f.itemURL(it.n), Type: "video/mp4"}})
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title string `xml:"title"`
			Items []item `xml:"item"`
		} `xml:"channel"`
	}{Version: "2.0", Channel: struct {
		Title string `xml:"title"`
		Items []item `xml:"item"`
	}{Title: "Live test feed", Items: items}})
}

func createSubscription(t *testing.T, c *apitest.Client, body map[string]any) subscription {
	t.Helper()
	var s subscription
	expectStatus(t, c.Post("/api/v1/subscriptions", body), http.StatusCreated).JSON(&s)
	return s
}

func getSubscription(t *testing.T, c *apitest.Client, id uuid.UUID) subscription {
	t.Helper()
	var s subscription
	expectStatus(t, c.Get("/api/v1/subscriptions/"+id.String()), http.StatusOK).JSON(&s)
	return s
}

// waitChecks waits until the subscription finished n checks.
func waitChecks(t *testing.T, c *apitest.Client, id uuid.UUID, n int) subscription {
	t.Helper()
	var s subscription
	testkit.Eventually(t, downloadTimeout, func() error {
		if s = getSubscription(t, c, id); s.Checks < n {
			return fmt.Errorf("%d checks, want %d: %+v", s.Checks, n, s)
		}
		return nil
	})
	return s
}

// subDownloads lists the downloads a subscription queued, by title.
func subDownloads(t *testing.T, c *apitest.Client, id uuid.UUID) []download {
	t.Helper()
	var out []download
	for _, d := range listAll(t, c, "limit=100") {
		if d.subscriptionID(t, c) == id {
			out = append(out, d)
		}
	}
	return out
}

// subscriptionID reads a download's subscription_id (not in the shared
// download type).
func (d download) subscriptionID(t *testing.T, c *apitest.Client) uuid.UUID {
	t.Helper()
	var x struct {
		SubscriptionID *uuid.UUID `json:"subscription_id"`
	}
	expectStatus(t, c.Get("/api/v1/downloads/"+d.ID.String()), http.StatusOK).JSON(&x)
	if x.SubscriptionID == nil {
		return uuid.Nil
	}
	return *x.SubscriptionID
}

func titles(ds []download) []string {
	var out []string
	for _, d := range ds {
		if d.Title != nil {
			out = append(out, *d.Title)
		} else {
			out = append(out, "<nil>")
		}
	}
	sort.Strings(out)
	return out
}

// TestSubscriptionFeedBackfillThenNewItems is the journey of issue 22: a
// subscription to a local feed backfills its newest 2 items, then, after
// three items appear (one of them excluded by a title filter), the next
// check queues exactly the two new ones; every new item and every check
// is told to the webhooks, and the downloads carry the feed's titles.
func TestSubscriptionFeedBackfillThenNewItems(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	admin := newAccount(t, w.env, authz.RoleAdmin)
	ac, _ := signIn(t, w.env, admin)
	rc := newHookReceiver(t)
	createWebhook(t, ac, map[string]any{"url": rc.URL, "events": []string{"subscription.item_queued", "subscription.checked"}})
	media := testmedia.NewServer(t)
	feed := newLiveFeed(t, media)
	feed.add("", "", "", "", "") // Episodes 1-5

	sub := createSubscription(t, w.c, map[string]any{"url": feed.URL + "/feed.xml", "interval_hours": 12,
		"backfill": map[string]any{"mode": "last", "count": 2},
		"filters":  map[string]any{"title_exclude": []string{"bonus"}}})
	if sub.Status != "pending" || sub.UserID != w.user.ID {
		t.Errorf("new subscription %+v", sub)
	}
	s := waitChecks(t, w.c, sub.ID, 1)
	if s.Status != "ok" || s.LastNewItems != 2 || s.Name != "Live test feed" || s.NextCheckAt == nil ||
		s.NextCheckAt.Before(time.Now().Add(10*time.Hour)) {
		t.Errorf("after the first check: %+v", s)
	}
	first := subDownloads(t, w.c, sub.ID)
	if got := titles(first); !slices.Equal(got, []string{"Episode 4", "Episode 5"}) {
		t.Errorf("backfill queued %v, want Episodes 4 and 5", got)
	}

	feed.add("", "Episode 7 (bonus)", "") // 6, 7 (filtered), 8
	expectStatus(t, w.c.Post("/api/v1/subscriptions/"+sub.ID.String()+"/check", nil), http.StatusAccepted)
	s = waitChecks(t, w.c, sub.ID, 2)
	if s.LastNewItems != 2 || s.ItemsQueued != 4 {
		t.Errorf("after the second check: %+v", s)
	}
	all := subDownloads(t, w.c, sub.ID)
	if got := titles(all); !slices.Equal(got, []string{"Episode 4", "Episode 5", "Episode 6", "Episode 8"}) {
		t.Errorf("queued %v, want Episodes 4, 5, 6 and 8", got)
	}
	for _, d := range all {
		if done := waitCompleted(t, w.env, w.c, d.ID); len(done.Files) != 1 || done.Title == nil {
			t.Errorf("download %s", done)
		}
	}
	// A third check with nothing new queues nothing.
	expectStatus(t, w.c.Post("/api/v1/subscriptions/"+sub.ID.String()+"/check", nil), http.StatusAccepted)
	if s = waitChecks(t, w.c, sub.ID, 3); s.LastNewItems != 0 || len(subDownloads(t, w.c, sub.ID)) != 4 {
		t.Errorf("after a check with nothing new: %+v", s)
	}

	// 4 item events and 3 check events.
	hits := rc.waitHits(t, 7, downloadTimeout)
	events := map[string]int{}
	for _, h := range hits {
		var p struct {
			Type string `json:"type"`
			Data struct {
				Subscription struct {
					ID uuid.UUID `json:"id"`
				} `json:"subscription"`
				Download *struct {
					Title string `json:"title"`
				} `json:"download"`
			} `json:"data"`
		}
		if err := json.Unmarshal(h.body, &p); err != nil || p.Data.Subscription.ID != sub.ID {
			t.Errorf("webhook body %s: %v", h.body, err)
		}
		if p.Type == "subscription.item_queued" && (p.Data.Download == nil || p.Data.Download.Title == "") {
			t.Errorf("item event without its download: %s", h.body)
		}
		events[p.Type]++
	}
	if events["subscription.item_queued"] != 4 || events["subscription.checked"] != 3 {
		t.Errorf("webhook events %v, want 4 item_queued and 3 checked", events)
	}
}

// TestSubscriptionRetentionKeepsPinned: with keep_last 1, a check deletes
// the subscription's older completed downloads and their files, except
// one whose file is pinned.
func TestSubscriptionRetentionKeepsPinned(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	feed := newLiveFeed(t, testmedia.NewServer(t))
	feed.add("", "", "")
	sub := createSubscription(t, w.c, map[string]any{"url": feed.URL + "/feed.xml",
		"backfill": map[string]any{"mode": "all"}, "retention": map[string]any{"keep_last": 1}})
	waitChecks(t, w.c, sub.ID, 1)
	byTitle := map[string]download{}
	for _, d := range subDownloads(t, w.c, sub.ID) {
		d = waitCompleted(t, w.env, w.c, d.ID)
		byTitle[*d.Title] = d
	}
	if len(byTitle) != 3 {
		t.Fatalf("backfill all queued %d, want 3", len(byTitle))
	}
	oldest := byTitle["Episode 1"]
	expectStatus(t, w.c.Do(http.MethodPatch, "/api/v1/files/"+oldest.Files[0].ID.String(), map[string]any{"pinned": true}), http.StatusOK)

	expectStatus(t, w.c.Post("/api/v1/subscriptions/"+sub.ID.String()+"/check", nil), http.StatusAccepted)
	waitChecks(t, w.c, sub.ID, 2)
	if got := titles(subDownloads(t, w.c, sub.ID)); !slices.Equal(got, []string{"Episode 1", "Episode 3"}) {
		t.Errorf("kept %v, want the newest (Episode 3) and the pinned one (Episode 1)", got)
	}
	expectStatus(t, w.c.Get("/api/v1/files/"+byTitle["Episode 2"].Files[0].ID.String()), http.StatusNotFound)
	expectStatus(t, w.c.Get("/api/v1/files/"+oldest.Files[0].ID.String()), http.StatusOK)
}

// TestSubscriptionFailingBacksOff: a source that answers 500 is shown
// failing with its reason and retried later and later, while another
// subscription's checks go on; once the source is back, it recovers.
func TestSubscriptionFailingBacksOff(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	media := testmedia.NewServer(t)
	bad, good := newLiveFeed(t, media), newLiveFeed(t, media)
	bad.status = http.StatusInternalServerError
	good.add("")
	bs := createSubscription(t, w.c, map[string]any{"url": bad.URL + "/feed.xml"})
	gs := createSubscription(t, w.c, map[string]any{"url": good.URL + "/feed.xml", "backfill": map[string]any{"mode": "all"}})
	b1 := waitChecks(t, w.c, bs.ID, 1)
	g1 := waitChecks(t, w.c, gs.ID, 1)
	if b1.Status != "failing" || b1.ConsecutiveFailures != 1 || b1.LastError == nil || b1.NextCheckAt == nil {
		t.Fatalf("failing source: %+v", b1)
	}
	if wait := time.Until(*b1.NextCheckAt); wait < 14*time.Minute || wait > 20*time.Minute {
		t.Errorf("first retry in %v, want about 15 minutes", wait)
	}
	if g1.Status != "ok" || g1.LastNewItems != 1 {
		t.Errorf("the good source: %+v", g1)
	}
	expectStatus(t, w.c.Post("/api/v1/subscriptions/"+bs.ID.String()+"/check", nil), http.StatusAccepted)
	b2 := waitChecks(t, w.c, bs.ID, 2)
	if b2.ConsecutiveFailures != 2 || time.Until(*b2.NextCheckAt) < 29*time.Minute {
		t.Errorf("second failure: %+v (next in %v, want about 30 minutes)", b2, time.Until(*b2.NextCheckAt))
	}
	bad.mu.Lock()
	bad.status = 0
	bad.mu.Unlock()
	bad.add("")
	expectStatus(t, w.c.Post("/api/v1/subscriptions/"+bs.ID.String()+"/check", nil), http.StatusAccepted)
	if b3 := waitChecks(t, w.c, bs.ID, 3); b3.Status != "ok" || b3.ConsecutiveFailures != 0 || b3.LastError != nil || b3.LastNewItems != 0 {
		t.Errorf("recovered source (backfill none): %+v", b3)
	}
}

// TestSubscriptionDuePickSpreads: the periodic pick queues checks only for
// subscriptions that are due, and each check schedules the next one
// interval (give or take a tenth) later.
func TestSubscriptionDuePickSpreads(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	feed := newLiveFeed(t, testmedia.NewServer(t))
	feed.add("")
	var subs []subscription
	for i := range 4 {
		subs = append(subs, createSubscription(t, w.c, map[string]any{"url": fmt.Sprintf("%s/feed.xml?s=%d", feed.URL, i),
			"interval_hours": 10}))
	}
	for _, s := range subs {
		waitChecks(t, w.c, s.ID, 1)
	}
	// Two become due.
	for _, s := range subs[:2] {
		if err := w.env.App.Store.DB.Exec("UPDATE subscriptions SET next_check_at = ? WHERE id = ?",
			time.Now().Add(-time.Minute).UTC(), s.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	n, err := w.env.App.Subscriptions.QueueDue(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("QueueDue = %d, %v; want 2", n, err)
	}
	var nexts []time.Time
	for i, s := range subs {
		want := 1
		if i < 2 {
			want = 2
		}
		got := waitChecks(t, w.c, s.ID, want)
		if got.Checks != want {
			t.Errorf("subscription %d: %d checks, want %d", i, got.Checks, want)
		}
		if d := time.Until(*got.NextCheckAt); d < 8*time.Hour || d > 12*time.Hour {
			t.Errorf("subscription %d: next check in %v, want 9-11 hours", i, d)
		}
		nexts = append(nexts, *got.NextCheckAt)
	}
	if n, err := w.env.App.Subscriptions.QueueDue(t.Context()); err != nil || n != 0 {
		t.Errorf("a second pick queued %d (%v), want none due", n, err)
	}
	slices.SortFunc(nexts, func(a, b time.Time) int { return a.Compare(b) })
	if nexts[0].Equal(nexts[len(nexts)-1]) {
		t.Errorf("every next check at the same time %v: no spread", nexts[0])
	}
}

// TestSubscriptionAccessAndValidation: a user sees and changes only their
// own subscriptions, an admin everyone's; bad input is a 422 that changes
// nothing.
func TestSubscriptionAccessAndValidation(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	feed := newLiveFeed(t, testmedia.NewServer(t))
	sub := createSubscription(t, w.c, map[string]any{"url": feed.URL + "/feed.xml", "enabled": false})
	if sub.Status != "disabled" || sub.NextCheckAt != nil {
		t.Errorf("disabled subscription %+v", sub)
	}
	other := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other)
	path := "/api/v1/subscriptions/" + sub.ID.String()
	expectProblem(t, oc.Get(path), http.StatusNotFound)
	expectProblem(t, oc.Do(http.MethodPatch, path, map[string]any{"interval_hours": 2}), http.StatusNotFound)
	expectProblem(t, oc.Do(http.MethodDelete, path, nil), http.StatusNotFound)
	expectProblem(t, oc.Post(path+"/check", nil), http.StatusNotFound)
	var list struct {
		Items []subscription `json:"items"`
	}
	expectStatus(t, oc.Get("/api/v1/subscriptions"), http.StatusOK).JSON(&list)
	if len(list.Items) != 0 {
		t.Errorf("another user lists %v", list.Items)
	}
	admin := newAccount(t, w.env, authz.RoleAdmin)
	ac, _ := signIn(t, w.env, admin)
	expectStatus(t, ac.Get("/api/v1/subscriptions"), http.StatusOK).JSON(&list)
	if len(list.Items) != 1 || list.Items[0].ID != sub.ID {
		t.Errorf("admin lists %v", list.Items)
	}
	var changed subscription
	expectStatus(t, ac.Do(http.MethodPatch, path, map[string]any{"name": "Renamed"}), http.StatusOK).JSON(&changed)
	if changed.Name != "Renamed" {
		t.Errorf("admin rename: %+v", changed)
	}

	for name, body := range map[string]map[string]any{
		"single video":       {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
		"no url":             {"interval_hours": 2},
		"bad interval":       {"url": feed.URL, "interval_hours": 0},
		"bad regexp":         {"url": feed.URL, "filters": map[string]any{"title_include": []string{"("}}},
		"last without count": {"url": feed.URL, "backfill": map[string]any{"mode": "last"}},
		"unknown mode":       {"url": feed.URL, "backfill": map[string]any{"mode": "some"}},
		"min above max": {"url": feed.URL, "filters": map[string]any{"min_duration_seconds": 100,
			"max_duration_seconds": 10}},
		"bad option": {"url": feed.URL, "options": map[string]any{"exec": "rm"}},
	} {
		t.Run(name, func(t *testing.T) {
			p := expectProblem(t, w.c.Post("/api/v1/subscriptions", body), http.StatusUnprocessableEntity)
			if p["errors"] == nil {
				t.Errorf("no field errors: %v", p)
			}
		})
	}
	expectProblem(t, w.c.Do(http.MethodPatch, path, map[string]any{"url": feed.URL + "/other"}), http.StatusUnprocessableEntity)
	expectStatus(t, w.c.Get("/api/v1/subscriptions"), http.StatusOK).JSON(&list)
	if len(list.Items) != 1 {
		t.Errorf("%d subscriptions after refused input, want 1", len(list.Items))
	}
	expectStatus(t, w.c.Do(http.MethodDelete, path, nil), http.StatusNoContent)
	expectProblem(t, w.c.Get(path), http.StatusNotFound)
}
