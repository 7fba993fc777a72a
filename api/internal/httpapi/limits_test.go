package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// These tests hold issue 17's limits (2a-c, 9) against the real server and
// real yt-dlp on media served from 127.0.0.1.

// limitWait bounds how long a limit may take to stop a download: the
// limits fire within seconds, yt-dlp's start on a busy machine takes some.
const limitWait = 60 * time.Second

// setGlobal changes the global settings as an admin: edit gets the
// current document and changes it in place.
func setGlobal(t *testing.T, admin *apitest.Client, edit func(g map[string]any)) map[string]any {
	t.Helper()
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	edit(g)
	var out map[string]any
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK).JSON(&out)
	return out
}

// setLimits changes some of the global limits.
func setLimits(t *testing.T, admin *apitest.Client, kv ...any) {
	t.Helper()
	setGlobal(t, admin, func(g map[string]any) {
		l := g["limits"].(map[string]any)
		for i := 0; i+1 < len(kv); i += 2 {
			l[kv[i].(string)] = kv[i+1]
		}
	})
}

// setPlatformLimits sets a platform's limit overrides as an admin and
// returns the platform's settings as the PUT answered.
func setPlatformLimits(t *testing.T, admin *apitest.Client, platform string, limits map[string]any) map[string]any {
	t.Helper()
	var list struct {
		Items []map[string]any `json:"items"`
	}
	admin.Get("/api/v1/settings/platforms").Expect(http.StatusOK).JSON(&list)
	for _, ps := range list.Items {
		if ps["platform"] != platform {
			continue
		}
		for _, k := range []string{"platform", "cookies_set", "cookies_expire_at", "cookies_warning", "updated_at"} {
			delete(ps, k)
		}
		ps["limits"] = limits
		var out map[string]any
		admin.Do(http.MethodPut, "/api/v1/settings/platforms/"+platform, ps).Expect(http.StatusOK).JSON(&out)
		return out
	}
	t.Fatalf("no platform %s", platform)
	return nil
}

// waitFailedWith waits (at most limitWait) for the download to fail with
// code and returns it with how long it took from now.
func waitFailedWith(t *testing.T, w dlWorld, id uuid.UUID, code string) (download, time.Duration) {
	t.Helper()
	start := time.Now()
	d := waitDownload(t, w.env, w.c, id, limitWait, "failed with "+code, download.final)
	if d.Status != "failed" || d.Error == nil || d.Error.Code != code {
		t.Fatalf("download ended %s, want failed with %s: %s\nlog tail:\n%s", d.Status, code, d, logTail(w.env, 4000))
	}
	return d, time.Since(start)
}

// TestLimitsShownAndValidated: GET /settings shows the limits with their
// defaults, a PUT without them keeps them, bad values are a 422 naming the
// field, and a platform override shows on the platform's settings.
func TestLimitsShownAndValidated(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	l, ok := g["limits"].(map[string]any)
	if !ok || l["max_download_seconds"] != float64(21600) || l["live_streams_allowed"] != false ||
		l["max_probes_per_user"] != float64(2) || l["max_running_downloads_per_user"] != float64(4) {
		t.Fatalf("default limits %v", g["limits"])
	}
	setLimits(t, admin, "max_download_seconds", 60)
	delete(g, "limits")
	out := map[string]any{}
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK).JSON(&out)
	if out["limits"].(map[string]any)["max_download_seconds"] != float64(60) {
		t.Errorf("a PUT without limits changed them: %v", out["limits"])
	}
	g["limits"] = map[string]any{"max_download_seconds": -1, "max_download_bytes": 0, "live_streams_allowed": false,
		"max_running_downloads_per_user": 0, "max_probes_per_user": 0, "max_concurrent_probes": 1}
	p := expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings", g), http.StatusUnprocessableEntity)
	if !strings.Contains(fmt.Sprint(p["errors"]), "limits.max_probes_per_user") {
		t.Errorf("422 does not name the field: %v", p)
	}
	after := setPlatformLimits(t, admin, "generic", map[string]any{"max_download_seconds": 30, "max_download_bytes": nil})
	if pl := after["limits"].(map[string]any); pl["max_download_seconds"] != float64(30) || pl["max_download_bytes"] != nil {
		t.Errorf("platform limits %v", after["limits"])
	}
}

// TestDownloadTrickleStoppedAtMaxDuration: a stream that trickles (20 kB/s
// of a 3 MB file: minutes) is stopped at the maximum duration (the generic
// platform's override, 3 s) with a clear reason.
func TestDownloadTrickleStoppedAtMaxDuration(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	admin := adminClient(t, w.env)
	setPlatformLimits(t, admin, "generic", map[string]any{"max_download_seconds": 3, "max_download_bytes": nil})
	srv := testmedia.NewServer(t)
	d := submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 20_000))
	got, took := waitFailedWith(t, w, d.ID, "too_long")
	if !strings.Contains(got.Error.Message, "3s") {
		t.Errorf("message does not say the limit: %q", got.Error.Message)
	}
	t.Logf("stopped %v after submission", took)
	waitNoProcess(t, d.ID)
}

