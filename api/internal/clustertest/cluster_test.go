package clustertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

const (
	// downloadsCount downloads of mediaRate-throttled media: a few seconds
	// each, so both workers are busy when one is killed.
	downloadsCount = 20
	mediaRate      = 16 << 10
	// takeoverDeadline is the promise: a dead node's download is finished
	// by another node within two minutes.
	takeoverDeadline = 2 * time.Minute
)

// TestThreeProcessesShareTheWork follows docs/scaling.md on one machine:
// `downlink serve` with DOWNLINK_WORKERS=0 and two `downlink worker`
// processes on one Postgres database and one data dir. Both workers take
// jobs, the API node's SSE stream carries both workers' progress, and a
// worker killed with SIGKILL mid-download loses nothing: its downloads
// finish on the other worker within two minutes, each with exactly one
// file.
//
// DOWNLINK_HEARTBEAT_TIMEOUT is 8s (a beat every 1.3s); the rescue job
// still runs every 30s, as in production.
func TestThreeProcessesShareTheWork(t *testing.T) {
	needBinary(t)
	if storetest.Kind() != config.Postgres {
		t.Skip("several processes share one database on Postgres only: run with TEST_DB=postgres TEST_DATABASE_URL=postgres://… (SQLite is the one-process setup)")
	}
	started := time.Now()
	db := storetest.NewDatabase(t)
	c := clusterEnv{dataDir: t.TempDir(), dbURL: db.DSN, extra: []string{"DOWNLINK_HEARTBEAT_TIMEOUT=8s"}}
	c.run(t, "", "migrate") // once, before the nodes, as the deploy files do
	api := c.start(t, "serve", "api", "DOWNLINK_WORKERS=0")
	cl := newClient(t, adminKey(t, c))
	workers := map[string]*proc{}
	for _, name := range []string{"worker-1", "worker-2"} {
		workers[name] = c.start(t, "worker", name, "DOWNLINK_WORKERS=2")
	}
	waitFor(t, 60*time.Second, "the system page to list the three nodes", func() bool {
		var sys struct {
			Nodes []struct {
				Name  string `json:"name"`
				Role  string `json:"role"`
				Alive bool   `json:"alive"`
			} `json:"nodes"`
		}
		cl.do(http.MethodGet, api.url+"/api/v1/system", nil, &sys, http.StatusOK)
		roles := map[string]string{}
		for _, n := range sys.Nodes {
			if n.Alive {
				roles[n.Name] = n.Role
			}
		}
		return roles["api"] == "serve" && roles["worker-1"] == "worker" && roles["worker-2"] == "worker"
	})

	events := cl.listen(api.url)
	srv := testmedia.NewServer(t)
	media := srv.SlowURL(testmedia.PathVideo, mediaRate)
	ids := map[string]bool{}
	for i := range downloadsCount {
		d := cl.submit(api.url, fmt.Sprintf("%s?n=%d", media, i))
		ids[d.ID] = true
	}

	// Both workers finish something, and worker-1 is in the middle of a
	// download: then it dies.
	victim := workers["worker-1"]
	waitFor(t, 2*time.Minute, "both workers to take jobs and worker-1 to be mid-download", func() bool {
		done := map[string]int{}
		midway := false
		for _, d := range cl.all(api.url) {
			if d.Status == "completed" {
				done[d.node()]++
			}
			if d.node() == victim.name && d.Status == "downloading" && d.Progress.DownloadedBytes > 0 {
				midway = true
			}
		}
		return done["worker-1"] > 0 && done["worker-2"] > 0 && midway
	})
	victim.kill()
	killed := time.Now()
	orphaned := map[string]bool{}
	firstNode := map[string]string{}
	for _, d := range cl.all(api.url) {
		firstNode[d.ID] = d.node()
		if d.node() == victim.name && d.Status != "completed" && d.Status != "queued" {
			orphaned[d.ID] = true
		}
	}
	if len(orphaned) == 0 {
		t.Fatal("worker-1 was killed running nothing")
	}
	t.Logf("killed worker-1 %v in, running %d downloads", killed.Sub(started).Round(time.Second), len(orphaned))

	waitFor(t, takeoverDeadline, "worker-2 to finish worker-1's downloads", func() bool {
		for _, d := range cl.all(api.url) {
			if orphaned[d.ID] && d.Status != "completed" {
				if d.Status == "failed" || d.Status == "canceled" {
					t.Fatalf("orphaned download ended %s", d.Status)
				}
				return false
			}
		}
		return true
	})
	t.Logf("worker-1's downloads finished on worker-2 %v after the kill", time.Since(killed).Round(time.Second))
	var final []download
	waitFor(t, 2*time.Minute, "every download to finish", func() bool {
		final = cl.all(api.url)
		for _, d := range final {
			if d.Status != "completed" {
				return false
			}
		}
		return len(final) == downloadsCount
	})
	t.Logf("%d downloads done in %v", downloadsCount, time.Since(started).Round(time.Second))

	byNode := map[string]int{}
	for _, d := range final {
		if !ids[d.ID] {
			t.Errorf("unknown download %s", d.ID)
		}
		byNode[firstNode[d.ID]]++
		if orphaned[d.ID] && (d.node() != "worker-2" || d.Attempts < 2) {
			t.Errorf("orphaned download %s completed on %q after %d attempts", d.ID, d.node(), d.Attempts)
		}
	}
	t.Logf("downloads by node at the time of the kill: %v", byNode)
	checkOneFileEach(t, db, c.dataDir, ids)
	checkEvents(t, events, ids)
}

