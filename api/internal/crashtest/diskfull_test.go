package crashtest

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// tmpfsSize is the disk of the disk-full test: room for small downloads,
// not for pathTooBig.
const tmpfsSize = 24 << 20

// pathTooBig is where the media server offers a video larger than the
// whole tmpfs.
const pathTooBig = "/too-big.mp4"

// TestDiskFull: a download larger than the free space fails with
// error.code disk_full and a clear message, leaves no file row, no partial
// file in the library or temp folder and gives all the space back; a
// download completed before keeps its file, one submitted after completes,
// and the server serves on throughout. The database is outside the full
// disk. Two layouts: the whole data dir (library and temp folders) on a
// 24 MiB tmpfs, so yt-dlp meets the full disk; and only the library on it,
// so the full download meets it when it is copied into the library.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	needBinary(t)
	tests := []struct {
		name  string
		mount func(dataDir string) string // where the tmpfs goes
	}{
		{"data dir on the small disk", func(dataDir string) string { return dataDir }},
		{"library alone on the small disk", func(dataDir string) string { return filepath.Join(dataDir, "library") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			full := tt.mount(dataDir)
			mountTmpfs(t, full, tmpfsSize)
			diskFull(t, dataDir, full)
		})
	}
}

// diskFull runs the scenario with the data dir at dataDir and the small
// disk mounted at full.
func diskFull(t *testing.T, dataDir, full string) {
	db := storetest.NewDatabase(t) // a file or server outside the tmpfs
	n := newNodeOn(t, "node-a", dataDir, db, "DOWNLINK_MIN_FREE_DISK=1MiB")
	c := newAdmin(t, n)
	pid := n.pid()
	srv := testmedia.NewServer(t)
	big := testmedia.GenerateVideo(t, testmedia.VideoSpec{Seconds: 10, Width: 320, Height: 240, FPS: 25,
		Bitrate: "24000k", Title: "Downlink Too Big"})
	if size := fileSize(t, big); size <= tmpfsSize {
		t.Fatalf("the big video has %d bytes; it must exceed the %d bytes of the tmpfs", size, tmpfsSize)
	}
	srv.AddFile(pathTooBig, big)
	small := testmedia.Video(t)

	before := c.submit(n, srv.URL(testmedia.PathVideo))
	c.waitCompleted(n, before.ID, 2*time.Minute)
	freeBefore := freeBytes(t, full)

	d := c.submit(n, srv.URL(pathTooBig))
	var failed download
	waitFor(t, 2*time.Minute, "the too-big download to end", func() bool {
		got, ok := c.get(n, d.ID)
		failed = got
		return ok && (got.Status == "completed" || got.Status == "failed" || got.Status == "canceled")
	})
	switch {
	case failed.Status != "failed" || failed.Error == nil:
		t.Fatalf("too-big download ended %s: %+v", failed.Status, failed.Error)
	case failed.Error.Code != "disk_full":
		t.Errorf("error.code %q, want disk_full (message %q)", failed.Error.Code, failed.Error.Message)
	case !strings.Contains(strings.ToLower(failed.Error.Message), "disk"):
		t.Errorf("error.message %q does not say the disk is full", failed.Error.Message)
	default:
		t.Logf("failed as expected: %s: %s", failed.Error.Code, failed.Error.Message)
	}
	if len(failed.Files) != 0 {
		t.Errorf("the failed download has files: %+v", failed.Files)
	}
	waitFor(t, 30*time.Second, "the failed job's temp folder to go", func() bool { return len(tempEntries(t, n)) == 0 })
	if rows := rowCounts(t, db, "downloads", "files"); rows["downloads"] != 2 || rows["files"] != 1 {
		t.Errorf("database rows: %v, want 2 downloads and the 1 file of the first", rows)
	}
	if lib := libraryFiles(t, n); len(lib) != 1 {
		t.Errorf("library holds %v, want only the first download's file", lib)
	} else if got, err := os.ReadFile(lib[0]); err != nil || !bytes.Equal(got, readFile(t, small)) {
		t.Errorf("the first download's file changed (%v)", err)
	}
	if free := freeBytes(t, full); free < freeBefore-(64<<10) {
		t.Errorf("%d bytes free after the failure, %d before: something is left behind", free, freeBefore)
	}
	if st, _, err := c.do(n, http.MethodGet, "/healthz", nil); err != nil || st != http.StatusOK {
		t.Errorf("/healthz after the disk filled up: %d %v", st, err)
	}

	after := c.submit(n, srv.URL(testmedia.PathVideo+"?after=1"))
	done := c.waitCompleted(n, after.ID, 2*time.Minute)
	if len(done.Files) != 1 {
		t.Errorf("the download after the failure has %d files, want 1", len(done.Files))
	}
	if lib := libraryFiles(t, n); len(lib) != 2 {
		t.Errorf("library holds %v, want the two small downloads' files", lib)
	}
	checkAlive(t, n, pid)
}

// mountTmpfs mounts a tmpfs of size bytes on dir (made if missing),
// unmounted when the test ends, after the nodes using it were killed. It
// skips the test, loudly, where mounting is impossible.
func mountTmpfs(t *testing.T, dir string, size int) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("SKIPPED LOUDLY: the disk-full test mounts a tmpfs and needs root (running as uid %d)", os.Geteuid())
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size="+strconv.Itoa(size)+",mode=0750"); err != nil {
		t.Skipf("SKIPPED LOUDLY: cannot mount a tmpfs on %s (%v): mounting needs CAP_SYS_ADMIN, which this container or sandbox does not grant", dir, err)
	}
	t.Cleanup(func() {
		err := syscall.Unmount(dir, 0)
		if errors.Is(err, syscall.EBUSY) {
			err = syscall.Unmount(dir, syscall.MNT_DETACH)
		}
		if err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// newNodeOn is newNode with the data dir chosen by the test.
func newNodeOn(t *testing.T, name, dataDir string, db config.Database, env ...string) *node {
	t.Helper()
	n := &node{t: t, name: name, dataDir: dataDir, dbURL: databaseURL(db), env: env, logs: &logSink{}}
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			t.Logf("log of node %s (last lines):\n%s", n.name, n.logs.tail(120))
		}
	})
	n.start()
	return n
}

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
