package crashtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// recoverTimeout bounds "recovers by itself": pgx dials a fresh
// connection on the next query, so /readyz turns 200 within a second or
// two of the server accepting connections; this only absorbs a busy
// machine.
const recoverTimeout = 60 * time.Second

// TestPostgresRestartMidDownload: the Postgres server is stopped (pg_ctl
// stop -m fast, every connection cut) while a download runs and another
// waits, and started again a few seconds later, on a cluster of the
// test's own. During the outage the process stays up: /healthz answers
// 200, /readyz 503 naming the database, and API calls that need the
// database answer 503 problem details. Afterwards, without a
// restart of Downlink, /readyz is 200 again, both downloads complete,
// each exactly once: no job lost, none done twice, no stray file.
//
// It runs in both TEST_DB modes: the cluster is its own either way.
func TestPostgresRestartMidDownload(t *testing.T) {
	t.Parallel()
	o := newOutage(t, 20*time.Second)
	pg, db, n, c, srv := o.pg, o.db, o.n, o.c, o.srv
	url, original, size := o.url, o.original, o.size

	running := c.submit(n, url)
	waiting := c.submit(n, srv.URL(testmedia.PathVideo))
	at := c.waitDownloading(n, running.ID, size/5)
	pid := n.pid()

	pg.stop()
	down := time.Now()
	t.Logf("postgres stopped at %d of %d bytes", at.Progress.DownloadedBytes, size)

	checkOutage(t, c, n, running.ID)
	// Keep Postgres down for a few seconds: progress writes fail, River's
	// and the event bus's listeners lose their connections.
	waitFor(t, time.Minute, "the node to notice the outage", func() bool {
		return n.logs.count("progress write failed") > 0 || n.logs.count("database ping failed") > 0
	})
	time.Sleep(time.Until(down.Add(6 * time.Second)))
	checkAlive(t, n, pid)
	if got := readiness(t, n); got.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz %d just before Postgres came back, want 503", got.status)
	}

	pg.start()
	up := time.Now()
	t.Logf("postgres was down %v", up.Sub(down).Round(time.Millisecond))
	waitFor(t, recoverTimeout, "/readyz to answer 200 again", func() bool {
		return readiness(t, n).status == http.StatusOK
	})
	t.Logf("/readyz 200 again %v after Postgres started", time.Since(up).Round(time.Millisecond))

	first := c.waitCompleted(n, running.ID, 3*time.Minute)
	second := c.waitCompleted(n, waiting.ID, 2*time.Minute)
	t.Logf("both completed %v after Postgres started (attempts %d and %d)", time.Since(up).Round(time.Millisecond),
		first.Attempts, second.Attempts)
	checkAlive(t, n, pid)
	checkAllOnce(t, c, n, db, map[string]string{running.ID: original, waiting.ID: testmedia.Video(t)})
}

// TestPostgresDownWhenDownloadFinishes: yt-dlp finishes its download while
// Postgres is down, so the worker cannot register the file. The finished
// download must not be marked failed nor thrown away: once Postgres is
// back it completes, exactly once, without a restart of Downlink.
func TestPostgresDownWhenDownloadFinishes(t *testing.T) {
	t.Parallel()
	o := newOutage(t, 8*time.Second)
	pg, db, n, c := o.pg, o.db, o.n, o.c
	url, original, size := o.url, o.original, o.size

	d := c.submit(n, url)
	c.waitDownloading(n, d.ID, size/10)
	checkGuarded(t, n)
	pid := n.pid()
	pg.stop()
	down := time.Now()
	if len(procsMentioning(n.tempRoot())) == 0 {
		t.Fatal("yt-dlp finished before Postgres stopped: the machine is too slow for this scenario")
	}
	waitFor(t, 2*time.Minute, "yt-dlp to finish during the outage", func() bool {
		return len(procsMentioning(n.tempRoot())) == 0
	})
	t.Logf("yt-dlp finished %v into the outage", time.Since(down).Round(time.Millisecond))
	waitFor(t, 30*time.Second, "the worker to meet the outage when registering the file", func() bool {
		return n.logs.count("database unreachable; the finished download waits to be registered") > 0
	})
	checkAlive(t, n, pid)

	pg.start()
	up := time.Now()
	t.Logf("postgres was down %v", up.Sub(down).Round(time.Millisecond))
	waitFor(t, recoverTimeout, "/readyz to answer 200 again", func() bool {
		return readiness(t, n).status == http.StatusOK
	})
	// Well within the heartbeat timeout (90s): the worker that ran
	// yt-dlp registers the file itself, nobody downloads it again.
	done := c.waitCompleted(n, d.ID, time.Minute)
	t.Logf("completed %v after Postgres started (attempts %d)", time.Since(up).Round(time.Millisecond), done.Attempts)
	if done.Attempts != 1 {
		t.Errorf("attempts %d, want 1: the finished download was thrown away and fetched again", done.Attempts)
	}
	if got := n.logs.count("download failed"); got != 0 {
		t.Errorf("the worker logged %d failures for a download that only met an outage", got)
	}
	checkAlive(t, n, pid)
	checkAllOnce(t, c, n, db, map[string]string{d.ID: original})
}

