package downloads_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/downloads/downloadstest"
	"github.com/downlink/downlink/api/internal/files"
)

// crash stands for the process dying where it is thrown.
type crash struct{}

// TestCrashBetweenLibraryMoveAndCommit (issue 23, fault 5): the node dies
// when the finished file is in the library but its row is not committed.
// After the restart the download completes once, with one file under its
// own name (no "-2" copy), and the library holds no file without a row.
func TestCrashBetweenLibraryMoveAndCommit(t *testing.T) {
	e := downloadstest.New(t, downloadstest.Options{})
	crashed := false
	downloads.AfterImport(e.Svc, func() {
		if !crashed {
			crashed = true
			panic(crash{})
		}
	})
	d := e.Submit(t, "https://www.youtube.com/watch?v=aaaaaaaaaaa", "")
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(crash); !ok {
					panic(r)
				}
			}
		}()
		_ = e.Work(context.Background(), e.Queue.Pop())
	}()
	if !crashed {
		t.Fatal("the completion never reached the library")
	}
	if err := e.Svc.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Drain(t)

	got := e.Get(t, d.ID)
	if got.Status != downloads.StatusCompleted || len(got.Files) != 1 {
		t.Fatalf("after the restart: %s with %d files", got.Status, len(got.Files))
	}
	if name := got.Files[0].Name; strings.Contains(name, "-2]") {
		t.Errorf("the file was stored as a second copy: %q", name)
	}
	var registered []string
	if err := e.DB.Model(&files.Row{}).Pluck("rel_path", &registered).Error; err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(e.Library, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(e.Library, p)
		for _, r := range registered {
			if filepath.Clean(r) == rel {
				return nil
			}
		}
		t.Errorf("orphan in the library: %s", rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