// TestDownloadTrickleStoppedAtMaxSize: the temporary files passing the
// maximum size stop the download with a clear reason.
func TestDownloadTrickleStoppedAtMaxSize(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	admin := adminClient(t, w.env)
	setLimits(t, admin, "max_download_bytes", 200_000)
	srv := testmedia.NewServer(t)
	d := submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 150_000))
	got, took := waitFailedWith(t, w, d.ID, "too_large")
	if !strings.Contains(got.Error.Message, "195 KiB") {
		t.Errorf("message does not say the limit: %q", got.Error.Message)
	}
	t.Logf("stopped %v after submission", took)
	waitNoProcess(t, d.ID)
}

// TestDownloadTempBytesCountAgainstQuota: while a download runs, its
// temporary files show in GET /storage and count against the quota; past
// the quota the download stops with storage_quota_exceeded, and its bytes
// no longer count.
func TestDownloadTempBytesCountAgainstQuota(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	admin := adminClient(t, w.env)
	setGlobal(t, admin, func(g map[string]any) { g["default_storage_quota_bytes"] = 400_000 })
	srv := testmedia.NewServer(t)
	d := submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 100_000))
	sawTemp := false
	testkit.Eventually(t, limitWait, func() error {
		var st struct {
			UsedBytes int64 `json:"used_bytes"`
			TempBytes int64 `json:"temp_bytes"`
			OverQuota bool  `json:"over_quota"`
		}
		w.c.Get("/api/v1/storage").Expect(http.StatusOK).JSON(&st)
		if st.TempBytes > 0 {
			sawTemp = true
			if st.UsedBytes < st.TempBytes {
				t.Errorf("used_bytes %d leaves out temp_bytes %d", st.UsedBytes, st.TempBytes)
			}
		}
		if d := getDownload(t, w.c, d.ID); !d.final() {
			return fmt.Errorf("download still %s", d.Status)
		}
		return nil
	})
	if !sawTemp {
		t.Errorf("GET /storage never showed the running download's temporary bytes")
	}
	got, _ := waitFailedWith(t, w, d.ID, "storage_quota_exceeded")
	if !strings.Contains(got.Error.Message, "quota") {
		t.Errorf("message %q", got.Error.Message)
	}
	var st map[string]any
	w.c.Get("/api/v1/storage").Expect(http.StatusOK).JSON(&st)
	if st["temp_bytes"] != float64(0) || st["over_quota"] != false {
		t.Errorf("after the stop: %v", st)
	}
	waitNoProcess(t, d.ID)
}

// liveHLS serves testmedia's HLS rendition as a live stream: the playlist
// without #EXT-X-ENDLIST (and without the VOD type), as a live encoder's
// playlist looks between two updates.
func liveHLS(t *testing.T) string {
	t.Helper()
	dir := testmedia.HLS(t)
	raw, err := os.ReadFile(filepath.Join(dir, "index.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(l, "#EXT-X-ENDLIST") && !strings.HasPrefix(l, "#EXT-X-PLAYLIST-TYPE") {
			lines = append(lines, l)
		}
	}
	playlist := strings.Join(lines, "\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/live/index.m3u8" {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			_, _ = w.Write([]byte(playlist))
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, filepath.Base(r.URL.Path)))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/live/index.m3u8"
}

// TestLiveStreamRefusedUnlessAllowed: a live HLS stream fails at once with
// the code live (the probe warns first); with live streams allowed it is
// not refused (it runs until the maximum duration stops it).
func TestLiveStreamRefusedUnlessAllowed(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	admin := adminClient(t, w.env)
	url := liveHLS(t)
	var pr struct {
		Warnings []string `json:"warnings"`
	}
	w.c.Post("/api/v1/downloads/probe", map[string]any{"url": url}).Expect(http.StatusOK).JSON(&pr)
	if !strings.Contains(strings.Join(pr.Warnings, " "), "live stream") {
		t.Errorf("probe warnings %q", pr.Warnings)
	}
	d := submitURL(t, w.c, url)
	got, took := waitFailedWith(t, w, d.ID, "live")
	if !strings.Contains(got.Error.Message, "live stream") {
		t.Errorf("message %q", got.Error.Message)
	}
	t.Logf("refused %v after submission", took)

	setLimits(t, admin, "live_streams_allowed", true, "max_download_seconds", 8)
	d = submitURL(t, w.c, url)
	got = waitFinal(t, w.env, w.c, d.ID)
	if got.Error != nil && got.Error.Code == "live" {
		t.Errorf("refused although allowed: %s", got)
	}
	waitNoProcess(t, d.ID)
}