// checkOutage checks what clients see while the database is down.
func checkOutage(t *testing.T, c *client, n *node, id string) {
	t.Helper()
	var r probe
	waitFor(t, 30*time.Second, "/readyz to report the outage", func() bool {
		r = readiness(t, n)
		return r.status == http.StatusServiceUnavailable
	})
	if r.body.Checks.Database.OK || !mentions(r.body.Reasons, "database") {
		t.Errorf("/readyz during the outage: database check %+v, reasons %q; want the database named", r.body.Checks.Database, r.body.Reasons)
	}
	if st, _, err := c.do(n, http.MethodGet, "/healthz", nil); err != nil || st != http.StatusOK {
		t.Errorf("/healthz during the outage: %d %v, want 200", st, err)
	}
	calls := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/downloads/" + id, nil},
		{http.MethodGet, "/api/v1/downloads", nil},
		{http.MethodGet, "/api/v1/files", nil},
		{http.MethodPost, "/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:9/never.mp4"}},
	}
	for _, call := range calls {
		st, b, err := c.do(n, call.method, call.path, call.body)
		if err != nil {
			t.Errorf("%s %s during the outage: %v", call.method, call.path, err)
			continue
		}
		var p map[string]any
		switch {
		case st != http.StatusServiceUnavailable:
			t.Errorf("%s %s during the outage: %d, want 503: %s", call.method, call.path, st, b)
		case json.Unmarshal(b, &p) != nil || p["type"] == nil || p["title"] == nil || p["status"] != float64(st):
			t.Errorf("%s %s during the outage: not a problem details body: %s", call.method, call.path, b)
		case leaksCause(string(b)):
			t.Errorf("%s %s during the outage: the cause reaches the client: %s", call.method, call.path, b)
		default:
			t.Logf("%s %s during the outage: %d %s", call.method, call.path, st, p["title"])
		}
	}
}

// leaksCause says whether a body shows a database error's text.
func leaksCause(body string) bool {
	for _, s := range []string{"dial tcp", "connection refused", "pgx", "SQLSTATE", "127.0.0.1:"} {
		if strings.Contains(body, s) {
			return true
		}
	}
	return false
}

// probe is a /readyz answer.
type probe struct {
	status int
	body   struct {
		Checks struct {
			Database struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			} `json:"database"`
		} `json:"checks"`
		Reasons []string `json:"reasons"`
	}
}

func readiness(t *testing.T, n *node) probe {
	t.Helper()
	var p probe
	n.mu.Lock()
	base := n.url
	n.mu.Unlock()
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get(base + "/readyz")
	if err != nil {
		return p
	}
	defer resp.Body.Close()
	p.status = resp.StatusCode
	_ = json.NewDecoder(resp.Body).Decode(&p.body)
	return p
}

func mentions(list []string, word string) bool {
	for _, s := range list {
		if strings.Contains(strings.ToLower(s), word) {
			return true
		}
	}
	return false
}

// checkAlive fails if the node's process exited or was replaced.
func checkAlive(t *testing.T, n *node, pid int) {
	t.Helper()
	n.mu.Lock()
	done := n.done
	n.mu.Unlock()
	select {
	case <-done:
		t.Fatalf("node %s exited: %v\n%s", n.name, n.cmd.ProcessState, n.logs.tail(60))
	default:
	}
	if n.pid() != pid {
		t.Fatalf("node %s runs as pid %d, was %d", n.name, n.pid(), pid)
	}
}

// checkAllOnce checks that every download of want (id → original file)
// completed with exactly one file, that the library holds exactly one
// copy of each original's bytes and nothing else, that the database holds
// those rows and no others, and that no job folder is left.
func checkAllOnce(t *testing.T, c *client, n *node, db config.Database, want map[string]string) {
	t.Helper()
	var downloads []download
	c.list(n, "/api/v1/downloads", &downloads)
	var files []file
	c.list(n, "/api/v1/files", &files)
	if len(downloads) != len(want) || len(files) != len(want) {
		t.Errorf("API lists %d downloads and %d files, want %d of each", len(downloads), len(files), len(want))
	}
	if rows := rowCounts(t, db, "downloads", "files"); rows["downloads"] != int64(len(want)) || rows["files"] != int64(len(want)) {
		t.Errorf("database rows: %v, want %d downloads and %d files", rows, len(want), len(want))
	}
	lib := libraryFiles(t, n)
	if len(lib) != len(want) {
		t.Errorf("library holds %v, want %d files", lib, len(want))
	}
	for id, original := range want {
		if d, ok := c.get(n, id); !ok || d.Status != "completed" || len(d.Files) != 1 {
			t.Errorf("download %s: %+v, want completed with one file", id, d)
		}
		orig, err := os.ReadFile(original)
		if err != nil {
			t.Fatal(err)
		}
		copies := 0
		for _, p := range lib {
			if b, err := os.ReadFile(p); err == nil && bytes.Equal(b, orig) {
				copies++
			}
		}
		if copies != 1 {
			t.Errorf("download %s: the library holds %d copies of its original, want 1", id, copies)
		}
	}
	if left := tempEntries(t, n); len(left) != 0 {
		t.Errorf("temp folder %s still holds %v", n.tempRoot(), left)
	}
}
