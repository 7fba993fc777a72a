package clustertest

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/testkit"
)

// startTimeout is generous for two cores shared by several people; every
// wait polls, so a fast run never waits this long.
const startTimeout = 90 * time.Second

// proc is one downlink process of the cluster.
type proc struct {
	t    *testing.T
	name string
	url  string
	logs *logSink
	cmd  *exec.Cmd
	done chan struct{}
}

// clusterEnv is what every process of one cluster shares.
type clusterEnv struct {
	dataDir string
	dbURL   string
	extra   []string
}

func (c clusterEnv) environ(name, addr string, more ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DOWNLINK_ADDR=" + addr, "DOWNLINK_DATA_DIR=" + c.dataDir, "DOWNLINK_DATABASE_URL=" + c.dbURL,
		"DOWNLINK_NODE_NAME=" + name,
		// One key for the whole cluster, as the deploy files set it: each
		// node would otherwise make its own.
		"DOWNLINK_SECRET_KEY=cluster-test-secret-key-0123456789abcdef",
		"DOWNLINK_GENERIC_SITES=true", "DOWNLINK_ALLOW_PRIVATE_NETWORKS=true",
		"DOWNLINK_LOG_FORMAT=json", "DOWNLINK_LOG_LEVEL=info",
		"DOWNLINK_MIN_FREE_DISK=1MiB", "DOWNLINK_SHUTDOWN_TIMEOUT=10s",
	}
	env = append(env, c.extra...)
	return append(env, more...)
}

// run runs a one-shot command (user create, apikey create) and returns its
// output.
func (c clusterEnv) run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = c.environ("cli", "127.0.0.1:0")
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("downlink %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start runs `downlink <role>` and waits for /healthz. The process is
// killed when the test ends; its log is printed if the test failed.
func (c clusterEnv) start(t *testing.T, role, name string, more ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	p := &proc{t: t, name: name, url: "http://" + addr, logs: &logSink{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, role)
	p.cmd.Env = c.environ(name, addr, more...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	// The process dies with the test binary (a timeout panic, say): SIGKILL
	// from a thread that lives as long as the process does.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := p.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = p.cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("log of %s (last lines):\n%s", name, p.logs.tail(80))
		}
	})
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited while starting:\n%s", name, p.logs.tail(60))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy after %v:\n%s", name, startTimeout, p.logs.tail(60))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill sends SIGKILL (no chance to clean up) and waits for the process.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
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

// logSink keeps what a process wrote.
type logSink struct{ testkit.SyncBuffer }

func (l *logSink) tail(n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.EventuallyTrue(t, d, what, cond)
}

// adminKey creates an admin account and a full API key with the CLI, as
// docs/scaling.md does, and returns the key.
func adminKey(t *testing.T, c clusterEnv) string {
	t.Helper()
	c.run(t, "cluster-test-password\n", "user", "create", "--email", "admin@example.com", "--admin", "--password-stdin")
	out := c.run(t, "", "apikey", "create", "--user", "admin@example.com", "--name", "cluster",
		"--scopes", "downloads:read,downloads:write,files:read,files:write,admin:read", "--rate-limit", "100000", "--expires", "never")
	for _, line := range strings.Split(out, "\n") {
		if k, ok := strings.CutPrefix(line, "key:"); ok {
			return strings.TrimSpace(k)
		}
	}
	t.Fatalf("no key in:\n%s", out)
	return ""
}
