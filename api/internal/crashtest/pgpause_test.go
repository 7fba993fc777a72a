package crashtest

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pause stops every process of the cluster with SIGSTOP: the server keeps
// its sockets, the kernel still accepts connections, nothing answers (a
// hung or frozen database, not a stopped one). It returns the resume.
func (c *pgCluster) pause() (resume func()) {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		c.t.Fatal(err)
	}
	master, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		c.t.Fatal(err)
	}
	pids := []int{master}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		st, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, ppid follows ")".
		s := string(st)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(master) {
			pid, _ := strconv.Atoi(strings.Fields(s)[0])
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			c.t.Fatalf("SIGSTOP %d: %v", pid, err)
		}
	}
	resumed := false
	resume = func() {
		if resumed {
			return
		}
		resumed = true
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	c.t.Cleanup(resume)
	return resume
}

// TestPostgresPaused (issue 23, fault 4): the Postgres server is frozen
// (SIGSTOP, 20 s) while a download runs. /readyz answers 503 naming the
// database within its own deadline, and API calls answer 503 "Database
// unavailable" with Retry-After within theirs, instead of hanging; after
// SIGCONT the download completes, once.
func TestPostgresPaused(t *testing.T) {
	o := newOutage(t, 30*time.Second)
	pg, db, n, c := o.pg, o.db, o.n, o.c
	url, original, size := o.url, o.original, o.size

	d := c.submit(n, url)
	c.waitDownloading(n, d.ID, size/10)
	pid := n.pid()
	resume := pg.pause()
	paused := time.Now()

	start := time.Now()
	r := readiness(t, n)
	took := time.Since(start)
	t.Logf("/readyz during the pause: %d in %v, database %+v", r.status, took.Round(time.Millisecond), r.body.Checks.Database)
	if r.status != http.StatusServiceUnavailable || r.body.Checks.Database.OK || !mentions(r.body.Reasons, "database") {
		t.Errorf("/readyz during the pause: %d %+v, want 503 naming the database", r.status, r.body)
	}
	if took > 2*time.Second+3*time.Second {
		t.Errorf("/readyz took %v, its database check has 2 s", took)
	}
	for _, path := range []string{"/api/v1/downloads", "/api/v1/downloads/" + d.ID} {
		start := time.Now()
		st, hdr, b, err := c.doHeader(n, http.MethodGet, path)
		took := time.Since(start)
		if err != nil {
			t.Errorf("GET %s during the pause: %v after %v", path, err, took)
			continue
		}
		var p map[string]any
		_ = json.Unmarshal(b, &p)
		t.Logf("GET %s during the pause: %d %v in %v", path, st, p["title"], took.Round(time.Millisecond))
		if st != http.StatusServiceUnavailable || p["title"] != "Database unavailable" || hdr.Get("Retry-After") == "" {
			t.Errorf("GET %s during the pause: %d %s (Retry-After %q), want 503 Database unavailable", path, st, b, hdr.Get("Retry-After"))
		}
		// One statement's deadline (5 s) for the session or key lookup,
		// another for the call's own query, and slack for a busy machine.
		if took > 15*time.Second {
			t.Errorf("GET %s took %v during the pause", path, took)
		}
	}
	time.Sleep(time.Until(paused.Add(20 * time.Second))) // the length of the outage, not a wait for a result
	checkAlive(t, n, pid)
	resume()
	t.Logf("postgres resumed after %v", time.Since(paused).Round(time.Millisecond))

	waitFor(t, recoverTimeout, "/readyz to answer 200 again", func() bool {
		return readiness(t, n).status == http.StatusOK
	})
	done := c.waitCompleted(n, d.ID, 3*time.Minute)
	t.Logf("completed after the pause (attempts %d)", done.Attempts)
	checkAllOnce(t, c, n, db, map[string]string{d.ID: original})
}
