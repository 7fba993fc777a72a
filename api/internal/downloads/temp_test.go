package downloads_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/downloads/downloadstest"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/testkit"
)

// Issue 23, fault 3: temporary folders of downloads that will never run
// again are removed, whoever cancels them and wherever.

// interrupted is a download whose node stopped mid-run and started again:
// re-queued, its job folder (with the .part file yt-dlp resumes from)
// kept.
func interrupted(t *testing.T) (*downloadstest.Engine, downloads.Download, string) {
	t.Helper()
	r := &downloadstest.Runner{Hold: true, Started: make(chan uuid.UUID, 1)}
	e := downloadstest.New(t, downloadstest.Options{Runner: r})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Work(ctx, e.Queue.Pop()) }()
	select {
	case <-r.Started:
	case <-time.After(10 * time.Second):
		t.Fatal("the run never started")
	}
	stop()
	<-done
	if err := e.Svc.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(e.TempRoot, d.ID.String())
	if got := e.Get(t, d.ID); got.Status != downloads.StatusQueued {
		t.Fatalf("after recovery: %s", got.Status)
	}
	if _, err := os.Stat(filepath.Join(dir, d.ID.String()+".mp4.part")); err != nil {
		t.Fatalf("recovery should keep the .part file to resume from: %v", err)
	}
	return e, d, dir
}

// TestCancelAfterRecoveryRemovesTempFolder: cancelling a download that
// recovery re-queued (no process runs it, its folder holds a .part file)
// removes its folder at once.
func TestCancelAfterRecoveryRemovesTempFolder(t *testing.T) {
	e, d, dir := interrupted(t)
	if c, err := e.Svc.Cancel(context.Background(), e.User, d.ID); err != nil || c.Status != downloads.StatusCanceled {
		t.Fatalf("cancel: %+v, %v", c, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the canceled download's temp folder is still there (%v)", err)
	}
}

// TestSweepRemovesTempFoldersOfFinishedDownloads: the periodic sweep of a
// node removes job folders of downloads in a final state (canceled on
// another node, say, which cannot reach this node's folder) and of
// deleted ones, and keeps those of downloads that wait or run.
func TestSweepRemovesTempFoldersOfFinishedDownloads(t *testing.T) {
	e, d, dir := interrupted(t)
	waiting := e.Submit(t, "https://www.youtube.com/watch?v=bbbbbbbbbbb", "")
	waitingDir := filepath.Join(e.TempRoot, waiting.ID.String())
	gone := filepath.Join(e.TempRoot, uuid.NewString())
	for _, p := range []string{waitingDir, gone} {
		if err := os.MkdirAll(p, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	// Another node cancels it: this node's folder stays until the sweep.
	if err := e.DB.Exec("UPDATE downloads SET status = ? WHERE id = ?", downloads.StatusCanceled, d.ID).Error; err != nil {
		t.Fatal(err)
	}
	n, err := e.Svc.SweepTemp(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("swept %d folders, want 2", n)
	}
	for _, p := range []string{dir, gone} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(waitingDir); err != nil {
		t.Errorf("the folder of a waiting download was removed: %v", err)
	}
}

// TestRelayoutSurvivesTheJobFolderGoing: a move between layouts stages a
// completed download's file on this node while the periodic sweep removes
// the job folders of finished downloads, and while the download's own
// worker, finishing, removes its job folder. Both happening in the middle
// of the move leave it whole: it succeeds, and leaves nothing behind.
func TestRelayoutSurvivesTheJobFolderGoing(t *testing.T) {
	var mode atomic.Value
	mode.Store(files.LayoutDefault)
	e := downloadstest.New(t, downloadstest.Options{
		Layout: func(context.Context) files.Layout { return files.Layout{Mode: mode.Load().(string)} },
	})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	e.Drain(t)
	if got := e.Get(t, d.ID); got.Status != downloads.StatusCompleted {
		t.Fatalf("download %s, want completed", got.Status)
	}
	ctx := context.Background()
	swept := 0
	jobDir := filepath.Join(e.TempRoot, d.ID.String())
	downloads.AfterRelayoutCopy(e.Svc, func() {
		if err := os.MkdirAll(jobDir, 0o750); err != nil {
			t.Error(err)
		}
		n, err := e.Svc.SweepTemp(ctx)
		if err != nil {
			t.Errorf("sweep: %v", err)
		}
		swept += n
		// What the download's worker does last as it finishes.
		if err := os.RemoveAll(jobDir); err != nil {
			t.Error(err)
		}
	})
	mode.Store(files.LayoutMediaServer)
	if _, err := e.Svc.StartRelayout(ctx, e.User.UserID); err != nil {
		t.Fatal(err)
	}
	var op downloads.Relayout
	testkit.Eventually(t, 30*time.Second, func() error {
		var err error
		if op, err = e.Svc.LatestRelayout(ctx); err != nil {
			return err
		}
		if op.Status != downloads.RelayoutCompleted {
			return fmt.Errorf("relayout %s", op.Status)
		}
		return nil
	})
	if op.Moved != 1 || op.Failed != 0 {
		t.Fatalf("relayout moved %d, failed %d: %+v", op.Moved, op.Failed, op.Failures)
	}
	if swept != 1 {
		t.Errorf("the sweep removed %d folders during the move, want the finished download's job folder", swept)
	}
	if left, _ := filepath.Glob(filepath.Join(e.TempRoot, "*", "*")); len(left) > 0 {
		t.Errorf("the move left %v behind", left)
	}
}
