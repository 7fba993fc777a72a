package app

import (
	"io"
	"log/slog"

	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/logs"
)

// NewLogger returns the process logger writing to w in the configured
// format and level. Its handler also stores records of level info and
// above in the logs table once New attaches the database, and redacts
// secrets, including the client secrets of this configuration, in both.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	h = logs.New(h, logs.Options{Secrets: []string{cfg.SecretKey, cfg.OIDCClientSecret,
		cfg.GitHubClientSecret, cfg.GoogleClientSecret}})
	return slog.New(h).With("node", cfg.NodeName)
}
