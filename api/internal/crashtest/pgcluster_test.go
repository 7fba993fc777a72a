package crashtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// pgCluster is a throwaway Postgres server of one test: its own data
// folder on a free loopback port, so the test may stop and start it
// without disturbing the machine's shared server or other test runs.
type pgCluster struct {
	t      *testing.T
	bin    string   // folder of initdb, pg_ctl, postgres
	dir    string   // holds data/ and log
	port   int      // listens on 127.0.0.1:port
	asUser []string // runuser -u postgres -- when the test runs as root
}

// pgBinDir finds the Postgres server binaries (the newest installed
// /usr/lib/postgresql/*/bin, else initdb on PATH); "" when there are none.
func pgBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if isExecutable(filepath.Join(dirs[i], "initdb")) && isExecutable(filepath.Join(dirs[i], "pg_ctl")) {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && isExecutable(filepath.Join(filepath.Dir(p), "pg_ctl")) {
		return filepath.Dir(p)
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// newPGCluster creates and starts a cluster, stopped and removed when the
// test ends. It skips the test, loudly, when the server binaries are
// missing.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		t.Skip("SKIPPED LOUDLY: no PostgreSQL server binaries (initdb, pg_ctl in /usr/lib/postgresql/*/bin or PATH); " +
			"the Postgres outage test needs a cluster of its own: run deploy/install-deps.sh")
	}
	dir, err := os.MkdirTemp("", "downlink-pgoutage-")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{t: t, bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: the postgres package's user runs
		// the server, in a folder it owns.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			t.Skipf("SKIPPED LOUDLY: running as root needs the 'postgres' system user to run initdb: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			t.Fatal(err)
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		_ = c.pgctl(30*time.Second, "-m", "immediate", "stop")
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "log")); err == nil {
				t.Logf("postgres log (last lines):\n%s", lastLines(string(b), 40))
			}
		}
		os.RemoveAll(dir)
	})
	if out, err := c.run(2*time.Minute, filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "-A", "trust", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.port = freePort(t)
	c.start()
	return c
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// url is the connection string of the cluster's postgres database.
func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// start starts the server on its port and waits until it accepts
// connections (pg_ctl -w).
func (c *pgCluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s "+
		"-c fsync=off -c full_page_writes=off -c max_connections=100", c.port, c.dir)
	if err := c.pgctl(2*time.Minute, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "90", "-o", opts, "start"); err != nil {
		c.t.Fatalf("start postgres: %v", err)
	}
}

// stop shuts the server down as an operator restarting it would: fast
// mode disconnects every client and stops at once.
func (c *pgCluster) stop() {
	c.t.Helper()
	if err := c.pgctl(2*time.Minute, "-m", "fast", "-w", "-t", "90", "stop"); err != nil {
		c.t.Fatalf("stop postgres: %v", err)
	}
}

func (c *pgCluster) pgctl(timeout time.Duration, args ...string) error {
	out, err := c.run(timeout, filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.data()}, args...)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// run runs a server binary as the postgres user when needed.
func (c *pgCluster) run(timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := append(append(append([]string{}, c.asUser...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

func freePort(t *testing.T) int {
	t.Helper()
	_, port, _ := strings.Cut(freeAddr(t), ":")
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// outage is what the database-outage tests start from: a Postgres cluster
// of their own, one node with one worker on it (a second download waits in
// the queue), its admin, and a download served slowly enough to be caught
// mid-way.
type outage struct {
	pg            *pgCluster
	db            config.Database
	n             *node
	c             *client
	srv           *testmedia.Server
	url, original string
	size          int64
}

// newOutage starts an outage world whose media takes about slowFor to
// download. The heartbeat timeout stays at its production default, so
// recovery owes nothing to another node's rescue.
func newOutage(t *testing.T, slowFor time.Duration) *outage {
	t.Helper()
	needBinary(t)
	o := &outage{pg: newPGCluster(t)}
	o.db = config.Database{Kind: config.Postgres, DSN: o.pg.url()}
	o.n = newNode(t, "node-a", o.db, "DOWNLINK_WORKERS=1")
	o.c = newAdmin(t, o.n)
	o.srv = testmedia.NewServer(t)
	o.url, _, o.original, o.size = slowBig(t, o.srv, slowFor)
	return o
}
