package crashtest

import (
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// takeoverDeadline is the promise: a dead node's download is finished by
// another node within two minutes.
const takeoverDeadline = 2 * time.Minute

// TestOtherNodeTakesOver: two nodes on one Postgres database; kill -9 the
// one running a download, and the other finishes it within two minutes,
// exactly once. The dead node, started again, cleans its stale job folder.
//
// DOWNLINK_HEARTBEAT_TIMEOUT is shortened to 8s (a beat every 1.3s); the
// rescue job still runs every 30s, as in production.
func TestOtherNodeTakesOver(t *testing.T) {
	t.Parallel()
	needBinary(t)
	if storetest.Kind() != config.Postgres {
		t.Skip("nodes share a database on Postgres only (TEST_DB=postgres)")
	}
	db := storetest.NewDatabase(t)
	const heartbeat = "DOWNLINK_HEARTBEAT_TIMEOUT=8s"
	a := newNode(t, "node-a", db, heartbeat)
	c := newAdmin(t, a)
	b := newNode(t, "node-b", db, heartbeat)
	nodes := map[string]*node{a.name: a, b.name: b}
	srv := testmedia.NewServer(t)
	url, _, original, size := slowBig(t, srv, 10*time.Second)

	d := c.submit(a, url)
	running := c.waitDownloading(a, d.ID, size/5)
	victim := nodes[running.node()]
	if victim == nil {
		t.Fatalf("download runs on unknown node %q", running.node())
	}
	survivor := a
	if victim == a {
		survivor = b
	}
	checkGuarded(t, victim)
	victim.kill()
	killed := time.Now()
	waitProcsGone(t, victim)
	t.Logf("killed %s at %d of %d bytes", victim.name, running.Progress.DownloadedBytes, size)

	done := c.waitCompleted(survivor, d.ID, takeoverDeadline)
	t.Logf("%s finished it %v after %s died (attempts %d)", survivor.name, time.Since(killed), victim.name, done.Attempts)
	if done.node() != survivor.name {
		t.Errorf("completed on %q, want %s", done.node(), survivor.name)
	}
	if lib := libraryFiles(t, victim); len(lib) != 0 {
		t.Errorf("the dead node's library holds %v", lib)
	}
	checkExactlyOne(t, c, survivor, db, done, original)

	// The dead node comes back: its stale job folder goes, nothing else
	// changes.
	if left := tempEntries(t, victim); len(left) == 0 {
		t.Log("the dead node left no job folder")
	}
	victim.start()
	if left := tempEntries(t, victim); len(left) != 0 {
		t.Errorf("restarted %s kept stale job folders %v", victim.name, left)
	}
	if rows := rowCounts(t, db, "downloads", "files"); rows["downloads"] != 1 || rows["files"] != 1 {
		t.Errorf("after the dead node's restart: %v", rows)
	}
	if got, ok := c.get(victim, d.ID); !ok || got.Status != "completed" {
		t.Errorf("after the dead node's restart: %+v", got)
	}
}