// waitNoProcess waits until no process mentions the download (its yt-dlp and
// ffmpeg have ended).
func waitNoProcess(t *testing.T, id uuid.UUID) {
	t.Helper()
	testkit.EventuallyTrue(t, 20*time.Second, "the download's processes to end", func() bool {
		return len(processesMentioning(id.String())) == 0
	})
}

// TestProbesPooledAndCappedPerUser fires parallel probes at a page that
// answers only when released: one user gets max_probes_per_user running at
// once and 429s with retry_after beyond; the node never runs more than
// max_concurrent_probes yt-dlp probes.
func TestProbesPooledAndCappedPerUser(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	admin := adminClient(t, w.env)
	setLimits(t, admin, "max_probes_per_user", 2, "max_concurrent_probes", 3)
	media := testmedia.NewServer(t)
	target := media.PageURL(testmedia.PathVideo)
	release := make(chan struct{})
	var inFlight, maxInFlight atomic.Int32
	hold := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		inFlight.Add(-1)
		http.Redirect(rw, r, target, http.StatusFound)
	}))
	t.Cleanup(hold.Close)
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)

	other := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other)
	type answer struct {
		status int
		body   map[string]any
	}
	answers := make(chan answer, 7)
	var wg sync.WaitGroup
	probe := func(c *apitest.Client, i int) {
		defer wg.Done()
		r := c.Post("/api/v1/downloads/probe", map[string]any{"url": fmt.Sprintf("%s/page-%d", hold.URL, i)})
		var body map[string]any
		_ = jsonInto(r, &body)
		answers <- answer{r.Status, body}
	}
	for i := range 5 {
		wg.Add(1)
		go probe(w.c, i)
	}
	// The user's two probes are held at the page; their other three are
	// refused at once.
	refused := 0
	deadline := time.Now().Add(limitWait)
	for refused < 3 || inFlight.Load() < 2 {
		select {
		case a := <-answers:
			if a.status != http.StatusTooManyRequests || a.body["retry_after"] == nil {
				t.Fatalf("while held: %d %v", a.status, a.body)
			}
			refused++
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d refused, %d probes at the page (max %d)", limitWait, refused, inFlight.Load(), maxInFlight.Load())
		}
	}
	// Another user takes the pool's last slot; their second probe finds
	// the pool full.
	for i := range 2 {
		wg.Add(1)
		go probe(oc, 10+i)
	}
	for refused < 4 || inFlight.Load() < 3 {
		select {
		case a := <-answers:
			if a.status != http.StatusTooManyRequests {
				t.Fatalf("while held: %d %v", a.status, a.body)
			}
			refused++
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d refused, %d probes at the page (max %d)", limitWait, refused, inFlight.Load(), maxInFlight.Load())
		}
	}
	releaseOnce()
	wg.Wait()
	close(answers)
	ok := 0
	for a := range answers {
		if a.status == http.StatusOK {
			ok++
		} else {
			t.Errorf("after release: %d %v", a.status, a.body)
		}
	}
	if ok != 3 || refused != 4 {
		t.Errorf("%d probes answered, %d refused; want 3 and 4", ok, refused)
	}
	if m := maxInFlight.Load(); m > 3 {
		t.Errorf("%d yt-dlp probes ran at once, the pool is 3", m)
	}
	t.Logf("at most %d probes at once; %d answered, %d refused", maxInFlight.Load(), ok, refused)
	// Slots are given back: the user can probe again.
	w.c.Post("/api/v1/downloads/probe", map[string]any{"url": hold.URL + "/again"}).Expect(http.StatusOK)
}

// TestRunningDownloadsCappedPerUser: with max_running_downloads_per_user
// 1 on a node of three workers, one user's three downloads run one at a
// time, while another user's download runs beside them.
func TestRunningDownloadsCappedPerUser(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, workers(3))
	admin := adminClient(t, w.env)
	setLimits(t, admin, "max_running_downloads_per_user", 1)
	srv := testmedia.NewServer(t)
	var ids []uuid.UUID
	for range 3 {
		ids = append(ids, submitURL(t, w.c, srv.SlowURL(testmedia.PathBig, 2_000_000)).ID)
	}
	other := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other)
	otherID := submitURL(t, oc, srv.SlowURL(testmedia.PathBig, 2_000_000)).ID
	maxAtOnce, sawBeside := 0, false
	watchRuns(t, w, ids, append(slices.Clone(ids), otherID), func(running map[uuid.UUID]bool) {
		if running[otherID] && len(running) > 1 {
			sawBeside = true
		}
		delete(running, otherID)
		maxAtOnce = max(maxAtOnce, len(running))
	})
	if maxAtOnce != 1 {
		t.Errorf("%d of one user's downloads ran at once, the cap is 1", maxAtOnce)
	}
	if !sawBeside {
		t.Errorf("the other user's download never ran beside the capped user's")
	}
	for _, id := range ids {
		if d := getDownload(t, w.c, id); d.Status != "completed" {
			t.Errorf("%s", d)
		}
	}
	waitCompleted(t, w.env, oc, otherID)
}

