package crashtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testkit"
)

// Timeouts, generous for a two-core machine shared by several people;
// every wait polls, so a fast run never waits this long.
const (
	startTimeout    = 90 * time.Second
	shutdownTimeout = 15 * time.Second // DOWNLINK_SHUTDOWN_TIMEOUT
	// procsGoneTimeout bounds "immediately": yt-dlp, ffmpeg and the guard
	// of a dead node die within milliseconds; this only absorbs a busy
	// machine.
	procsGoneTimeout = 5 * time.Second
)

// node is one downlink server (started, killed and started again on the
// same data dir and database), run as a subprocess of the test.
type node struct {
	t       *testing.T
	name    string
	dataDir string
	dbURL   string
	env     []string // extra DOWNLINK_* settings

	mu   sync.Mutex
	logs *logSink
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd was waited for
	url  string
}

// newNode starts a node named name on the database and waits until it
// answers /healthz. It is killed when the test ends, and its log is
// printed if the test failed.
func newNode(t *testing.T, name string, db config.Database, env ...string) *node {
	t.Helper()
	n := &node{t: t, name: name, dataDir: t.TempDir(), dbURL: databaseURL(db), env: env, logs: &logSink{}}
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			t.Logf("log of node %s (last lines):\n%s", n.name, n.logs.tail(120))
		}
	})
	n.start()
	return n
}

func databaseURL(db config.Database) string {
	if db.Kind == config.Postgres {
		return db.DSN
	}
	return "sqlite://" + db.DSN
}

// tempRoot is where this node keeps its running jobs' folders.
func (n *node) tempRoot() string { return filepath.Join(n.dataDir, "tmp", n.name) }

// libraryDir is where this node's finished files go.
func (n *node) libraryDir() string { return filepath.Join(n.dataDir, "library") }

// start runs the binary and waits until it is healthy.
func (n *node) start() {
	n.t.Helper()
	addr := freeAddr(n.t)
	env := append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DOWNLINK_ADDR=" + addr, "DOWNLINK_DATA_DIR=" + n.dataDir, "DOWNLINK_DATABASE_URL=" + n.dbURL,
		"DOWNLINK_NODE_NAME=" + n.name, "DOWNLINK_WORKERS=2",
		"DOWNLINK_GENERIC_SITES=true", "DOWNLINK_ALLOW_PRIVATE_NETWORKS=true",
		"DOWNLINK_LOG_FORMAT=json", "DOWNLINK_LOG_LEVEL=debug",
		"DOWNLINK_MIN_FREE_DISK=1MiB", "DOWNLINK_SHUTDOWN_TIMEOUT=" + shutdownTimeout.String(),
	}, n.env...)
	cmd := exec.Command(binary, "serve")
	cmd.Env = env
	n.logs.mark(fmt.Sprintf("---- start of %s at %s", n.name, time.Now().Format(time.RFC3339Nano)))
	cmd.Stdout, cmd.Stderr = n.logs, n.logs
	// The server dies with the test binary (a timeout panic, say): it
	// gets SIGKILL from a thread that lives as long as it does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	done := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		n.t.Fatalf("start %s: %v", n.name, err)
	}
	n.mu.Lock()
	n.cmd, n.done, n.url = cmd, done, "http://"+addr
	n.mu.Unlock()

	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := http.Get(n.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			n.t.Fatalf("node %s exited while starting (%v):\n%s", n.name, cmd.ProcessState, n.logs.tail(60))
		default:
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("node %s not healthy after %v:\n%s", n.name, startTimeout, n.logs.tail(60))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pid is the running server's pid.
func (n *node) pid() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd.Process.Pid
}

// kill sends SIGKILL (no chance to clean up) and waits for the process.
func (n *node) kill() {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
	n.logs.mark("---- killed with SIGKILL")
}

// stop sends SIGTERM and returns how the process ended and how long it
// took; it fails the test if the process outlives the shutdown timeout by
// far.
func (n *node) stop() (*os.ProcessState, time.Duration) {
	n.t.Helper()
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		n.t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(shutdownTimeout + 30*time.Second):
		n.t.Fatalf("node %s still running %v after SIGTERM", n.name, time.Since(start))
	}
	return cmd.ProcessState, time.Since(start)
}

// setupToken waits for the first start's one-time setup token in the log.
func (n *node) setupToken() string {
	n.t.Helper()
	var tok string
	waitFor(n.t, 30*time.Second, "the setup token in the log", func() bool {
		tok = n.logs.field("setup_token")
		return tok != ""
	})
	return tok
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// logSink keeps everything a node wrote (JSON log lines).
type logSink struct{ testkit.SyncBuffer }

func (l *logSink) mark(s string) { _, _ = l.Write([]byte(s + "\n")) }

func (l *logSink) lines() []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// tail returns the last n lines.
func (l *logSink) tail(n int) string {
	lines := l.lines()
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// field returns the first string value of key in a JSON log line.
func (l *logSink) field(key string) string {
	for _, line := range l.lines() {
		if !strings.Contains(line, `"`+key+`"`) {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if s, ok := m[key].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// count returns how many log lines have msg as their message.
func (l *logSink) count(msg string) int {
	n := 0
	for _, line := range l.lines() {
		if strings.Contains(line, `"msg":`+strconv.Quote(msg)) {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.EventuallyTrue(t, d, what, cond)
}
