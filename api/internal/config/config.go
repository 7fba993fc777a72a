// Package config holds Downlink's typed configuration: defaults in code,
// overridden by DOWNLINK_* environment variables, then by command-line flags,
// validated once at start and passed explicitly to whoever needs it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole runtime configuration of one Downlink process.
type Config struct {
	Addr                 string        `env:"ADDR" flag:"addr" usage:"listen address"`
	DataDir              string        `env:"DATA_DIR" flag:"data-dir" usage:"database (SQLite), library and temp folders"`
	DatabaseURL          string        `env:"DATABASE_URL" flag:"database-url" usage:"postgres://… for Postgres, sqlite:///path for SQLite (default: SQLite in the data dir)"`
	SecretKey            string        `env:"SECRET_KEY" flag:"secret-key" usage:"encrypts secrets at rest and signs cookies (default: generated once into the data dir)"`
	BaseURL              string        `env:"BASE_URL" flag:"base-url" usage:"public URL for OIDC redirects and webhook links (default: derived from the request)"`
	YtdlpPath            string        `env:"YTDLP_PATH" flag:"ytdlp-path" usage:"yt-dlp executable (default: from PATH)"`
	FfmpegPath           string        `env:"FFMPEG_PATH" flag:"ffmpeg-path" usage:"ffmpeg executable (default: from PATH)"`
	AllowPrivateNetworks bool          `env:"ALLOW_PRIVATE_NETWORKS" flag:"allow-private-networks" usage:"allow URLs on loopback and private hosts (tests, home labs)"`
	OIDCIssuer           string        `env:"OIDC_ISSUER" flag:"oidc-issuer" usage:"OIDC issuer URL; unset means local accounts only"`
	OIDCClientID         string        `env:"OIDC_CLIENT_ID" flag:"oidc-client-id" usage:"OIDC client id"`
	OIDCClientSecret     string        `env:"OIDC_CLIENT_SECRET" flag:"oidc-client-secret" usage:"OIDC client secret"`
	OIDCName             string        `env:"OIDC_NAME" flag:"oidc-name" usage:"name of the OIDC provider on the login page"`
	GitHubClientID       string        `env:"GITHUB_CLIENT_ID" flag:"github-client-id" usage:"GitHub OAuth client id (optional login provider)"`
	GitHubClientSecret   string        `env:"GITHUB_CLIENT_SECRET" flag:"github-client-secret" usage:"GitHub OAuth client secret"`
	GoogleClientID       string        `env:"GOOGLE_CLIENT_ID" flag:"google-client-id" usage:"Google OAuth client id (optional login provider)"`
	GoogleClientSecret   string        `env:"GOOGLE_CLIENT_SECRET" flag:"google-client-secret" usage:"Google OAuth client secret"`
	AdminEmails          []string      `env:"ADMIN_EMAILS" flag:"admin-emails" usage:"comma-separated e-mails that become admin on first login"`
	Workers              int           `env:"WORKERS" flag:"workers" usage:"concurrent downloads on this node (0: this node downloads nothing)"`
	NodeName             string        `env:"NODE_NAME" flag:"node-name" usage:"this node's name in the system view and job records (default: host name)"`
	GenericSites         bool          `env:"GENERIC_SITES" flag:"generic-sites" usage:"first-start value of the generic sites switch"`
	LogLevel             string        `env:"LOG_LEVEL" flag:"log-level" usage:"debug, info, warn or error"`
	LogFormat            string        `env:"LOG_FORMAT" flag:"log-format" usage:"text or json (default: text on a terminal, else json)"`
	TrustProxy           bool          `env:"TRUST_PROXY" flag:"trust-proxy" usage:"trust X-Forwarded-For/-Proto from a reverse proxy"`
	SessionIdleTimeout   time.Duration `env:"SESSION_IDLE_TIMEOUT" flag:"session-idle-timeout" usage:"sign a session out after this long without use"`
	SessionMaxAge        time.Duration `env:"SESSION_MAX_AGE" flag:"session-max-age" usage:"sign a session out this long after login, used or not"`
	MinFreeDisk          ByteSize      `env:"MIN_FREE_DISK" flag:"min-free-disk" usage:"refuse new downloads below this much free disk (e.g. 1GiB)"`
	BodyLimit            ByteSize      `env:"BODY_LIMIT" flag:"body-limit" usage:"largest accepted request body"`
	ShutdownTimeout      time.Duration `env:"SHUTDOWN_TIMEOUT" flag:"shutdown-timeout" usage:"how long a graceful shutdown waits for requests and jobs"`
	CORSOrigins          []string      `env:"CORS_ORIGINS" flag:"cors-origins" usage:"comma-separated origins allowed to call the API cross-origin (default: none)"`
	SearchBaseURL        string        `env:"SEARCH_BASE_URL" flag:"search-base-url" usage:"base URL of the YouTube Music and YouTube search used to match Spotify tracks, and of its /watch?v= pages (default: the real services; tests: a local stand-in)"`
	// HeartbeatTimeout is how long a running download may go without a
	// heartbeat before another node re-queues it (its node is taken for
	// dead); the worker beats every sixth of it. Keep the default (90s) in
	// production, well above a slow database's hiccups: too short, and a
	// live download is taken over and started again elsewhere. Crash tests
	// shorten it.
	HeartbeatTimeout time.Duration `env:"HEARTBEAT_TIMEOUT" flag:"heartbeat-timeout" usage:"re-queue a running download on another node after this long without a heartbeat"`
	// Storage and S3* choose where the library's bytes live (storage.go).
	Storage      string        `env:"STORAGE" flag:"storage" usage:"where library files live: local (the data dir's library folder, may be a shared mount) or s3"`
	S3Endpoint   string        `env:"S3_ENDPOINT" flag:"s3-endpoint" usage:"S3-compatible endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com or http://minio:9000 (https means TLS)"`
	S3Bucket     string        `env:"S3_BUCKET" flag:"s3-bucket" usage:"bucket holding the library"`
	S3Region     string        `env:"S3_REGION" flag:"s3-region" usage:"bucket region (default: asked from the endpoint)"`
	S3AccessKey  string        `env:"S3_ACCESS_KEY" flag:"s3-access-key" usage:"S3 access key id (default: AWS_*/MINIO_* variables or the instance's IAM role)"`
	S3SecretKey  string        `env:"S3_SECRET_KEY" flag:"s3-secret-key" usage:"S3 secret access key"`
	S3PathStyle  bool          `env:"S3_PATH_STYLE" flag:"s3-path-style" usage:"address the bucket as endpoint/bucket (MinIO, Ceph, Garage) instead of bucket.endpoint"`
	S3Prefix     string        `env:"S3_PREFIX" flag:"s3-prefix" usage:"key prefix inside the bucket, e.g. downlink/ (default: none)"`
	S3PresignTTL time.Duration `env:"S3_PRESIGN_TTL" flag:"s3-presign-ttl" usage:"redirect file content to a presigned URL valid this long, e.g. 5m (0: stream through Downlink)"`
	// ClusterMaxConcurrent caps running downloads per platform across all
	// nodes (cluster.go); ClusterCaps is its parsed form.
	ClusterMaxConcurrent []string       `env:"CLUSTER_MAX_CONCURRENT" flag:"cluster-max-concurrent" usage:"running downloads per platform across all nodes, e.g. youtube=4,instagram=1 (counted in the database; give every node the same value)"`
	ClusterCaps          map[string]int `json:"-"`

	// DebugAddr serves Go's pprof profiles (debug.go in app); loopback
	// only, because profiles show memory contents and stacks.
	DebugAddr string `env:"DEBUG_ADDR" flag:"debug-addr" usage:"serve Go's pprof profiles on this loopback address, e.g. 127.0.0.1:6060 (default: off)"`

	// WorkersSet says DOWNLINK_WORKERS (or --workers) was given: this node
	// then ignores the default_concurrency setting.
	WorkersSet bool `json:"-"`
}

