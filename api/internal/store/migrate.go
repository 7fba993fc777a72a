package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrate brings the schema up to date: River's tables first, then
// Downlink's own versioned migrations. On Postgres an advisory lock makes
// concurrent starts of several nodes take turns, so migrations run once.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	if s.Pool != nil {
		conn, err := s.Pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Release()
		lock := advisoryLockKey("downlink-migrate")
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
			return fmt.Errorf("migrate: take lock: %w", err)
		}
		defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lock) //nolint:errcheck
	}
	if err := s.migrateRiver(ctx, log); err != nil {
		return err
	}
	m := gormigrate.New(s.DB.WithContext(ctx), &gormigrate.Options{
		TableName:                 "schema_migrations",
		IDColumnName:              "id",
		IDColumnSize:              64,
		UseTransaction:            true,
		ValidateUnknownMigrations: true,
	}, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func (s *Store) migrateRiver(ctx context.Context, log *slog.Logger) error {
	cfg := &rivermigrate.Config{Logger: log.With("source", "queue")}
	var (
		res *rivermigrate.MigrateResult
		err error
	)
	if s.Pool != nil {
		var m *rivermigrate.Migrator[pgxTx]
		if m, err = rivermigrate.New(riverpgxv5.New(s.Pool), cfg); err == nil {
			res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[sqlTx]
		if m, err = rivermigrate.New(riversqlite.New(s.SQL), cfg); err == nil {
			res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	if len(res.Versions) > 0 {
		log.Info("job queue schema migrated", "versions", len(res.Versions))
	}
	return nil
}

// MigrationIDs lists Downlink's migrations in order (for `downlink migrate`).
func MigrationIDs() []string {
	var ids []string
	for _, m := range migrations() {
		ids = append(ids, m.ID)
	}
	return ids
}

func advisoryLockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64() >> 1)
}
