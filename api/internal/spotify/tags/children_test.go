package tags_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/spotify/search"
	"github.com/downlink/downlink/api/internal/spotify/tags"
	"github.com/downlink/downlink/api/internal/testkit"
)

// Secrets a Downlink process holds in its environment; no child may see
// them.
var parentSecrets = []string{"DOWNLINK_SECRET_KEY=child-test-secret", "DOWNLINK_DATABASE_URL=postgres://u:pw@db/downlink",
	"HTTPS_PROXY=http://10.0.0.1:3128"}

// The Spotify handler's own children (the ffmpeg that writes the tags,
// the yt-dlp search fallback) start as yt-dlp's downloads do: with only
// HOME, PATH and LANG in their environment, and they die with the process
// that started them. Each case runs a helper process (this test binary,
// with Downlink's secrets in its environment) that starts the child
// through the real code path; the child is a stand-in executable that
// records its pid and waits. The test reads the child's environment from
// /proc/<pid>/environ, kills the helper and waits for the child to go.
func TestSpotifyChildrenHaveAReducedEnvironmentAndDieWithTheirParent(t *testing.T) {
	t.Parallel()
	for _, child := range []string{"ffmpeg", "yt-dlp"} {
		t.Run(child, func(t *testing.T) {
			dir := t.TempDir()
			pidFile := filepath.Join(dir, "child.pid")
			stand := filepath.Join(dir, child)
			// No exec: the shell's /proc/<pid>/environ stays the block it
			// was started with (a shell exports PWD to what it runs).
			script := "#!/bin/sh\necho $$ > " + pidFile + ".tmp && mv " + pidFile + ".tmp " + pidFile + "\nsleep 300 & wait\n"
			if err := os.WriteFile(stand, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			helper := exec.Command(os.Args[0], "-test.run=^TestSpotifyChildHelper$", "-test.v")
			helper.Env = append(append(os.Environ(), parentSecrets...),
				"SPOTIFY_CHILD_HELPER="+child, "SPOTIFY_CHILD_PATH="+stand, "SPOTIFY_CHILD_DIR="+dir)
			var out bytes.Buffer
			helper.Stdout, helper.Stderr = &out, &out
			if err := helper.Start(); err != nil {
				t.Fatal(err)
			}
			waited := make(chan struct{})
			go func() { _ = helper.Wait(); close(waited) }()
			t.Cleanup(func() { _ = helper.Process.Kill(); <-waited })

			var pid int
			waitUntil(t, 30*time.Second, "the child to start", func() bool {
				b, err := os.ReadFile(pidFile)
				pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
				return err == nil && pid > 0
			})
			environ, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
			if err != nil {
				t.Fatal(err)
			}
			env := strings.Split(strings.TrimRight(string(environ), "\x00"), "\x00")
			for _, kv := range env {
				name, _, _ := strings.Cut(kv, "=")
				switch name {
				case "HOME", "PATH", "LANG":
				default:
					t.Errorf("the %s child inherited %s", child, kv)
				}
			}
			if !strings.Contains(string(environ), "PATH=") {
				t.Errorf("the %s child has no PATH: %q", child, env)
			}

			if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-waited
			waitUntil(t, 10*time.Second, "the child to die with its parent", func() bool { return !alive(pid) })
		})
	}
}

// TestSpotifyChildHelper starts the child as the Spotify handler would,
// until the test above kills this process.
func TestSpotifyChildHelper(t *testing.T) {
	t.Parallel()
	child := os.Getenv("SPOTIFY_CHILD_HELPER")
	if child == "" {
		t.Skip("helper process for TestSpotifyChildrenHaveAReducedEnvironmentAndDieWithTheirParent")
	}
	path, dir := os.Getenv("SPOTIFY_CHILD_PATH"), os.Getenv("SPOTIFY_CHILD_DIR")
	ctx := context.Background()
	var err error
	switch child {
	case "ffmpeg":
		err = tags.New(tags.Config{FFmpegPath: path, Timeout: 5 * time.Minute}).
			Write(ctx, filepath.Join(dir, "song.mp3"), tags.FromTrack(ropes))
	case "yt-dlp":
		_, err = search.NewYTDLP(search.YTDLPConfig{Path: path, Timeout: 5 * time.Minute}).
			Search(ctx, "Dirty Palm - Ropes", search.ModeVideos, 5)
	}
	t.Fatalf("the %s child returned although this helper should have been killed: %v", child, err)
}

// alive reports whether pid runs (a zombie waiting for its reaper does
// not count).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || (b[i+2] != 'Z' && b[i+2] != 'X')
}

// waitUntil polls cond until it holds or d passes.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.EventuallyTrue(t, d, what, cond)
}