// Defaults returns the zero-config configuration.
func Defaults() Config {
	host, _ := os.Hostname()
	if host == "" {
		host = "downlink"
	}
	format := "json"
	if isTerminal(os.Stderr) {
		format = "text"
	}
	return Config{
		Addr:               "127.0.0.1:8080",
		DataDir:            "./data",
		Workers:            3,
		NodeName:           host,
		LogLevel:           "info",
		LogFormat:          format,
		SessionIdleTimeout: 24 * time.Hour,
		SessionMaxAge:      30 * 24 * time.Hour,
		MinFreeDisk:        512 << 20,
		BodyLimit:          2 << 20,
		ShutdownTimeout:    20 * time.Second,
		HeartbeatTimeout:   90 * time.Second,
		Storage:            StorageLocal,
	}
}

// MinHeartbeatTimeout is the shortest DOWNLINK_HEARTBEAT_TIMEOUT: a
// heartbeat every second, six chances to land.
const MinHeartbeatTimeout = 6 * time.Second

// HeartbeatInterval is how often a running download proves it is alive:
// six beats per HeartbeatTimeout (15s by default).
func (c *Config) HeartbeatInterval() time.Duration { return c.HeartbeatTimeout / 6 }

// EnvPrefix is the prefix of every configuration variable.
const EnvPrefix = "DOWNLINK_"

