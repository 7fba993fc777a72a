package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// openTestSQLite opens one connection to a new file through the same
// connector and DSN as the store.
func openTestSQLite(t *testing.T, readOnly bool, path string) *sql.DB {
	t.Helper()
	db := sql.OpenDB(newSQLiteConnector(sqliteDSN(path, readOnly)))
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// connStats reads the connection's statement cache.
func connStats(t *testing.T, db *sql.DB) (prepared, cached int) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(*sqliteConn)
		c.mu.Lock()
		defer c.mu.Unlock()
		prepared, cached = c.prepared, c.lru.Len()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return prepared, cached
}

func mustExec(t *testing.T, db interface {
	Exec(string, ...any) (sql.Result, error)
}, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestSQLiteStatementsArePreparedOnce(t *testing.T) {
	t.Parallel()
	db := openTestSQLite(t, false, filepath.Join(t.TempDir(), "db.sqlite"))
	mustExec(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	for i := range 50 {
		mustExec(t, db, "INSERT INTO t (id, v) VALUES (?, ?)", i, fmt.Sprint("v", i))
	}
	before, _ := connStats(t, db)
	for i := range 50 {
		var v string
		if err := db.QueryRow("SELECT v FROM t WHERE id = ?", i).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint("v", i); v != want {
			t.Fatalf("row %d: got %q, want %q", i, v, want)
		}
	}
	after, _ := connStats(t, db)
	if after-before != 1 {
		t.Fatalf("50 runs of one SELECT prepared it %d times, want once", after-before)
	}
	// A failing statement leaves the cached one usable.
	if _, err := db.Exec("INSERT INTO t (id, v) VALUES (?, ?)", 1, "dup"); err == nil {
		t.Fatal("duplicate primary key accepted")
	}
	mustExec(t, db, "INSERT INTO t (id, v) VALUES (?, ?)", 100, "v100")
	var n int
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 51 {
		t.Fatalf("count = %d, %v; want 51", n, err)
	}
}

// The same SQL run again while its first rows are still open gets a
// statement of its own: both read their own results.
func TestSQLiteSameStatementNested(t *testing.T) {
	t.Parallel()
	db := openTestSQLite(t, false, filepath.Join(t.TempDir(), "db.sqlite"))
	mustExec(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, parent INTEGER)")
	for i := 1; i <= 5; i++ {
		mustExec(t, db, "INSERT INTO t (id, parent) VALUES (?, ?)", i, i-1)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	const q = "SELECT id FROM t WHERE parent = ? OR ? = -1 ORDER BY id"
	outer, err := tx.Query(q, -1, -1)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for outer.Next() {
		var id int
		if err := outer.Scan(&id); err != nil {
			t.Fatal(err)
		}
		var child int
		err := tx.QueryRow(q, id, 0).Scan(&child)
		if err == sql.ErrNoRows {
			pairs = append(pairs, fmt.Sprintf("%d-", id))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, fmt.Sprintf("%d-%d", id, child))
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(pairs), "[1-2 2-3 3-4 4-5 5-]"; got != want {
		t.Fatalf("nested reads: got %s, want %s", got, want)
	}
}

// A cached statement sees the schema as it is when it runs.
func TestSQLiteCachedStatementAfterSchemaChange(t *testing.T) {
	t.Parallel()
	db := openTestSQLite(t, false, filepath.Join(t.TempDir(), "db.sqlite"))
	mustExec(t, db, "CREATE TABLE t (a INTEGER)")
	mustExec(t, db, "INSERT INTO t (a) VALUES (1)")
	columns := func() []string {
		rows, err := db.Query("SELECT * FROM t")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return cols
	}
	if got := fmt.Sprint(columns()); got != "[a]" {
		t.Fatalf("columns %s", got)
	}
	mustExec(t, db, "ALTER TABLE t ADD COLUMN b TEXT")
	if got := fmt.Sprint(columns()); got != "[a b]" {
		t.Fatalf("after ALTER TABLE: columns %s, want [a b]", got)
	}
}

// The cache keeps at most stmtCacheSize statements; older ones are
// finalized and prepared again when next used.
func TestSQLiteStatementCacheIsBounded(t *testing.T) {
	t.Parallel()
	db := openTestSQLite(t, false, filepath.Join(t.TempDir(), "db.sqlite"))
	for i := range stmtCacheSize + 20 {
		var n int
		if err := db.QueryRow(fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("SELECT %d = %d, %v", i, n, err)
		}
	}
	if _, cached := connStats(t, db); cached != stmtCacheSize {
		t.Fatalf("%d statements cached, want %d", cached, stmtCacheSize)
	}
	before, _ := connStats(t, db)
	var n int
	if err := db.QueryRow("SELECT 0").Scan(&n); err != nil || n != 0 {
		t.Fatalf("SELECT 0 = %d, %v", n, err)
	}
	if after, _ := connStats(t, db); after != before+1 {
		t.Fatal("an evicted statement was not prepared again")
	}
}

// A cached read does not keep its snapshot once its rows are closed: the
// writer can checkpoint the whole WAL into the database.
func TestSQLiteCachedReadReleasesItsSnapshot(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db.sqlite")
	writer := openTestSQLite(t, false, path)
	mustExec(t, writer, "CREATE TABLE t (a INTEGER)")
	reader := openTestSQLite(t, true, path)
	for i := range 3 {
		mustExec(t, writer, "INSERT INTO t (a) VALUES (?)", i)
		rows, err := reader.Query("SELECT a FROM t ORDER BY a")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if n != i+1 {
			t.Fatalf("read %d rows after %d inserts", n, i+1)
		}
		var busy, logFrames, done int
		if err := writer.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
			t.Fatal(err)
		}
		if busy != 0 {
			t.Fatalf("checkpoint blocked by the closed read (busy=%d)", busy)
		}
	}
}

// Times are stored as text in the format databases written before the
// driver change hold, and read back to the nanosecond.
func TestSQLiteTimeFormat(t *testing.T) {
	t.Parallel()
	db := openTestSQLite(t, false, filepath.Join(t.TempDir(), "db.sqlite"))
	mustExec(t, db, "CREATE TABLE t (at DATETIME)")
	at := time.Date(2026, 12, 7, 10, 11, 12, 123456789, time.UTC)
	mustExec(t, db, "INSERT INTO t (at) VALUES (?)", at)
	var text string
	if err := db.QueryRow("SELECT CAST(at AS TEXT) FROM t").Scan(&text); err != nil {
		t.Fatal(err)
	}
	if want := "2026-12-07 10:11:12.123456789+00:00"; text != want {
		t.Fatalf("stored %q, want %q", text, want)
	}
	// A row written by the earlier driver (the same text) reads back.
	mustExec(t, db, "INSERT INTO t (at) VALUES ('2025-01-02 03:04:05.5+00:00')")
	rows, err := db.Query("SELECT at FROM t ORDER BY at")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []time.Time
	for rows.Next() {
		var v time.Time
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != 2 || !got[0].Equal(time.Date(2025, 1, 2, 3, 4, 5, 500000000, time.UTC)) || !got[1].Equal(at) {
		t.Fatalf("read back %v", got)
	}
}