// checkOneFileEach: one files row per download, and exactly those files
// in the shared library, nothing half-copied.
func checkOneFileEach(t *testing.T, db config.Database, dataDir string, ids map[string]bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, db, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rows []struct {
		DownloadID string
		RelPath    string
		ThumbKey   *string
	}
	if err := st.DB.WithContext(ctx).Table("files").Select("download_id, rel_path, thumb_key").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	perDownload := map[string]int{}
	registered := map[string]bool{}
	stills := 0
	for _, r := range rows {
		perDownload[r.DownloadID]++
		registered[filepath.FromSlash(r.RelPath)] = true
		if r.ThumbKey != nil { // the still grabbed from a video without a thumbnail
			registered[filepath.FromSlash(*r.ThumbKey)] = true
			stills++
		}
	}
	for id := range ids {
		if perDownload[id] != 1 {
			t.Errorf("download %s has %d files, want 1", id, perDownload[id])
		}
	}
	if len(rows) != len(ids) {
		t.Errorf("%d files rows for %d downloads", len(rows), len(ids))
	}
	lib := filepath.Join(dataDir, "library")
	var onDisk []string
	_ = filepath.WalkDir(lib, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(lib, p)
			onDisk = append(onDisk, rel)
			if !registered[rel] {
				t.Errorf("library file %s has no row", rel)
			}
		}
		return nil
	})
	if len(onDisk) != len(ids)+stills {
		t.Errorf("library holds %d files, want %d and %d stills", len(onDisk), len(ids), stills)
	}
}

// checkEvents: the API node's SSE client saw progress of every download
// (they ran on the two workers) and saw each one complete.
func checkEvents(t *testing.T, s *sseClient, ids map[string]bool) {
	t.Helper()
	// Events follow the commit; give the last ones a moment to arrive.
	deadline := time.Now().Add(15 * time.Second)
	for {
		progress, ranOn, completed := tally(s, ids)
		if len(completed) == len(ids) || time.Now().After(deadline) {
			judgeEvents(t, ids, progress, ranOn, completed)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tally counts, per download, the progress events, the worker it first
// ran on and whether its completion was seen.
func tally(s *sseClient, ids map[string]bool) (progress map[string]int, ranOn map[string]string, completed map[string]bool) {
	progress, ranOn, completed = map[string]int{}, map[string]string{}, map[string]bool{}
	for _, ev := range s.snapshot() {
		var d struct {
			ID     string  `json:"id"`
			Status string  `json:"status"`
			Node   *string `json:"node"`
		}
		if json.Unmarshal(ev.Data, &d) != nil || !ids[d.ID] {
			continue
		}
		switch ev.Type {
		case "download.progress":
			progress[d.ID]++
		case "download.updated":
			if d.Node != nil && strings.HasPrefix(*d.Node, "worker-") && ranOn[d.ID] == "" {
				ranOn[d.ID] = *d.Node
			}
			if d.Status == "completed" {
				completed[d.ID] = true
			}
		}
	}
	return progress, ranOn, completed
}

func judgeEvents(t *testing.T, ids map[string]bool, progress map[string]int, ranOn map[string]string, completed map[string]bool) {
	t.Helper()
	seenFrom := map[string]int{}
	for id := range ids {
		if progress[id] == 0 {
			t.Errorf("no progress event for download %s (ran on %q)", id, ranOn[id])
		} else {
			seenFrom[ranOn[id]]++
		}
		if !completed[id] {
			t.Errorf("no completion event for download %s", id)
		}
	}
	if seenFrom["worker-1"] == 0 || seenFrom["worker-2"] == 0 {
		t.Errorf("progress seen on the API node by worker: %v; want both workers", seenFrom)
	}
	t.Logf("the API node's SSE client saw progress of downloads run by %v", seenFrom)
}
