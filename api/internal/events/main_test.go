package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// defaultTestDatabaseURL is where the Postgres tests look when
// TEST_DATABASE_URL is unset.
const defaultTestDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// testDB is the database made for this test run when TEST_DB=postgres.
// The bus needs no schema, so this is a bare database rather than a
// migrated one from storetest.
var testDB struct {
	url   string // connection string of the fresh database
	admin string // connection string used to create and drop it
	name  string
}

func TestMain(m *testing.M) {
	if os.Getenv("TEST_DB") == "postgres" {
		if err := createTestDatabase(); err != nil {
			// TEST_DB=postgres promises Postgres coverage: fail, never skip.
			fmt.Fprintf(os.Stderr, "events tests: TEST_DB=postgres but Postgres is unusable: %v\n", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if testDB.name != "" {
		dropTestDatabase()
	}
	os.Exit(code)
}

func createTestDatabase() error {
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		admin = defaultTestDatabaseURL
	}
	u, err := url.Parse(admin)
	if err != nil {
		return fmt.Errorf("TEST_DATABASE_URL: %w", err)
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	name := "events_test_" + hex.EncodeToString(r[:])

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return err
	}
	u.Path = "/" + name
	testDB.url, testDB.admin, testDB.name = u.String(), admin, name
	return nil
}

func dropTestDatabase() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testDB.admin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "events tests: drop %s: %v\n", testDB.name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{testDB.name}.Sanitize()+" WITH (FORCE)"); err != nil {
		fmt.Fprintf(os.Stderr, "events tests: drop %s: %v\n", testDB.name, err)
	}
}

// postgresURL returns the test database, skipping the test when the suite
// does not run on Postgres.
func postgresURL(t testing.TB) string {
	t.Helper()
	if testDB.url == "" {
		t.Skip("Postgres tests need TEST_DB=postgres")
	}
	return testDB.url
}

// testLogger shows warnings and errors only with TEST_VERBOSE_LOG set.
func testLogger() *slog.Logger {
	if os.Getenv("TEST_VERBOSE_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
