// Package apitest runs the whole Downlink server for API tests: a fresh
// database (SQLite or Postgres, see storetest), a temp data dir, the real
// router on 127.0.0.1, and a client whose every exchange is checked
// against openapi.yaml.
package apitest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/users"
)

// CheapPasswords are argon2id's lowest costs (8 KiB, one pass): the test
// servers hash passwords with them, so that creating and signing in an
// account costs microseconds instead of 0.15 s (0.3 s under -race). The
// hash format and the check are the server's own; only the costs differ
// (users.DefaultPasswordParams keeps its own tests).
var CheapPasswords = users.PasswordParams{MemoryKiB: 8, Time: 1, Threads: 1}

// Env is one running server for one test.
type Env struct {
	T   testing.TB
	App *app.App
	Cfg *config.Config
	URL string

	logs     *testkit.SyncBuffer
	contract *Contract
	secrets  secretBook
	stop     context.CancelFunc
	done     chan error
}

// Option adjusts the server before it starts.
type Option func(*options)

// options are what the Options set.
type options struct {
	cfg []func(*config.Config)
	app []app.Option
	db  *config.Database
}

// WithConfig applies f to the configuration.
func WithConfig(f func(*config.Config)) Option {
	return func(o *options) { o.cfg = append(o.cfg, f) }
}

// WithApp passes options to app.New (test seams such as app.WithNetwork).
func WithApp(opts ...app.Option) Option {
	return func(o *options) { o.app = append(o.app, opts...) }
}

// WithDatabase runs the server on an existing database (another Env's,
// see Env.Database) instead of a fresh one: two nodes of one cluster.
func WithDatabase(db config.Database) Option { return func(o *options) { o.db = &db } }

// New starts a server on a fresh database and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	contract, err := LoadContract()
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var db config.Database
	if o.db != nil {
		db = *o.db
	} else {
		db = storetest.NewDatabase(t)
	}
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = databaseURL(db)
	cfg.NodeName = "test-node"
	cfg.LogFormat = "json"
	cfg.LogLevel = "debug"
	cfg.Workers = 2
	cfg.MinFreeDisk = 1 << 20
	cfg.ShutdownTimeout = 5 * time.Second
	// No test reaches GitHub: the managed yt-dlp's release server is a
	// closed local port unless a test gives it a stand-in.
	cfg.YtdlpReleasesAPI, cfg.YtdlpReleasesDownload = "http://127.0.0.1:9", "http://127.0.0.1:9"
	for _, f := range o.cfg {
		f(&cfg)
	}
	loaded, err := config.Load("test", nil, envFromConfig(cfg))
	if err != nil {
		t.Fatalf("apitest: config: %v", err)
	}
	logs := &testkit.SyncBuffer{}
	log := app.NewLogger(loaded, logs)
	ctx, cancel := context.WithCancel(context.Background())
	appOpts := append([]app.Option{app.WithPasswordParams(CheapPasswords), app.WithSharedWarm()}, o.app...)
	a, err := app.New(ctx, loaded, log, app.RoleServe, appOpts...)
	if err != nil {
		cancel()
		t.Fatalf("apitest: start: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	e := &Env{T: t, App: a, Cfg: loaded, URL: "http://" + ln.Addr().String(), logs: logs,
		contract: contract, stop: cancel, done: make(chan error, 1)}
	go func() { e.done <- a.Serve(ctx, ln) }()
	t.Cleanup(e.checkSecrets) // runs after Stop: no secret in the output or the logs table
	t.Cleanup(e.showProblems)
	t.Cleanup(e.Stop)
	e.waitHealthy()
	return e
}

// Stop shuts the server down gracefully and waits for it (idempotent).
func (e *Env) Stop() {
	if e.stop == nil {
		return
	}
	e.stop()
	e.stop = nil
	select {
	case err := <-e.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			e.T.Errorf("apitest: server stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		e.T.Errorf("apitest: server did not stop within 30s")
	}
}

func (e *Env) waitHealthy() {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(e.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.T.Fatalf("apitest: server at %s never became healthy", e.URL)
}

func databaseURL(db config.Database) string {
	if db.Kind == config.Postgres {
		return db.DSN
	}
	return "sqlite://" + db.DSN
}

// Database is where this server's database is (for WithDatabase).
func (e *Env) Database() config.Database {
	db, _ := e.Cfg.Database()
	return db
}

// Logs returns everything the server has logged so far (JSON lines).
func (e *Env) Logs() string { return e.logs.String() }

// showProblems prints the server's WARN and ERROR records when the test
// failed: a 500 in CI is then explained in the same output.
func (e *Env) showProblems() {
	if !e.T.Failed() {
		return
	}
	var shown int
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
			if shown++; shown > 40 {
				e.T.Log("apitest: more server warnings and errors left out")
				return
			}
			e.T.Log("server: " + line)
		}
	}
}
