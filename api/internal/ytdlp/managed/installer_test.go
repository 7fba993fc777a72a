package managed_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// TestUpdateAndRollback: an update downloads, verifies and switches to the
// new version, which then answers; the one before stays for a rollback,
// and a rollback of a rollback goes forward again. The first version's
// rollback target is the system yt-dlp.
func TestUpdateAndRollback(t *testing.T) {
	t.Parallel()
	srv := releasetest.NewServer(t)
	key := releasetest.TestKey(t)
	srv.Publish(releasetest.NewRelease(t, key, v1, nil))
	in := newInstaller(t, t.TempDir(), srv, 0)

	system := in.Active(ctx(t))
	if system.Source != managed.SourceSystem || !system.Found {
		t.Fatalf("before any update: %+v, want the system yt-dlp", system)
	}
	if _, ok := in.Previous(ctx(t)); ok {
		t.Fatal("a fresh install has something to roll back to")
	}

	out, err := in.Update(ctx(t), managed.ChannelStable, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Changed || out.To.Version != v1 || out.To.Source != managed.SourceManaged || out.From.Source != managed.SourceSystem {
		t.Fatalf("update outcome %+v", out)
	}
	if got := answers(t, in); got != v1 {
		t.Fatalf("after the update yt-dlp answers %q, want %s", got, v1)
	}
	if prev, ok := in.Previous(ctx(t)); !ok || prev.Source != managed.SourceSystem {
		t.Fatalf("rollback target %+v %v, want the system yt-dlp", prev, ok)
	}

	// The same release again changes nothing.
	again, err := in.Update(ctx(t), managed.ChannelStable, "", nil)
	if err != nil || again.Changed {
		t.Fatalf("updating to the active version: %+v, %v", again, err)
	}

	srv.Publish(releasetest.NewRelease(t, key, v2, nil))
	var phases []managed.Phase
	if _, err := in.Update(ctx(t), managed.ChannelStable, "", func(p managed.Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if got := answers(t, in); got != v2 {
		t.Fatalf("after the second update yt-dlp answers %q, want %s", got, v2)
	}
	want := []managed.Phase{managed.PhaseResolving, managed.PhaseVerifying, managed.PhaseDownloading, managed.PhaseVerifying, managed.PhaseTesting, managed.PhaseSwitching}
	if len(phases) != len(want) {
		t.Fatalf("phases %v, want %v", phases, want)
	}
	for i := range want {
		if phases[i] != want[i] {
			t.Fatalf("phases %v, want %v", phases, want)
		}
	}

	back, err := in.Rollback(ctx(t), managed.Expect{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.From.Version != v2 || back.To.Version != v1 {
		t.Fatalf("rollback outcome %+v", back)
	}
	if got := answers(t, in); got != v1 {
		t.Fatalf("after the rollback yt-dlp answers %q, want %s", got, v1)
	}
	if _, err := in.Rollback(ctx(t), managed.Expect{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := answers(t, in); got != v2 {
		t.Fatalf("rolling back the rollback: yt-dlp answers %q, want %s", got, v2)
	}
	// Only the active and previous versions are kept.
	srv.Publish(releasetest.NewRelease(t, key, v3, nil))
	out, err = in.Update(ctx(t), managed.ChannelStable, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Removed) != 1 || out.Removed[0] != v1 {
		t.Fatalf("removed %v, want [%s]", out.Removed, v1)
	}
	if _, err := os.Stat(filepath.Join(in.Dir(), v1)); !os.IsNotExist(err) {
		t.Fatalf("%s still on disk: %v", v1, err)
	}
}

// TestRunningProcessKeepsItsVersion: a process started from a version
// keeps that file even when two updates make it neither active nor
// previous; it goes once the process has ended.
func TestRunningProcessKeepsItsVersion(t *testing.T) {
	t.Parallel()
	srv := releasetest.NewServer(t)
	key := releasetest.TestKey(t)
	srv.Publish(releasetest.NewRelease(t, key, v1, nil))
	in := newInstaller(t, t.TempDir(), srv, 0)
	if _, err := in.Update(ctx(t), managed.ChannelStable, "", nil); err != nil {
		t.Fatal(err)
	}
	path, release := in.Acquire()
	for _, v := range []string{v2, v3} {
		srv.Publish(releasetest.NewRelease(t, key, v, nil))
		if _, err := in.Update(ctx(t), managed.ChannelStable, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the file a running process started from was removed: %v", err)
	}
	release()
	in.CleanUp(ctx(t))
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s still on disk after its process ended: %v", path, err)
	}
}

// TestRollbackExpectation: a rollback asked for one state does nothing
// on a node already rolled back (another node sharing the data folder did
// it) and is refused on a node in a third state.
func TestRollbackExpectation(t *testing.T) {
	t.Parallel()
	srv := releasetest.NewServer(t)
	key := releasetest.TestKey(t)
	srv.Publish(releasetest.NewRelease(t, key, v1, nil))
	in := newInstaller(t, t.TempDir(), srv, 0)
	if _, err := in.Update(ctx(t), managed.ChannelStable, "", nil); err != nil {
		t.Fatal(err)
	}
	srv.Publish(releasetest.NewRelease(t, key, v2, nil))
	if _, err := in.Update(ctx(t), managed.ChannelStable, "", nil); err != nil {
		t.Fatal(err)
	}
	expect := managed.Expect{Set: true, From: v2, To: v1}
	if out, err := in.Rollback(ctx(t), expect, nil); err != nil || !out.Changed {
		t.Fatalf("first rollback: %+v %v", out, err)
	}
	if out, err := in.Rollback(ctx(t), expect, nil); err != nil || out.Changed {
		t.Fatalf("the same rollback again: %+v %v, want no change", out, err)
	}
	if _, err := in.Rollback(ctx(t), managed.Expect{Set: true, From: v3, To: v2}, nil); !errors.Is(err, managed.ErrStateChanged) {
		t.Fatalf("rollback from a version not active: %v, want ErrStateChanged", err)
	}
	if got := answers(t, in); got != v1 {
		t.Fatalf("yt-dlp answers %q, want %s", got, v1)
	}
}

// TestNothingToRollBack: a fresh node has nowhere to go back to.
func TestNothingToRollBack(t *testing.T) {
	t.Parallel()
	in := newInstaller(t, t.TempDir(), releasetest.NewServer(t), 0)
	if _, err := in.Rollback(ctx(t), managed.Expect{}, nil); !errors.Is(err, managed.ErrNothingToRollBack) {
		t.Fatalf("rollback on a fresh node: %v", err)
	}
}

// TestInstallFromFiles: an admin's files go through the same checks; the
// version comes from the build itself.
func TestInstallFromFiles(t *testing.T) {
	t.Parallel()
	key := releasetest.TestKey(t)
	rel := releasetest.NewRelease(t, key, v2, nil)
	build := rel.Files[releasetest.Asset()]
	tampered := append(append([]byte(nil), build...), '\n')
	tests := []struct {
		name     string
		build    []byte
		sums     []byte
		sig      []byte
		wantCode managed.Code
	}{
		{"the release's files", build, rel.Files["SHA2-256SUMS"], rel.Files["SHA2-256SUMS.sig"], ""},
		{"signed by someone else", build, rel.Files["SHA2-256SUMS"], releasetest.OtherKey(t).Sign(t, rel.Files["SHA2-256SUMS"]), managed.CodeBadSignature},
		{"sums edited after signing", build, append([]byte("# edited\n"), rel.Files["SHA2-256SUMS"]...), rel.Files["SHA2-256SUMS.sig"], managed.CodeBadSignature},
		{"no signature", build, rel.Files["SHA2-256SUMS"], nil, managed.CodeUnsigned},
		{"a changed build", tampered, rel.Files["SHA2-256SUMS"], rel.Files["SHA2-256SUMS.sig"], managed.CodeNotListed},
		{"another platform's file", rel.Files["yt-dlp_macos"], rel.Files["SHA2-256SUMS"], rel.Files["SHA2-256SUMS.sig"], managed.CodeNoBuild},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := newInstaller(t, t.TempDir(), releasetest.NewServer(t), 0)
			before := tree(t, in.Dir())
			out, err := in.Install(ctx(t), managed.Files{Build: bytesReader(tc.build), Sums: tc.sums, Sig: tc.sig}, nil)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				if out.To.Version != v2 || answers(t, in) != v2 {
					t.Fatalf("installed %+v", out.To)
				}
				return
			}
			var r *managed.Refusal
			if !errors.As(err, &r) || r.Code != tc.wantCode {
				t.Fatalf("err %v, want a refusal %s", err, tc.wantCode)
			}
			if r.Message == "" {
				t.Fatal("refusal without a message")
			}
			sameTree(t, before, tree(t, in.Dir()))
			if a := in.Active(ctx(t)); a.Source != managed.SourceSystem {
				t.Fatalf("active after a refusal: %+v", a)
			}
		})
	}
}
