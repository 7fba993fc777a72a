// Package storetest gives each test a fresh, migrated database: a SQLite file
// by default, or a Postgres database when TEST_DB=postgres and
// TEST_DATABASE_URL point at a server. The same suites run on both.
//
// Postgres databases are cloned from a template migrated once per test
// binary, so a fresh database costs one CREATE DATABASE, not a migration.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store"
)

// Kind returns the database the tests run on: "sqlite" or "postgres".
func Kind() config.DatabaseKind {
	if os.Getenv("TEST_DB") == "postgres" {
		return config.Postgres
	}
	return config.SQLite
}

// Logger discards everything below warnings, so failing tests stay readable.
func Logger() *slog.Logger {
	if os.Getenv("TEST_VERBOSE_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Main runs the package's tests and then drops the template database it
// made. Call it from TestMain in packages that use New.
func Main(m *testing.M) {
	code := m.Run()
	if tmpl.name != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if conn, err := pgx.Connect(ctx, adminURL()); err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{tmpl.name}.Sanitize()+" WITH (FORCE)")
			_ = conn.Close(ctx)
		}
		cancel()
	}
	if sqliteTmpl.dir != "" {
		_ = os.RemoveAll(sqliteTmpl.dir)
	}
	os.Exit(code)
}

// New returns a fresh migrated store, closed and removed when the test ends.
func New(t testing.TB) *store.Store {
	t.Helper()
	db := NewDatabase(t)
	st, err := store.Open(context.Background(), db, Logger())
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// NewDatabase makes a fresh migrated database and returns where it is,
// without opening it (for tests that start a whole server on it).
func NewDatabase(t testing.TB) config.Database {
	t.Helper()
	if Kind() == config.Postgres {
		return newPostgres(t)
	}
	return newSQLite(t)
}

var sqliteTmpl struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func newSQLite(t testing.TB) config.Database {
	sqliteTmpl.once.Do(func() {
		dir, err := os.MkdirTemp("", "downlink-sqlite-tmpl-")
		if err != nil {
			sqliteTmpl.err = err
			return
		}
		sqliteTmpl.dir = dir
		sqliteTmpl.path = filepath.Join(dir, "template.db")
		sqliteTmpl.err = migrate(config.Database{Kind: config.SQLite, DSN: sqliteTmpl.path}, true)
	})
	if sqliteTmpl.err != nil {
		t.Fatalf("storetest: sqlite template: %v", sqliteTmpl.err)
	}
	path := filepath.Join(t.TempDir(), "downlink.db")
	data, err := os.ReadFile(sqliteTmpl.path)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return config.Database{Kind: config.SQLite, DSN: path}
}

// migrate opens db, migrates it and closes it; checkpoint folds SQLite's WAL
// into the main file so the file alone can be copied.
func migrate(db config.Database, checkpoint bool) error {
	ctx := context.Background()
	st, err := store.Open(ctx, db, Logger())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx, Logger()); err != nil {
		return err
	}
	if checkpoint {
		return st.DB.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	return nil
}

var tmpl struct {
	once sync.Once
	name string
	err  error
}

// adminURL is TEST_DATABASE_URL: a database to connect to for CREATE and
// DROP DATABASE.
func adminURL() string { return os.Getenv("TEST_DATABASE_URL") }

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newPostgres(t testing.TB) config.Database {
	admin := adminURL()
	if admin == "" {
		t.Fatal("storetest: TEST_DB=postgres needs TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tmpl.once.Do(func() {
		name := "dltmpl_" + randomSuffix()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tmpl.err = err
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			tmpl.err = err
			return
		}
		tmpl.name = name
		tmpl.err = migrate(config.Database{Kind: config.Postgres, DSN: withDatabase(admin, name)}, false)
	})
	if tmpl.err != nil {
		t.Fatalf("storetest: postgres template: %v", tmpl.err)
	}
	name := "dltest_" + strings.ToLower(randomSuffix())
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("storetest: postgres unreachable at %s: %v", admin, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{tmpl.name}.Sanitize()))
	if err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
	})
	return config.Database{Kind: config.Postgres, DSN: withPoolSize(withDatabase(admin, name), testPoolSize)}
}

// testPoolSize bounds each test store's connections: a node keeps up to
// ten open otherwise, and eight API tests at once beside the crash tests
// passed the 100 connections of a default Postgres server.
const testPoolSize = 5

// withPoolSize sets pool_max_conns in a postgres URL.
func withPoolSize(raw string, n int) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("pool_max_conns", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.String()
}
