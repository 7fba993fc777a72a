package managed_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// Versions the tests publish (far in the future: newer than any real one).
const (
	v1 = "2030.01.01"
	v2 = "2030.02.02"
	v3 = "2030.03.03"
)

// newInstaller returns an Installer on dir using srv and the test key,
// with the system yt-dlp as fallback.
func newInstaller(t *testing.T, dir string, srv *releasetest.Server, idle time.Duration) *managed.Installer {
	t.Helper()
	in, err := managed.NewInstaller(managed.Config{
		Dir:      dir,
		Releases: managed.NewReleases(managed.ReleasesConfig{APIBase: srv.URL, DownloadBase: srv.URL, IdleTimeout: idle}),
		Keyring:  releasetest.TestKey(t).Keyring(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// answers runs the yt-dlp new jobs would start and returns what it says
// to --version.
func answers(t *testing.T, in *managed.Installer) string {
	t.Helper()
	p, release := in.Acquire()
	defer release()
	out, err := exec.Command(p, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", p, err)
	}
	return strings.TrimSpace(string(out))
}

// tree is what is on disk under a folder: path → size and SHA-256 (or
// "dir"), without the lock file.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case rel == ".lock":
		case d.IsDir():
			out[rel] = "dir"
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			info, _ := d.Info()
			out[rel] = info.Mode().String() + " " + hex.EncodeToString(sum[:8])
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, v := range before {
		if after[p] != v {
			t.Errorf("%s changed: %q before, %q after", p, v, after[p])
		}
	}
	for p, v := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared (%s)", p, v)
		}
	}
}

func ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