// TestDailyQuotaCountsExpandedItems: a key with a daily quota of 1
// submits a feed of three items: one item is downloaded, the others are
// not queued, and the parent says why.
func TestDailyQuotaCountsExpandedItems(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	k := createKey(t, w.c, "quota", []authz.Scope{authz.ScopeDownloadsRead, authz.ScopeDownloadsWrite},
		"daily_download_quota", 1)
	kc := w.env.WithAPIKey(k.Key)
	srv := testmedia.NewServer(t)
	parent := submitURL(t, kc, srv.FeedURL(3))
	p := waitFinal(t, w.env, w.c, parent.ID) // polled by the session: the key has a rate limit
	if p.ChildrenCount != 1 || p.ChildrenSummary["completed"] != 1 {
		t.Errorf("parent %s", p)
	}
	var warned *dlError
	for i := range p.Warnings {
		if p.Warnings[i].Code == "quota_exceeded" {
			warned = &p.Warnings[i]
		}
	}
	if warned == nil || !strings.Contains(warned.Message, "1 of the 3") {
		t.Errorf("no quota warning on the parent: %v", p.Warnings)
	}
	if n := countRows(t, w.env, "downloads", "parent_id = ?", parent.ID); n != 1 {
		t.Errorf("%d children, want 1", n)
	}
	if n := countRows(t, w.env, "files", "user_id = ?", w.user.ID); n != 1 {
		t.Errorf("%d files, want 1", n)
	}
	// The quota is used up: the next submission is refused.
	expectProblem(t, kc.Post("/api/v1/downloads", map[string]any{"url": srv.URL(testmedia.PathVideo)}), http.StatusTooManyRequests)
}

// TestHugeFeedCutWhileListing (security issue 17, finding 2c): a feed of
// 100,000 items is read by Downlink's own streaming reader, which stops
// one item past the 1,000-item cap: the parent gets its 1,000 children,
// titled as the feed titles them (issue 19), says the list was cut, and
// no yt-dlp ever reads the feed (yt-dlp's RSS extractor parses a whole
// feed first: about a minute of CPU for this one). The wait is the usual
// download timeout; the expansion takes well under a second.
func TestHugeFeedCutWhileListing(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t, workers(1))
	srv := testmedia.NewServer(t)
	start := time.Now()
	feed := srv.FeedURL(testmedia.MaxFeedItems)
	parent := submitURL(t, w.c, feed)
	ytdlpOnFeed := false
	p := waitDownload(t, w.env, w.c, parent.ID, downloadTimeout, "expanded", func(d download) bool {
		if d.Status == "failed" {
			t.Fatalf("listing failed: %s", d)
		}
		ytdlpOnFeed = ytdlpOnFeed || len(processesMentioning(feed)) > 0
		return d.ChildrenCount > 0
	})
	took := time.Since(start)
	// Its children would download a thousand videos: stop them.
	expectStatus(t, retryUnavailable(t, func() *apitest.Response {
		return w.c.Post("/api/v1/downloads/"+parent.ID.String()+"/cancel", nil)
	}), http.StatusOK)
	if p.ChildrenCount != 1000 {
		t.Errorf("%d children, want the cap of 1000", p.ChildrenCount)
	}
	if p.Title == nil || *p.Title != "Downlink test feed" {
		t.Errorf("parent title %v, want the feed's", p.Title)
	}
	var warned bool
	for _, wn := range p.Warnings {
		warned = warned || (wn.Code == "list_truncated" && strings.Contains(wn.Message, "1000"))
	}
	if !warned {
		t.Errorf("no list_truncated warning: %v", p.Warnings)
	}
	if ytdlpOnFeed {
		t.Errorf("a yt-dlp process read the feed; Downlink's reader should have")
	}
	var page struct {
		Items []download `json:"items"`
	}
	expectStatus(t, w.c.Get("/api/v1/downloads?parent_id="+parent.ID.String()+"&limit=3"), http.StatusOK).JSON(&page)
	if len(page.Items) == 0 {
		t.Fatal("no children listed")
	}
	for _, c := range page.Items {
		if c.Title == nil || *c.Title != testmedia.FeedItemTitle(c.PlaylistIndex) {
			t.Errorf("child %d titled %v, want %q", c.PlaylistIndex, c.Title, testmedia.FeedItemTitle(c.PlaylistIndex))
		}
	}
	t.Logf("100,000-item feed expanded into %d children in %v", p.ChildrenCount, took)
}
