package crashtest

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	dlproc "github.com/downlink/downlink/api/internal/proc"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// proc is a live process.
type proc struct {
	pid  int
	args []string
}

// String names the process briefly (a whole yt-dlp command line is long
// and holds the egress proxy's per-job credentials).
func (p proc) String() string {
	name := strconv.Itoa(p.pid)
	for i, a := range p.args {
		if i > 1 {
			break
		}
		name += " " + filepath.Base(a)
	}
	return name
}

// procsMentioning returns the live processes (zombies excluded) whose
// command line mentions dir: a node's yt-dlp, its guard and ffmpeg all
// name the job folder below the node's temp root.
func procsMentioning(dir string) []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(b, []byte(dir)) {
			continue
		}
		if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && (st[i+2] == 'Z' || st[i+2] == 'X') {
				continue
			}
		}
		out = append(out, proc{pid: pid, args: strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")})
	}
	return out
}

// checkGuarded fails unless the node's yt-dlp runs under the process
// guard (the binary's main calls proc.RunGuardIfRequested).
func checkGuarded(t *testing.T, n *node) []proc {
	t.Helper()
	var ps []proc
	waitFor(t, 30*time.Second, "yt-dlp under its guard on "+n.name, func() bool {
		ps = procsMentioning(n.tempRoot())
		var guard, ytdlpSeen bool
		for _, p := range ps {
			guard = guard || len(p.args) > 1 && p.args[1] == dlproc.GuardArg
			ytdlpSeen = ytdlpSeen || len(p.args) > 1 && (filepath.Base(p.args[0]) == "yt-dlp" || filepath.Base(p.args[1]) == "yt-dlp")
		}
		return guard && ytdlpSeen
	})
	return ps
}

// waitProcsGone fails unless every process of the node's jobs is gone
// within procsGoneTimeout, and returns how long that took.
func waitProcsGone(t *testing.T, n *node) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(procsGoneTimeout)
	for {
		left := procsMentioning(n.tempRoot())
		if len(left) == 0 {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after node %s stopped, still running: %v", procsGoneTimeout, n.name, left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// libraryFiles lists the regular files below the node's library, but
// the stills grabbed from videos without a thumbnail ("….thumb.jpg", kept
// beside the video and deleted with it): the checks count media files.
func libraryFiles(t *testing.T, n *node) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(n.libraryDir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.HasSuffix(p, ".thumb.jpg") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// tempEntries lists what is left in the node's temp root.
func tempEntries(t *testing.T, n *node) []string {
	t.Helper()
	entries, err := os.ReadDir(n.tempRoot())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// rowCounts counts rows of the tables straight in the database.
func rowCounts(t *testing.T, db config.Database, tables ...string) map[string]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, db, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := st.DB.WithContext(ctx).Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// checkExactlyOne checks what a finished single download must leave: one
// downloads row and one files row (in the API and in the database), one
// file in the library whose bytes are the original's, and no job folder.
func checkExactlyOne(t *testing.T, c *client, n *node, db config.Database, d download, original string) {
	t.Helper()
	if len(d.Files) != 1 {
		t.Errorf("download has %d files, want 1: %+v", len(d.Files), d.Files)
	}
	var files []file
	c.list(n, "/api/v1/files", &files)
	var downloads []download
	c.list(n, "/api/v1/downloads", &downloads)
	if len(files) != 1 || len(downloads) != 1 {
		t.Errorf("API lists %d files and %d downloads, want 1 and 1", len(files), len(downloads))
	}
	if rows := rowCounts(t, db, "downloads", "files"); rows["downloads"] != 1 || rows["files"] != 1 {
		t.Errorf("database rows: %v, want one download and one file", rows)
	}
	lib := libraryFiles(t, n)
	if len(lib) != 1 {
		t.Fatalf("library holds %v, want one file", lib)
	}
	got, err := os.ReadFile(lib[0])
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(original)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("library file differs from the original (%d vs %d bytes)", len(got), len(want))
	}
	if left := tempEntries(t, n); len(left) != 0 {
		t.Errorf("temp folder %s still holds %v", n.tempRoot(), left)
	}
}

// resumedRange returns a Range request for path that did not start at 0,
// answered after since: yt-dlp continuing its .part file.
func resumedRange(srv *testmedia.Server, path string, since time.Time) string {
	for _, r := range srv.Requests() {
		if r.Path == path && r.Time.After(since) && strings.HasPrefix(r.Range, "bytes=") && !strings.HasPrefix(r.Range, "bytes=0-") {
			return r.Range
		}
	}
	return ""
}

// partBytes is the size of the download's partial files on n.
func partBytes(n *node, id string) int64 {
	var total int64
	_ = filepath.WalkDir(filepath.Join(n.tempRoot(), id), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasSuffix(p, ".part") {
			if st, err := d.Info(); err == nil {
				total += st.Size()
			}
		}
		return nil
	})
	return total
}
