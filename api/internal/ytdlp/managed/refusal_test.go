package managed_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// installedV1 returns a tools folder where v1 is active: installed once
// per test process from a stand-in, then copied for each caller.
func installedV1(t *testing.T) string {
	t.Helper()
	v1Once.Do(func() {
		dir, err := os.MkdirTemp("", "downlink-managed-v1-")
		if err != nil {
			v1Err = err
			return
		}
		srv := releasetest.NewServer(t)
		srv.Publish(releasetest.NewRelease(t, releasetest.TestKey(t), v1, nil))
		in := newInstaller(t, dir, srv, 0)
		_, v1Err = in.Update(ctx(t), managed.ChannelStable, "", nil)
		v1Dir = dir
	})
	if v1Err != nil {
		t.Fatalf("install %s: %v", v1, v1Err)
	}
	dst := filepath.Join(t.TempDir(), "yt-dlp")
	if out, err := exec.Command("cp", "-a", v1Dir, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	return dst
}

var (
	v1Once sync.Once
	v1Dir  string
	v1Err  error
)

// TestRefusalsChangeNothing: every way a release can fail verification is
// refused with a reason, and leaves the active version and every file of
// the tools folder as they were.
func TestRefusalsChangeNothing(t *testing.T) {
	t.Parallel()
	key := releasetest.TestKey(t)
	asset := releasetest.Asset()
	tests := []struct {
		name  string
		make  func(t *testing.T) *releasetest.Release
		idle  time.Duration
		code  managed.Code
		state string // "" or what the message must contain
	}{
		{"signed with another key", func(t *testing.T) *releasetest.Release {
			return releasetest.NewRelease(t, releasetest.OtherKey(t), v2, nil)
		}, 0, managed.CodeBadSignature, "signing key"},
		{"sums changed after signing", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			r.Files["SHA2-256SUMS"] = append([]byte("0000000000000000000000000000000000000000000000000000000000000000  extra\n"), r.Files["SHA2-256SUMS"]...)
			return r
		}, 0, managed.CodeBadSignature, "tampered"},
		{"no signature file", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			delete(r.Files, "SHA2-256SUMS.sig")
			return r
		}, 0, managed.CodeUnsigned, "cannot be verified"},
		{"checksum mismatch", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			r.Files[asset] = append(append([]byte(nil), r.Files[asset]...), []byte("# appended\n")...)
			return r
		}, 0, managed.CodeChecksumMismatch, "signed SHA2-256SUMS"},
		{"truncated download", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			r.Truncate = map[string]int{asset: len(r.Files[asset]) / 2}
			return r
		}, 0, managed.CodeTruncated, "ended after"},
		{"truncated download, size unknown", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			r.NoSizes = true
			r.Truncate = map[string]int{asset: len(r.Files[asset]) / 2}
			return r
		}, 0, managed.CodeTruncated, "ended after"},
		{"a file that does not run", func(t *testing.T) *releasetest.Release {
			return releasetest.NewRelease(t, key, v2, []byte("\x7fELF\x02\x01\x01 this is not a program\n"))
		}, 0, managed.CodeDoesNotRun, "does not run"},
		{"a script that fails", func(t *testing.T) *releasetest.Release {
			return releasetest.NewRelease(t, key, v2, []byte("#!/bin/sh\necho broken >&2\nexit 3\n"))
		}, 0, managed.CodeDoesNotRun, "does not run"},
		{"a build of another version", func(t *testing.T) *releasetest.Release {
			return releasetest.NewRelease(t, key, v2, releasetest.Build(t, v3))
		}, 0, managed.CodeWrongVersion, v3},
		{"no build for this machine", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			delete(r.Files, asset)
			r.Sign(t, key)
			return r
		}, 0, managed.CodeNoBuild, asset},
		{"a server that hangs on the file", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			r.Hang = map[string]bool{asset: true}
			return r
		}, 500 * time.Millisecond, managed.CodeTimeout, "500ms"},
		{"a server that hangs on the release", func(t *testing.T) *releasetest.Release {
			r := releasetest.NewRelease(t, key, v2, nil)
			r.Hang = map[string]bool{"json": true}
			return r
		}, 500 * time.Millisecond, managed.CodeTimeout, "500ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := installedV1(t)
			srv := releasetest.NewServer(t)
			srv.Publish(tc.make(t))
			in := newInstaller(t, dir, srv, tc.idle)
			before := tree(t, dir)
			_, err := in.Update(ctx(t), managed.ChannelStable, "", nil)
			var r *managed.Refusal
			if !errors.As(err, &r) || r.Code != tc.code {
				t.Fatalf("err %v, want a refusal %q", err, tc.code)
			}
			if !strings.Contains(r.Message, tc.state) {
				t.Errorf("message %q does not say %q", r.Message, tc.state)
			}
			sameTree(t, before, tree(t, dir))
			if got := answers(t, in); got != v1 {
				t.Fatalf("after a refusal yt-dlp answers %q, want %s", got, v1)
			}
		})
	}
}

// TestFullDiskChangesNothing runs updates on a small tmpfs that holds v1
// but not v2 beside it: refused before downloading when the release says
// the size, and when the disk fills up during the download when it does
// not. Either way the active version and the disk are as before.
func TestFullDiskChangesNothing(t *testing.T) {
	t.Parallel()
	key := releasetest.TestKey(t)
	for _, noSizes := range []bool{false, true} {
		t.Run(fmt.Sprintf("size unknown %v", noSizes), func(t *testing.T) {
			t.Parallel()
			build := releasetest.Build(t, v1)
			mnt := smallDisk(t, int64(len(build))+int64(len(build))/2)
			dir := filepath.Join(mnt, "yt-dlp")
			srv := releasetest.NewServer(t)
			srv.Publish(releasetest.NewRelease(t, key, v1, build))
			in := newInstaller(t, dir, srv, 0)
			if _, err := in.Update(ctx(t), managed.ChannelStable, "", nil); err != nil {
				t.Fatalf("v1 does not fit the disk made for it: %v", err)
			}
			r2 := releasetest.NewRelease(t, key, v2, nil)
			r2.NoSizes = noSizes
			srv.Publish(r2)
			before := tree(t, dir)
			_, err := in.Update(ctx(t), managed.ChannelStable, "", nil)
			var r *managed.Refusal
			if !errors.As(err, &r) || r.Code != managed.CodeDiskFull {
				t.Fatalf("err %v, want a disk_full refusal", err)
			}
			sameTree(t, before, tree(t, dir))
			if got := answers(t, in); got != v1 {
				t.Fatalf("after a full disk yt-dlp answers %q, want %s", got, v1)
			}
		})
	}
}

// smallDisk mounts a tmpfs of size bytes for the test (root only).
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0755", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs to fill up (needs root and mount rights): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}
