package main

import (
	"context"
	"fmt"
	"os"

	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/buildinfo"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/store"
)

func loadConfig(name string, args []string, io stdio) (*config.Config, error) {
	cfg, err := config.Load("downlink "+name, args, os.Getenv)
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

func serveCmd(ctx context.Context, args []string, io stdio) error {
	return runApp(ctx, "serve", args, io, app.RoleServe)
}

func workerCmd(ctx context.Context, args []string, io stdio) error {
	return runApp(ctx, "worker", args, io, app.RoleWorker)
}

func runApp(ctx context.Context, name string, args []string, io stdio, role app.Role) error {
	cfg, err := loadConfig(name, args, io)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, io.err)
	a, err := app.New(ctx, cfg, log, role)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

func migrateCmd(ctx context.Context, args []string, io stdio) error {
	cfg, err := loadConfig("migrate", args, io)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, io.err)
	db, err := cfg.Database()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, db, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx, log); err != nil {
		return err
	}
	ids := store.MigrationIDs()
	fmt.Fprintf(io.out, "database is up to date (%s, %d migrations, latest %s)\n", db.Kind, len(ids), ids[len(ids)-1])
	return nil
}

func versionCmd(_ context.Context, _ []string, io stdio) error {
	b := buildinfo.Get()
	fmt.Fprintf(io.out, "downlink %s (commit %s, %s)\n", b.Version, b.Commit, b.GoVersion)
	return nil
}
