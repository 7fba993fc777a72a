package crashtest

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// slowBig serves testmedia's big video (about 3.2 MB) so that downloading
// it takes about d, and returns its URL, its request path on srv and the
// original file.
func slowBig(t *testing.T, srv *testmedia.Server, d time.Duration) (url, path, original string, size int64) {
	t.Helper()
	original = testmedia.BigVideo(t)
	st, err := os.Stat(original)
	if err != nil {
		t.Fatal(err)
	}
	bps := int(float64(st.Size()) / d.Seconds())
	return srv.SlowURL(testmedia.PathBig, bps), "/slow/" + strconv.Itoa(bps) + testmedia.PathBig, original, st.Size()
}

// TestKillMidDownload: kill -9 of the server while yt-dlp downloads. No
// yt-dlp, ffmpeg or guard of the node survives it; after a restart on the
// same data dir and database the download continues from its .part file
// (the media server sees a Range request) and completes exactly once.
func TestKillMidDownload(t *testing.T) {
	t.Parallel()
	needBinary(t)
	db := storetest.NewDatabase(t)
	n := newNode(t, "node-a", db)
	c := newAdmin(t, n)
	srv := testmedia.NewServer(t)
	url, path, original, size := slowBig(t, srv, 10*time.Second)

	d := c.submit(n, url)
	c.waitDownloading(n, d.ID, size/4)
	t.Logf("running before the kill: %v", checkGuarded(t, n))
	n.kill()
	t.Logf("yt-dlp and its guard gone %v after kill -9", waitProcsGone(t, n))
	part := partBytes(n, d.ID)
	if part == 0 {
		t.Fatal("no .part file left to resume from")
	}

	restarted := time.Now()
	n.start()
	done := c.waitCompleted(n, d.ID, 2*time.Minute)
	t.Logf("completed %v after the restart (attempts %d; %d of %d bytes were there)", time.Since(restarted), done.Attempts, part, size)
	if r := resumedRange(srv, path, restarted); r == "" {
		t.Errorf("yt-dlp did not continue its .part file (no Range request after the restart): %+v", srv.Requests())
	} else {
		t.Logf("resumed with Range %s", r)
	}
	if got := n.logs.count("re-queued downloads interrupted by the last stop"); got != 1 {
		t.Errorf("the restart re-queued %d times, want once", got)
	}
	checkExactlyOne(t, c, n, db, done, original)
}

// TestKillRightAfterSubmit: kill -9 one second after the 202, before or
// while a worker picks the download up. After a restart it still exists
// and completes, once.
func TestKillRightAfterSubmit(t *testing.T) {
	t.Parallel()
	needBinary(t)
	db := storetest.NewDatabase(t)
	n := newNode(t, "node-a", db)
	c := newAdmin(t, n)
	srv := testmedia.NewServer(t)
	url, _, original, _ := slowBig(t, srv, 5*time.Second)

	d := c.submit(n, url)
	accepted := time.Now()
	time.Sleep(time.Until(accepted.Add(time.Second)))
	if got, ok := c.get(n, d.ID); ok {
		t.Logf("at the kill: %s on %q", got.Status, got.node())
	}
	n.kill()
	waitProcsGone(t, n)

	n.start()
	if _, ok := c.get(n, d.ID); !ok {
		t.Fatal("the download is gone after the restart")
	}
	done := c.waitCompleted(n, d.ID, 2*time.Minute)
	t.Logf("completed after the restart, attempts %d", done.Attempts)
	checkExactlyOne(t, c, n, db, done, original)
}

// TestGracefulStopMidDownload: SIGTERM while yt-dlp downloads. The server
// exits 0 within its shutdown timeout, stops yt-dlp on the way, and after a
// restart the download continues and completes.
func TestGracefulStopMidDownload(t *testing.T) {
	t.Parallel()
	needBinary(t)
	db := storetest.NewDatabase(t)
	n := newNode(t, "node-a", db)
	c := newAdmin(t, n)
	srv := testmedia.NewServer(t)
	url, path, original, size := slowBig(t, srv, 10*time.Second)

	d := c.submit(n, url)
	c.waitDownloading(n, d.ID, size/4)
	checkGuarded(t, n)
	state, took := n.stop()
	t.Logf("stopped in %v: %v", took, state)
	if state.ExitCode() != 0 {
		t.Errorf("exit status %v after SIGTERM, want 0", state)
	}
	if took > shutdownTimeout {
		t.Errorf("shutdown took %v, more than DOWNLINK_SHUTDOWN_TIMEOUT=%v", took, shutdownTimeout)
	}
	if left := procsMentioning(n.tempRoot()); len(left) != 0 {
		t.Errorf("still running after a graceful stop: %v", left)
		waitProcsGone(t, n)
	}
	part := partBytes(n, d.ID)
	if part == 0 {
		t.Error("no .part file kept to resume from")
	}

	restarted := time.Now()
	n.start()
	done := c.waitCompleted(n, d.ID, 2*time.Minute)
	t.Logf("completed %v after the restart (attempts %d; %d of %d bytes were there)", time.Since(restarted), done.Attempts, part, size)
	if r := resumedRange(srv, path, restarted); r == "" {
		t.Errorf("yt-dlp did not continue its .part file (no Range request after the restart)")
	}
	checkExactlyOne(t, c, n, db, done, original)
}
