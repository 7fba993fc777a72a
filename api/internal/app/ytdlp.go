package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/buildinfo"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/system"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// newYtdlp builds this node's managed yt-dlp: the installer on the data
// dir's tools folder, checking releases against yt-dlp's signing key (or
// the file DOWNLINK_YTDLP_SIGNING_KEY names), with the configured or
// system yt-dlp as fallback; and the service recording it per node. bus
// may be nil (no live events).
func newYtdlp(cfg *config.Config, db *gorm.DB, policy managed.PolicySource, bus managed.Publisher, log *slog.Logger) (*managed.Service, error) {
	keyring := managed.YtdlpKeyring()
	if cfg.YtdlpSigningKey != "" {
		b, err := os.ReadFile(cfg.YtdlpSigningKey)
		if err != nil {
			return nil, fmt.Errorf("DOWNLINK_YTDLP_SIGNING_KEY: %w", err)
		}
		if keyring, err = managed.ParseKeyring(b); err != nil {
			return nil, fmt.Errorf("DOWNLINK_YTDLP_SIGNING_KEY: %w", err)
		}
		log.Warn("yt-dlp releases are checked against the key in DOWNLINK_YTDLP_SIGNING_KEY, not yt-dlp's built-in one",
			"file", cfg.YtdlpSigningKey, "fingerprints", keyring.Fingerprints(), "built_in", managed.YtdlpKeyFingerprint)
	}
	inst, err := managed.NewInstaller(managed.Config{
		Dir:            cfg.YtdlpToolsDir(),
		Fallback:       cfg.YtdlpPath,
		FallbackIsPath: cfg.YtdlpPath != "",
		Releases: managed.NewReleases(managed.ReleasesConfig{APIBase: cfg.YtdlpReleasesAPI,
			DownloadBase: cfg.YtdlpReleasesDownload, UserAgent: "downlink/" + buildinfo.Get().Version}),
		Keyring: keyring,
		Logger:  log.With("source", "ytdlp"),
	})
	if err != nil {
		return nil, err
	}
	return managed.New(managed.Deps{
		DB: db, Installer: inst, Policy: policy, Bus: bus, NodeName: cfg.NodeName, Logger: log,
		Nodes: func(ctx context.Context) ([]managed.Node, error) {
			nodes, err := system.ListNodes(ctx, db)
			out := make([]managed.Node, 0, len(nodes))
			for _, n := range nodes {
				out = append(out, managed.Node{Name: n.Name, Alive: n.Alive})
			}
			return out, err
		},
	})
}

// YtdlpConsole is this node's managed yt-dlp for `downlink ytdlp`: on the
// node's data dir and database, its audit records stored like the
// server's.
type YtdlpConsole struct {
	*managed.Service
	close func()
}

// Close stores the last log records and closes the database.
func (c *YtdlpConsole) Close() { c.close() }

// OpenYtdlpConsole opens the database (migrated) and builds the managed
// yt-dlp of the node cfg describes, acting without a running server.
func OpenYtdlpConsole(ctx context.Context, cfg *config.Config, log *slog.Logger) (*YtdlpConsole, error) {
	keys, st, err := openData(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx, log); err != nil {
		_ = st.Close()
		return nil, err
	}
	stopLogs := func() {}
	if sink, ok := log.Handler().(logSink); ok {
		sink.Attach(st.DB, nil, nil)
		logCtx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = sink.Run(logCtx)
		}()
		stopLogs = func() { cancel(); <-done }
	}
	svc, err := newYtdlp(cfg, st.DB, settings.New(st.DB, keys, cfg, log), nil, log)
	if err != nil {
		stopLogs()
		_ = st.Close()
		return nil, err
	}
	return &YtdlpConsole{Service: svc, close: func() { stopLogs(); _ = st.Close() }}, nil
}
