package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// keyQueryCounter counts the SQL statements that touch api_keys or users
// (the key lookup), whoever runs them.
type keyQueryCounter struct {
	mu   sync.Mutex
	sqls []string
}

func (q *keyQueryCounter) record(db *gorm.DB) {
	sql := strings.ToLower(db.Statement.SQL.String())
	if strings.Contains(sql, "api_keys") || strings.Contains(sql, "users") {
		q.mu.Lock()
		q.sqls = append(q.sqls, sql)
		q.mu.Unlock()
	}
}

func (q *keyQueryCounter) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.sqls
	q.sqls = nil
	return out
}

// countKeyQueries registers GORM callbacks after every kind of statement
// that reads (Query, Row, Raw) on the app's database.
func countKeyQueries(t *testing.T, env *apitest.Env) *keyQueryCounter {
	t.Helper()
	q := &keyQueryCounter{}
	cb := env.App.Store.DB.Callback()
	name := "apikey_test:count"
	for _, reg := range []func() error{
		func() error { return cb.Query().After("gorm:query").Register(name, q.record) },
		func() error { return cb.Row().After("gorm:row").Register(name, q.record) },
		func() error { return cb.Raw().After("gorm:raw").Register(name, q.record) },
	} {
		if err := reg(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = cb.Query().Remove(name)
		_ = cb.Row().Remove(name)
		_ = cb.Raw().Remove(name)
	})
	return q
}

// TestMistypedKeyNeverReachesTheDatabase: a key with a bad checksum is
// refused before any lookup, while a well-formed key that does not exist
// (the control: proves the counter sees the lookup) does query.
func TestMistypedKeyNeverReachesTheDatabase(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	k := createKey(t, w.userC, "real", []authz.Scope{authz.ScopeDownloadsRead})
	unknown, err := apikeys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	q := countKeyQueries(t, w.env)

	tests := []struct {
		name        string
		key         string
		header      string
		wantQueries bool
		title       string
	}{
		{"bad checksum, bearer", badChecksum(k.Key), "Authorization", false, "Invalid API key"},
		{"bad checksum, X-API-Key", badChecksum(k.Key), "X-API-Key", false, "Invalid API key"},
		{"random text", "dlk_not-a-key", "Authorization", false, "Invalid API key"},
		{"well-formed but unknown", unknown, "Authorization", true, "Invalid API key"},
		{"the real key", k.Key, "X-API-Key", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value := tt.key
			if tt.header == "Authorization" {
				value = "Bearer " + value
			}
			q.take()
			r := w.env.Client().Header(tt.header, value).Get("/api/v1/system")
			got := q.take()
			if tt.title == "" {
				r.Expect(200)
			} else if title := problemTitle(t, r, 401); title != tt.title {
				t.Fatalf("title %q, want %q", title, tt.title)
			}
			if tt.wantQueries && len(got) == 0 {
				t.Fatal("no key lookup counted: the counter does not see the lookup, so the other cases prove nothing")
			}
			if !tt.wantQueries && len(got) > 0 {
				t.Fatalf("a mistyped key reached the database: %q", got)
			}
		})
	}
}

// TestDatabaseHoldsNoKey: after keys are created and used, nothing in the
// database (every table, and on SQLite the file itself; on Postgres a
// pg_dump when available) holds a key or a reversible form of one. Only
// the last eight characters are stored on purpose, so the search is for
// the rest of the key.
func TestDatabaseHoldsNoKey(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	var keys []string
	for i, c := range []*apitest.Client{w.userC, w.adminC, w.userC} {
		k := createKey(t, c, fmt.Sprintf("dump %d", i), []authz.Scope{authz.ScopeDownloadsRead},
			"allowed_ips", []string{"127.0.0.1"}, "daily_download_quota", 5)
		w.env.WithAPIKey(k.Key).Get("/api/v1/system").Expect(200)
		keys = append(keys, k.Key)
	}
	w.env.App.APIKeys.Flush(context.Background())

	var needles [][]byte
	for _, k := range keys {
		secret := k[:len(k)-8] // the last eight are stored for display
		body := k[len(apikeys.Prefix) : len(k)-8]
		for _, s := range []string{secret, body, strings.ToLower(body), strings.ToUpper(body),
			hex.EncodeToString([]byte(k)), base64.StdEncoding.EncodeToString([]byte(k)),
			base64.RawURLEncoding.EncodeToString([]byte(k))} {
			needles = append(needles, []byte(s))
		}
	}
	check := func(where string, data []byte) {
		t.Helper()
		for _, k := range keys {
			// Control: what is stored on purpose is found, so the search
			// looks at the right bytes.
			if !bytes.Contains(data, []byte(apikeys.LastEight(k))) {
				t.Fatalf("%s does not hold the last eight characters of a key: searching the wrong data?", where)
			}
		}
		for _, n := range needles {
			if bytes.Contains(data, n) {
				t.Fatalf("%s holds %q", where, n)
			}
		}
	}

	for _, n := range needles {
		if strings.Contains(w.env.Logs(), string(n)) {
			t.Fatalf("the server log holds %q", n)
		}
	}
	dumped := dumpEveryTable(t, w.env.App.Store.DB)
	check("a table", []byte(dumped))

	st := w.env.App.Store
	if st.IsPostgres() {
		if _, err := exec.LookPath("pg_dump"); err != nil {
			t.Log("pg_dump not installed; checked the tables only")
			return
		}
		// pgxpool's own settings (pool_max_conns) are not libpq's.
		dsn, err := url.Parse(st.DSN)
		if err != nil {
			t.Fatal(err)
		}
		q := dsn.Query()
		q.Del("pool_max_conns")
		dsn.RawQuery = q.Encode()
		out, err := exec.Command("pg_dump", "--no-owner", dsn.String()).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		check("pg_dump", out)
		return
	}
	if err := st.DB.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(st.DSN)
	if err != nil {
		t.Fatal(err)
	}
	check("the SQLite file", file)
	for _, extra := range []string{"-wal", "-journal"} {
		if b, err := os.ReadFile(st.DSN + extra); err == nil && len(b) > 0 {
			for _, n := range needles {
				if bytes.Contains(b, n) {
					t.Fatalf("the SQLite %s file holds %q", extra, n)
				}
			}
		}
	}
}

// dumpEveryTable renders every column of every row of every table as text.
func dumpEveryTable(t *testing.T, db *gorm.DB) string {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Table(table).Rows()
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("scan %s: %v", table, err)
			}
			fmt.Fprintf(&b, "%s:", table)
			for i, v := range vals {
				if raw, ok := v.([]byte); ok {
					v = string(raw)
				}
				fmt.Fprintf(&b, " %s=%v", cols[i], v)
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}
