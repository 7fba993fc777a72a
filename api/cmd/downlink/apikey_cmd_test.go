package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/users"
)

// cliDatabase points the CLI at a fresh database: SQLite in a temp data
// dir, or a new Postgres database when TEST_DB=postgres. It returns the
// data dir and the flags that name the database.
func cliDatabase(t *testing.T) (dataDir string, flags []string) {
	t.Helper()
	dataDir = t.TempDir()
	t.Setenv("DOWNLINK_DATA_DIR", dataDir)
	t.Setenv("DOWNLINK_LOG_LEVEL", "info")
	t.Setenv("DOWNLINK_LOG_FORMAT", "json")
	flags = []string{"--data-dir=" + dataDir}
	if os.Getenv("TEST_DB") != "postgres" {
		return dataDir, flags
	}
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		t.Fatal("TEST_DB=postgres needs TEST_DATABASE_URL")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "dlcli_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), admin); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			_ = c.Close(context.Background())
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	t.Setenv("DOWNLINK_DATABASE_URL", u.String())
	return dataDir, append(flags, "--database-url", u.String())
}

// openTestStore opens the database the CLI uses, migrated, as the server would.
func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	cfg, err := config.Load("test", nil, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	db, err := cfg.Database()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(context.Background(), db, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background(), log); err != nil {
		t.Fatal(err)
	}
	return st
}

// cli runs `downlink args…` and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

var (
	cliKeyRE = regexp.MustCompile(`(?m)^key:\s+(dlk_[0-9A-Za-z]{49})$`)
	cliIDRE  = regexp.MustCompile(`(?m)^id:\s+([0-9a-f-]{36})$`)
)

