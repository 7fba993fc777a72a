package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestMigrateIsIdempotent(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.Migrate(ctx, storetest.Logger()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	var n int64
	if err := st.DB.Table("schema_migrations").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if want := int64(len(store.MigrationIDs())); n != want {
		t.Fatalf("schema_migrations has %d rows, want %d", n, want)
	}
	if !st.DB.Migrator().HasTable("river_job") {
		t.Fatal("river_job table missing: job queue not migrated")
	}
}

func TestUniqueViolationIsTranslated(t *testing.T) {
	st := storetest.New(t)
	type nodeRow struct {
		Name, Role, Version string
	}
	insert := func() error {
		return st.DB.Table("nodes").Create(map[string]any{
			"name": "a", "role": "serve", "version": "x", "running_jobs": 0,
		}).Error
	}
	if err := insert(); err != nil {
		t.Fatal(err)
	}
	err := insert()
	if !store.IsUniqueViolation(err) {
		t.Fatalf("duplicate insert: got %v, want a unique violation", err)
	}
	_ = nodeRow{}
}

func TestNotFoundMapsRecordNotFound(t *testing.T) {
	mine := errors.New("mine")
	if got := store.NotFound(gorm.ErrRecordNotFound, mine); got != mine {
		t.Fatalf("got %v", got)
	}
	other := errors.New("other")
	if got := store.NotFound(other, mine); got != other {
		t.Fatalf("got %v", got)
	}
}

func TestPing(t *testing.T) {
	st := storetest.New(t)
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteTransactionsTakeTheWriteLockAtBegin: with IMMEDIATE
// transactions a read-then-write transaction holds the write lock from its
// start, so another writer waits for it; with DEFERRED ones the other
// writer commits in between and the first fails with SQLITE_BUSY when it
// upgrades its stale read snapshot.
func TestSQLiteTransactionsTakeTheWriteLockAtBegin(t *testing.T) {
	if storetest.Kind() != "sqlite" {
		t.Skip("SQLite only")
	}
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.DB.Exec("INSERT INTO kv (key, value, updated_at) VALUES ('n', '0', CURRENT_TIMESTAMP)").Error; err != nil {
		t.Fatal(err)
	}
	other := make(chan error, 1)
	err := st.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var v string
		if err := tx.Raw("SELECT value FROM kv WHERE key = 'n'").Scan(&v).Error; err != nil {
			return err
		}
		go func() {
			other <- st.DB.Exec("UPDATE kv SET value = '100' WHERE key = 'n'").Error
		}()
		time.Sleep(300 * time.Millisecond) // let the other writer commit, or block
		return tx.Exec("UPDATE kv SET value = '1' WHERE key = 'n'").Error
	})
	if err != nil {
		t.Fatalf("read-then-write transaction failed: %v", err)
	}
	if err := <-other; err != nil {
		t.Fatalf("the other writer failed: %v", err)
	}
	var v string
	st.DB.Raw("SELECT value FROM kv WHERE key = 'n'").Scan(&v)
	if v != "100" {
		t.Fatalf("value = %s: the other writer did not wait for the transaction", v)
	}
}

func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd #1 ?x %41")
	path := filepath.Join(dir, "downlink.db")
	st, err := store.Open(context.Background(), config.Database{Kind: config.SQLite, DSN: path}, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(context.Background(), storetest.Logger()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}

// TestSQLiteFilesAreOwnerOnly: the database holds password hashes,
// sessions and sealed secrets, so it and its WAL files are created 0600
// whatever the umask lets through, and an existing world-readable file is
// tightened when opened.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	check := func(t *testing.T, path string) {
		t.Helper()
		st, err := store.Open(context.Background(), config.Database{Kind: config.SQLite, DSN: path}, storetest.Logger())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.Migrate(context.Background(), storetest.Logger()); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
			}
		}
	}
	t.Run("new", func(t *testing.T) { check(t, filepath.Join(t.TempDir(), "downlink.db")) })
	t.Run("existing world-readable", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "downlink.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		check(t, path)
	})
}

// TestMigrationAvatarHosts: avatars stored on hosts other than the login
// providers' are cleared; the providers' stay.
func TestMigrationAvatarHosts(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	avatars := map[string]*string{
		"tracker":  ptrTo("https://tracker.example/pixel.png"),
		"plainweb": ptrTo("http://avatars.githubusercontent.com/u/1"),
		"github":   ptrTo("https://avatars.githubusercontent.com/u/1?v=4"),
		"google":   ptrTo("https://lh3.googleusercontent.com/a/abc=s96-c"),
		"none":     nil,
	}
	now := time.Now().UTC()
	for name, a := range avatars {
		err := st.DB.Table("users").Create(map[string]any{"id": store.NewID(), "email": name + "@example.com", "name": name,
			"role": "user", "auth_source": "local", "avatar_url": a, "disabled": false, "created_at": now, "updated_at": now}).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	// Run the migration again over these rows.
	if err := st.DB.Table("schema_migrations").Where("id = ?", "202612070017_avatar_hosts").Delete(nil).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx, storetest.Logger()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"tracker": false, "plainweb": false, "github": true, "google": true, "none": false} {
		var got *string
		if err := st.DB.Table("users").Select("avatar_url").Where("email = ?", name+"@example.com").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if (got != nil) != want || want && *got != *avatars[name] {
			t.Errorf("%s: avatar %v after the migration, want kept %v", name, got, want)
		}
	}
}

func ptrTo(s string) *string { return &s }