// Load builds the configuration from defaults, the environment (getenv, e.g.
// os.Getenv) and the command-line arguments of a subcommand, then validates
// and normalizes it. It returns flag.ErrHelp when args ask for help.
func Load(name string, args []string, getenv func(string) string) (*Config, error) {
	cfg := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if err := bind(&cfg, fs, getenv); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg.WorkersSet = getenv(EnvPrefix+"WORKERS") != ""
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "workers" {
			cfg.WorkersSet = true
		}
	})
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Usage writes the flags and their variables, for `downlink serve -h`.
func Usage(name string) string {
	cfg := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	_ = bind(&cfg, fs, func(string) string { return "" })
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

func (c *Config) normalize() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("DOWNLINK_ADDR %q: want host:port", c.Addr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("DOWNLINK_DATA_DIR must not be empty"))
	} else if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite://" + filepath.Join(c.DataDir, "downlink.db")
	}
	if _, err := c.Database(); err != nil {
		errs = append(errs, err)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("DOWNLINK_BASE_URL %q: want an absolute http(s) URL", c.BaseURL))
		} else {
			c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		}
	}
	if c.SearchBaseURL != "" {
		u, err := url.Parse(c.SearchBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("DOWNLINK_SEARCH_BASE_URL %q: want an absolute http(s) URL", c.SearchBaseURL))
		} else {
			c.SearchBaseURL = strings.TrimRight(c.SearchBaseURL, "/")
		}
	}
	if c.OIDCIssuer != "" && (c.OIDCClientID == "" || c.OIDCClientSecret == "") {
		errs = append(errs, errors.New("DOWNLINK_OIDC_ISSUER needs DOWNLINK_OIDC_CLIENT_ID and DOWNLINK_OIDC_CLIENT_SECRET"))
	}
	if c.OIDCName == "" {
		c.OIDCName = "Single sign-on"
	}
	if c.Workers < 0 || c.Workers > 256 {
		errs = append(errs, fmt.Errorf("DOWNLINK_WORKERS %d: want 0 to 256", c.Workers))
	}
	if c.NodeName == "" {
		errs = append(errs, errors.New("DOWNLINK_NODE_NAME must not be empty"))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
		c.LogLevel = strings.ToLower(c.LogLevel)
	default:
		errs = append(errs, fmt.Errorf("DOWNLINK_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("DOWNLINK_LOG_FORMAT %q: want text or json", c.LogFormat))
	}
	if c.SessionIdleTimeout < time.Minute || c.SessionMaxAge < c.SessionIdleTimeout {
		errs = append(errs, errors.New("session timeouts: want idle ≥ 1m and max age ≥ idle"))
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, errors.New("DOWNLINK_BODY_LIMIT: want at least 1KiB"))
	}
	if c.HeartbeatTimeout < MinHeartbeatTimeout || c.HeartbeatTimeout > time.Hour {
		errs = append(errs, fmt.Errorf("DOWNLINK_HEARTBEAT_TIMEOUT %v: want %v to 1h", c.HeartbeatTimeout, MinHeartbeatTimeout))
	}
	if c.DebugAddr != "" && !isLoopback(c.DebugAddr) {
		errs = append(errs, fmt.Errorf("DOWNLINK_DEBUG_ADDR %q: want a loopback host:port such as 127.0.0.1:6060", c.DebugAddr))
	}
	for i, e := range c.AdminEmails {
		c.AdminEmails[i] = strings.ToLower(strings.TrimSpace(e))
	}
	errs = append(errs, c.normalizeStorage()...)
	errs = append(errs, c.normalizeCluster()...)
	return errors.Join(errs...)
}

// DatabaseKind names a supported database.
type DatabaseKind string

// Supported databases.
const (
	SQLite   DatabaseKind = "sqlite"
	Postgres DatabaseKind = "postgres"
)

// Database describes where the database is.
type Database struct {
	Kind DatabaseKind
	// DSN is the Postgres connection string or the SQLite file path.
	DSN string
}

// Database parses DatabaseURL.
func (c *Config) Database() (Database, error) {
	raw := c.DatabaseURL
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return Database{}, fmt.Errorf("DOWNLINK_DATABASE_URL: %w", err)
		}
		return Database{Kind: Postgres, DSN: raw}, nil
	case strings.HasPrefix(raw, "sqlite://"):
		path := strings.TrimPrefix(raw, "sqlite://")
		if path == "" {
			return Database{}, errors.New("DOWNLINK_DATABASE_URL: sqlite:// needs a file path")
		}
		return Database{Kind: SQLite, DSN: path}, nil
	default:
		return Database{}, fmt.Errorf("DOWNLINK_DATABASE_URL %q: want postgres://… or sqlite:///path", redactURL(raw))
	}
}

// LibraryDir is where finished files live.
func (c *Config) LibraryDir() string { return filepath.Join(c.DataDir, "library") }

// TempDir is where running jobs keep their work, one folder per job.
func (c *Config) TempDir() string { return filepath.Join(c.DataDir, "tmp") }

// Redacted returns a copy safe to log.
func (c Config) Redacted() Config {
	if c.SecretKey != "" {
		c.SecretKey = "REDACTED"
	}
	if c.OIDCClientSecret != "" {
		c.OIDCClientSecret = "REDACTED"
	}
	if c.GitHubClientSecret != "" {
		c.GitHubClientSecret = "REDACTED"
	}
	if c.GoogleClientSecret != "" {
		c.GoogleClientSecret = "REDACTED"
	}
	if c.S3SecretKey != "" {
		c.S3SecretKey = "REDACTED"
	}
	c.DatabaseURL = redactURL(c.DatabaseURL)
	return c
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	return u.String()
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// isLoopback says addr is host:port on a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
