package httpapi_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testmedia"
)

// childSnapshot is what other local users (command line) and the child's
// own user (environment) can read of a running child.
type childSnapshot struct {
	pid              int
	cmdline, environ string
}

// childrenMentioning reads /proc/<pid>/cmdline and environ of every
// process whose command line contains needle.
func childrenMentioning(needle string) []childSnapshot {
	var out []childSnapshot
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmd, []byte(needle)) {
			continue
		}
		env, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		out = append(out, childSnapshot{pid: pid, cmdline: string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})),
			environ: string(bytes.ReplaceAll(env, []byte{0}, []byte{'\n'}))})
	}
	return out
}

// TestChildProcessesCarryNoSecrets: while a real download runs, yt-dlp
// and everything it starts (ffmpeg) show no egress-proxy credential on
// their command line (readable by every local user through ps) or in
// their environment, and no Downlink secret or database URL in the
// environment.
func TestChildProcessesCarryNoSecrets(t *testing.T) {
	t.Setenv("DOWNLINK_SECRET_KEY", "env-secret-marker-1234567890")
	t.Setenv("DOWNLINK_DATABASE_URL", "postgres://user:env-db-marker@127.0.0.1/x")
	w := newDLWorld(t)
	srv := testmedia.NewServer(t)
	d := submitURL(t, w.c, srv.SlowURL(testmedia.PathVideo, 24<<10))
	needle := d.ID.String()

	seen := map[int]childSnapshot{}
	deadline := time.Now().Add(downloadTimeout)
	for {
		for _, c := range childrenMentioning(needle) {
			if c.environ != "" {
				seen[c.pid] = c
			}
		}
		if st := getDownload(t, w.c, d.ID).Status; st == "completed" || st == "failed" || st == "canceled" {
			if st != "completed" {
				t.Fatalf("download %s", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the download did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(seen) == 0 {
		t.Fatal("no child process of the download was seen")
	}
	sawProxy := false
	for _, c := range seen {
		sawProxy = sawProxy || strings.Contains(c.cmdline, "--proxy http://127.0.0.1:")
		for _, leak := range []string{"job-" + needle, "@127.0.0.1", "Proxy-Authorization"} {
			if strings.Contains(c.cmdline, leak) || strings.Contains(c.environ, leak) {
				t.Errorf("pid %d shows %q:\ncmdline %s\nenviron %s", c.pid, leak, c.cmdline, c.environ)
			}
		}
		for _, leak := range []string{"env-secret-marker", "env-db-marker", "DOWNLINK_"} {
			if strings.Contains(c.environ, leak) {
				t.Errorf("pid %d's environment has %q:\n%s", c.pid, leak, c.environ)
			}
		}
	}
	if !sawProxy {
		t.Errorf("no child used the egress proxy's child port: %v", seen)
	}
}
