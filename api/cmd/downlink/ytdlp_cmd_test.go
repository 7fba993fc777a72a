package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/ytdlp/managed/releasetest"
)

// TestYtdlpCommand walks `downlink ytdlp` through a node's life: status
// shows the system yt-dlp, check finds the stand-in's release, update
// installs it (and it answers), a tampered release is refused with its
// reason and changes nothing, rollback goes back, install takes an
// air-gapped admin's files; every change lands in the audit trail.
func TestYtdlpCommand(t *testing.T) {
	dataDir, _ := cliDatabase(t)
	srv := releasetest.NewServer(t)
	key := releasetest.TestKey(t)
	t.Setenv("DOWNLINK_NODE_NAME", "cli-node")
	t.Setenv("DOWNLINK_YTDLP_RELEASES_API", srv.URL)
	t.Setenv("DOWNLINK_YTDLP_RELEASES_DOWNLOAD", srv.URL)
	t.Setenv("DOWNLINK_YTDLP_SIGNING_KEY", key.WritePublic(t))
	const v1, v2, v3 = "2030.01.01", "2030.02.02", "2030.03.03"
	ytdlp := func(want int, args ...string) (string, string) {
		t.Helper()
		code, out, errOut := cli(t, append([]string{"ytdlp"}, args...)...)
		if code != want {
			t.Fatalf("downlink ytdlp %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}

	out, _ := ytdlp(0, "status")
	if !strings.Contains(out, "cli-node (this node)") || !strings.Contains(out, "(system") || !strings.Contains(out, "notify, stable channel") {
		t.Fatalf("status before anything:\n%s", out)
	}

	srv.Publish(releasetest.NewRelease(t, key, v1, nil))
	if out, _ = ytdlp(0, "check"); !strings.Contains(out, v1) || !strings.Contains(out, "update is available") {
		t.Fatalf("check:\n%s", out)
	}
	out, errOut := ytdlp(0, "update")
	if !strings.Contains(out, "to yt-dlp "+v1) || !strings.Contains(errOut, "downloading") {
		t.Fatalf("update:\nstdout: %s\nstderr: %s", out, errOut)
	}
	active := filepath.Join(dataDir, "tools", "yt-dlp", v1, releasetest.Asset())
	if got, err := exec.Command(active, "--version").Output(); err != nil || strings.TrimSpace(string(got)) != v1 {
		t.Fatalf("%s --version: %q %v", active, got, err)
	}

	srv.Publish(releasetest.NewRelease(t, releasetest.OtherKey(t), v2, nil))
	if _, errOut = ytdlp(1, "update"); !strings.Contains(errOut, "refused (bad_signature)") || !strings.Contains(errOut, "nothing changed") {
		t.Fatalf("update to a release signed by someone else:\n%s", errOut)
	}
	if out, _ = ytdlp(0, "status"); !strings.Contains(out, v1+" (managed") || !strings.Contains(out, "last update:  failed") {
		t.Fatalf("status after the refusal:\n%s", out)
	}

	if out, _ = ytdlp(0, "rollback"); !strings.Contains(out, "rolled back from yt-dlp "+v1+" to the system yt-dlp") {
		t.Fatalf("rollback:\n%s", out)
	}

	rel := releasetest.NewRelease(t, key, v3, nil)
	dir := t.TempDir()
	for name, data := range rel.Files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _ = ytdlp(0, "install", "--file", filepath.Join(dir, releasetest.Asset()),
		"--sums", filepath.Join(dir, "SHA2-256SUMS"), "--sig", filepath.Join(dir, "SHA2-256SUMS.sig"))
	if !strings.Contains(out, "to yt-dlp "+v3) {
		t.Fatalf("install:\n%s", out)
	}
	// Another platform's file with a valid signature is still refused.
	if _, errOut = ytdlp(1, "install", "--file", filepath.Join(dir, "yt-dlp_macos"),
		"--sums", filepath.Join(dir, "SHA2-256SUMS"), "--sig", filepath.Join(dir, "SHA2-256SUMS.sig")); !strings.Contains(errOut, "refused (no_build)") {
		t.Fatalf("install of the macOS file:\n%s", errOut)
	}

	st := openTestStore(t)
	var actions []string
	if err := st.DB.Table("logs").Where("audit = ? AND target = ?", true, "ytdlp:cli-node").Order("id").Pluck("action", &actions).Error; err != nil {
		t.Fatal(err)
	}
	got := strings.Join(actions, ",")
	if got != "ytdlp.updated,ytdlp.refused,ytdlp.rolled_back,ytdlp.installed,ytdlp.refused" {
		t.Fatalf("audit trail %s", got)
	}
}