func TestAPIKeyCommand(t *testing.T) {
	_, dbFlags := cliDatabase(t)
	st := openTestStore(t)
	ctx := context.Background()
	newUser := func(role authz.Role) users.User {
		u, err := users.New(st.DB).CreateLocal(ctx, users.NewLocal{
			Email: "cli-" + uuid.NewString()[:8] + "@example.com", Role: role, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	owner, other := newUser(authz.RoleUser), newUser(authz.RoleUser)
	keys := apikeys.New(st.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	authenticate := func(key string) (*authz.Principal, error) {
		r := httptest.NewRequest("GET", "/api/v1/system", nil)
		r.Header.Set("Authorization", "Bearer "+key)
		return keys.Authenticate(authz.WithClientIP(ctx, "192.0.2.1"), r)
	}

	// Create: the configuration comes from flags here (the rest of the
	// test uses DOWNLINK_* variables), mixed in with the command's own.
	code, out, errOut := cli(t, append([]string{"apikey", "create", "--user", owner.Email, "--name=nightly sync",
		"--scopes", "downloads:read, files:read", "--expires", "30d", "--rate-limit", "120", "--daily-quota=5"}, dbFlags...)...)
	if code != 0 {
		t.Fatalf("create: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	m, idm := cliKeyRE.FindStringSubmatch(out), cliIDRE.FindStringSubmatch(out)
	if m == nil || idm == nil {
		t.Fatalf("create printed no key or id:\n%s", out)
	}
	key, id := m[1], uuid.MustParse(idm[1])
	if strings.Count(out, key) != 1 || strings.Contains(errOut, key[:len(key)-8]) {
		t.Fatalf("the key must be printed once, on stdout only\nstdout: %s\nstderr: %s", out, errOut)
	}

	// The printed key works, with what was asked for.
	p, err := authenticate(key)
	if err != nil || p == nil || p.APIKeyID != id || p.UserID != owner.ID {
		t.Fatalf("the printed key does not authenticate: %+v, %v", p, err)
	}
	if !p.Can(authz.ScopeDownloadsRead) || !p.Can(authz.ScopeFilesRead) || p.Can(authz.ScopeDownloadsWrite) {
		t.Fatalf("scopes %v", p.Scopes())
	}
	k, err := keys.Get(ctx, &authz.Principal{Role: authz.RoleAdmin}, id)
	if err != nil {
		t.Fatal(err)
	}
	if k.Name != "nightly sync" || k.RateLimitPerMinute != 120 || k.DailyDownloadQuota == nil || *k.DailyDownloadQuota != 5 ||
		k.ExpiresAt == nil || k.ExpiresAt.Sub(time.Now().Add(30*24*time.Hour)).Abs() > time.Minute {
		t.Fatalf("created %+v", k)
	}

	// Other lifetimes.
	for _, exp := range []struct {
		flag string
		want time.Duration // 0: never
	}{{"720h", 720 * time.Hour}, {"never", 0}, {"1d", 24 * time.Hour}} {
		code, out, errOut := cli(t, "apikey", "create", "--user", other.Email, "--name", "exp "+exp.flag, "--scopes", "files:read", "--expires", exp.flag)
		if code != 0 {
			t.Fatalf("--expires %s: exit %d: %s", exp.flag, code, errOut)
		}
		k, err := keys.Get(ctx, &authz.Principal{Role: authz.RoleAdmin}, uuid.MustParse(cliIDRE.FindStringSubmatch(out)[1]))
		if err != nil {
			t.Fatal(err)
		}
		if exp.want == 0 && k.ExpiresAt != nil || exp.want != 0 && (k.ExpiresAt == nil || k.ExpiresAt.Sub(time.Now().Add(exp.want)).Abs() > time.Minute) {
			t.Fatalf("--expires %s: expires_at %v", exp.flag, k.ExpiresAt)
		}
	}

	// List: everyone's, or one user's.
	code, out, errOut = cli(t, "apikey", "list")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "LAST EIGHT") {
		t.Fatalf("list:\n%s", out)
	}
	row := lineWith(out, id.String())
	for _, want := range []string{owner.Email, "nightly sync", "downloads:read,files:read", apikeys.LastEight(key), "active", "never"} {
		if !strings.Contains(row, want) {
			t.Fatalf("list row %q lacks %q", row, want)
		}
	}
	if strings.Contains(out, key[:len(key)-8]) {
		t.Fatal("list shows a key")
	}
	if code, out, _ := cli(t, "apikey", "list", "--user", other.Email); code != 0 || strings.Contains(out, id.String()) ||
		strings.Count(strings.TrimSpace(out), "\n") != 3 {
		t.Fatalf("list --user %s (exit %d):\n%s", other.Email, code, out)
	}

	// Revoke: the key stops at once; again is harmless.
	if code, out, errOut := cli(t, "apikey", "revoke", "--id", id.String()); code != 0 || !strings.Contains(out, "Revoked") {
		t.Fatalf("revoke: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := authenticate(key); !errors.Is(err, apikeys.ErrKeyRevoked) {
		t.Fatalf("after revoke: %v", err)
	}
	if code, out, _ := cli(t, "apikey", "revoke", "--id", id.String()); code != 0 || !strings.Contains(out, "already revoked") {
		t.Fatalf("revoke again: exit %d: %s", code, out)
	}
	if _, out, _ := cli(t, "apikey", "list"); !strings.Contains(lineWith(out, id.String()), "revoked") {
		t.Fatalf("list after revoke:\n%s", out)
	}
}

// lineWith returns the first line of s that contains sub.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// TestAPIKeyCommandErrors: mistakes exit non-zero with a message that says
// what is wrong, and create nothing.
func TestAPIKeyCommandErrors(t *testing.T) {
	cliDatabase(t)
	st := openTestStore(t)
	u, err := users.New(st.DB).CreateLocal(context.Background(), users.NewLocal{
		Email: "plain@example.com", Role: authz.RoleUser, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	create := func(extra ...string) []string {
		return append([]string{"apikey", "create", "--user", u.Email, "--name", "n", "--scopes", "files:read"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no subcommand", []string{"apikey"}, 1, "subcommand"},
		{"unknown subcommand", []string{"apikey", "rotate"}, 1, "unknown subcommand"},
		{"no user", []string{"apikey", "create", "--name", "n", "--scopes", "files:read"}, 1, "required"},
		{"unknown user", []string{"apikey", "create", "--user", "nobody@example.com", "--name", "n", "--scopes", "files:read"}, 1, "no user"},
		{"admin scope for a user", []string{"apikey", "create", "--user", u.Email, "--name", "n", "--scopes", "admin:read"}, 1, "scopes"},
		{"unknown scope", []string{"apikey", "create", "--user", u.Email, "--name", "n", "--scopes", "files:delete"}, 1, "scopes"},
		{"blank name", []string{"apikey", "create", "--user", u.Email, "--name", " ", "--scopes", "files:read"}, 1, "required"},
		{"bad lifetime", create("--expires", "soon"), 1, "--expires"},
		{"zero lifetime", create("--expires", "0d"), 1, "--expires"},
		{"negative lifetime", create("--expires", "-5h"), 1, "--expires"},
		{"bad rate limit", create("--rate-limit", "-1"), 1, "--rate-limit"},
		{"bad quota", create("--daily-quota", "-3"), 1, "--daily-quota"},
		{"not a number", create("--daily-quota", "many"), 1, "daily-quota"},
		{"bad config flag", create("--log-level", "loud"), 1, "LOG_LEVEL"},
		{"stray argument", create("extra"), 1, "extra"},
		{"revoke without id", []string{"apikey", "revoke"}, 1, "--id"},
		{"revoke unknown id", []string{"apikey", "revoke", "--id", uuid.NewString()}, 1, "not found"},
		{"list unknown user", []string{"apikey", "list", "--user", "nobody@example.com"}, 1, "no user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.says) {
				t.Fatalf("exit %d, want %d; stderr should say %q\nstdout: %s\nstderr: %s", code, tt.code, tt.says, out, errOut)
			}
			if strings.Contains(out, apikeys.Prefix) {
				t.Fatalf("printed a key: %s", out)
			}
		})
	}
	var n int64
	if err := st.DB.Table("api_keys").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("%d keys exist after only mistakes (%v)", n, err)
	}
	if code, out, _ := cli(t, "apikey", "--help"); code != 0 || !strings.Contains(out, "apikey create") {
		t.Fatalf("apikey --help: exit %d: %s", code, out)
	}
}
