package ytdlp

import (
	"os"
	"path/filepath"
	"testing"
)

// Only files in the job's done folder count as yt-dlp's results: a path
// outside it, a way out through "..", a symlink leading out or a folder
// reported as a file are ignored.
func TestRunStateAcceptsOnlyFilesInTheDoneFolder(t *testing.T) {
	t.Parallel()
	job := t.TempDir()
	done := filepath.Join(job, "done")
	outside := filepath.Join(job, "secret.txt")
	for _, d := range []string{done, filepath.Join(done, "sub")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(done, "a.mp4"), outside} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(done, "link.mp4")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(done)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	s := &runState{doneDir: done, done: root, log: testLogger(t)}
	for path, want := range map[string]bool{
		filepath.Join(done, "a.mp4"):            true,
		outside:                                 false,
		filepath.Join(done, "..", "secret.txt"): false,
		filepath.Join(done, "link.mp4"):         false,
		filepath.Join(done, "sub"):              false,
		filepath.Join(done, "missing.mp4"):      false,
		"a.mp4":                                 false,
	} {
		if got := s.isDone(path); got != want {
			t.Errorf("isDone(%s) = %v, want %v", path, got, want)
		}
	}
}
