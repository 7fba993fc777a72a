// Package config holds Downlink's typed configuration: defaults in code,
// overridden by DOWNLINK_* environment variables, then by command-line flags,
// validated once at start and passed explicitly to whoever needs it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole runtime configuration of one Downlink process.
type Config struct {
	Addr                 string   `env:"ADDR" flag:"addr" usage:"listen address"`
	DataDir              string   `env:"DATA_DIR" flag:"data-dir" usage:"database (SQLite), library and temp folders"`
	DatabaseURL          string   `env:"DATABASE_URL" flag:"database-url" usage:"postgres://… for Postgres, sqlite:///path for SQLite (default: SQLite in the data dir)"`
	SecretKey            string   `env:"SECRET_KEY" flag:"secret-key" usage:"encrypts secrets at rest and signs cookies (default: generated once into the data dir)"`
	BaseURL              string   `env:"BASE_URL" flag:"base-url" usage:"public URL for OIDC redirects and webhook links (default: derived from the request)"`
	YtdlpPath            string   `env:"YTDLP_PATH" flag:"ytdlp-path" usage:"yt-dlp executable (default: from PATH)"`
	FfmpegPath           string   `env:"FFMPEG_PATH" flag:"ffmpeg-path" usage:"ffmpeg executable (default: from PATH)"`
	AllowPrivateNetworks bool     `env:"ALLOW_PRIVATE_NETWORKS" flag:"allow-private-networks" usage:"allow URLs on loopback and private hosts (tests, home labs)"`
	OIDCIssuer           string   `env:"OIDC_ISSUER" flag:"oidc-issuer" usage:"OIDC issuer URL; unset means local accounts only"`
	OIDCClientID         string   `env:"OIDC_CLIENT_ID" flag:"oidc-client-id" usage:"OIDC client id"`
	OIDCClientSecret     string   `env:"OIDC_CLIENT_SECRET" flag:"oidc-client-secret" usage:"OIDC client secret"`
	OIDCName             string   `env:"OIDC_NAME" flag:"oidc-name" usage:"name of the OIDC provider on the login page"`
	GitHubClientID       string   `env:"GITHUB_CLIENT_ID" flag:"github-client-id" usage:"GitHub OAuth client id (optional login provider)"`
	GitHubClientSecret   string   `env:"GITHUB_CLIENT_SECRET" flag:"github-client-secret" usage:"GitHub OAuth client secret"`
	GitHubOrgs           []string `env:"GITHUB_ORGS" flag:"github-orgs" usage:"comma-separated GitHub organisations whose members may create an account at their first GitHub login (asks for the read:org scope)"`
	GitHubURL            string   `env:"GITHUB_URL" flag:"github-url" usage:"GitHub's web address for the login (default https://github.com; GitHub Enterprise or a test stand-in)"`
	GitHubAPIURL         string   `env:"GITHUB_API_URL" flag:"github-api-url" usage:"GitHub's API address for the login (default https://api.github.com)"`
	GoogleClientID       string   `env:"GOOGLE_CLIENT_ID" flag:"google-client-id" usage:"Google OAuth client id (optional login provider)"`
	GoogleClientSecret   string   `env:"GOOGLE_CLIENT_SECRET" flag:"google-client-secret" usage:"Google OAuth client secret"`
	AdminEmails          []string `env:"ADMIN_EMAILS" flag:"admin-emails" usage:"comma-separated e-mails that become admin on first login"`
	Workers              int      `env:"WORKERS" flag:"workers" usage:"concurrent downloads on this node (0: this node downloads nothing)"`
	NodeName             string   `env:"NODE_NAME" flag:"node-name" usage:"this node's name in the system view and job records (default: host name)"`
	GenericSites         bool     `env:"GENERIC_SITES" flag:"generic-sites" usage:"first-start value of the \"Other sites\" switch (downloads from sites besides the named platforms)"`
	LogLevel             string   `env:"LOG_LEVEL" flag:"log-level" usage:"debug, info, warn or error"`
	LogFormat            string   `env:"LOG_FORMAT" flag:"log-format" usage:"text or json (default: text on a terminal, else json)"`
	TrustProxy           bool     `env:"TRUST_PROXY" flag:"trust-proxy" usage:"trust X-Forwarded-For/-Proto from a reverse proxy on this host (loopback); for proxies elsewhere list them in DOWNLINK_TRUSTED_PROXIES"`
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto count; TrustedProxyNets is their parsed form
	// (loopback alone when only TrustProxy is set, nil for none).
	TrustedProxies   []string       `env:"TRUSTED_PROXIES" flag:"trusted-proxies" usage:"comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For/-Proto to trust, e.g. 10.42.0.0/16 (implies trust-proxy)"`
	TrustedProxyNets []netip.Prefix `json:"-"`
	// Event streams (/api/v1/events): caps per user and per address on
	// this node, and how often an open stream checks its caller again.
	MaxEventStreamsPerUser int           `env:"MAX_EVENT_STREAMS_PER_USER" flag:"max-event-streams-per-user" usage:"open event streams one user may hold on this node (0: no cap)"`
	MaxEventStreamsPerIP   int           `env:"MAX_EVENT_STREAMS_PER_IP" flag:"max-event-streams-per-ip" usage:"open event streams one client address may hold on this node (0: no cap)"`
	SessionRateLimit       int           `env:"SESSION_RATE_LIMIT" flag:"session-rate-limit" usage:"requests per minute one user's browser sessions may make on this node (0: no limit; API keys have their own)"`
	EventStreamRecheck     time.Duration `env:"EVENT_STREAM_RECHECK" flag:"event-stream-recheck" usage:"how often an open event stream checks that its key or session, user and role still stand"`
	SessionIdleTimeout     time.Duration `env:"SESSION_IDLE_TIMEOUT" flag:"session-idle-timeout" usage:"sign a session out after this long without use"`
	SessionMaxAge          time.Duration `env:"SESSION_MAX_AGE" flag:"session-max-age" usage:"sign a session out this long after login, used or not"`
	MinFreeDisk            ByteSize      `env:"MIN_FREE_DISK" flag:"min-free-disk" usage:"refuse new downloads below this much free disk (e.g. 1GiB)"`
	BodyLimit              ByteSize      `env:"BODY_LIMIT" flag:"body-limit" usage:"largest accepted request body"`
	ShutdownTimeout        time.Duration `env:"SHUTDOWN_TIMEOUT" flag:"shutdown-timeout" usage:"how long a graceful shutdown waits for requests and jobs"`
	CORSOrigins            []string      `env:"CORS_ORIGINS" flag:"cors-origins" usage:"comma-separated origins allowed to call the API cross-origin (default: none)"`
	SearchBaseURL          string        `env:"SEARCH_BASE_URL" flag:"search-base-url" usage:"base URL of the YouTube Music and YouTube search used to match Spotify tracks, and of its /watch?v= pages (default: the real services; tests: a local stand-in)"`
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

	// YtdlpReleasesAPI, YtdlpReleasesDownload and YtdlpSigningKey are
	// where the managed yt-dlp comes from and what checks it (ytdlp.go).
	YtdlpReleasesAPI      string `env:"YTDLP_RELEASES_API" flag:"ytdlp-releases-api" usage:"base URL of GitHub's release API for managed yt-dlp updates, or of a mirror with the same paths (default https://api.github.com)"`
	YtdlpReleasesDownload string `env:"YTDLP_RELEASES_DOWNLOAD" flag:"ytdlp-releases-download" usage:"base URL of yt-dlp's release files: {base}/yt-dlp/yt-dlp/releases/download/{tag}/{file} (default https://github.com)"`
	YtdlpSigningKey       string `env:"YTDLP_SIGNING_KEY" flag:"ytdlp-signing-key" usage:"OpenPGP public key file that yt-dlp releases must be signed with, replacing the one built in (only if yt-dlp rotated its key)"`
	// JSRuntime and DenoHome choose the JavaScript runtime of yt-dlp's
	// YouTube challenge solver (ytdlp.ResolveJSRuntime).
	JSRuntime string `env:"JS_RUNTIME" flag:"js-runtime" usage:"JavaScript runtime for YouTube's challenge solver: deno, node, bun or quickjs, each with an optional :/absolute/path, or none (default: deno from the deno home, else from PATH)"`
	DenoHome  string `env:"DENO_HOME" flag:"deno-home" usage:"where deploy/install-deps.sh put Deno (DENO_HOME/deno) and its warm module cache (DENO_HOME/cache) (default /usr/local/lib/downlink/deno)"`
	// YtdlpPluginDir is the one folder yt-dlp may load plugins from, for
	// YouTube jobs (a PO-token provider); empty: --no-plugin-dirs always.
	// YtdlpWarm starts yt-dlp from a fork server with yt_dlp imported
	// when the yt-dlp is a Python build (package ytdlp/warm).
	YtdlpWarm      bool   `env:"YTDLP_WARM" flag:"ytdlp-warm" usage:"start yt-dlp warm, forked from a Python interpreter that has imported it, when yt-dlp is a Python script or zipapp (the standalone binary always starts by plain exec); false: always plain exec"`
	YtdlpPluginDir string `env:"YTDLP_PLUGIN_DIR" flag:"ytdlp-plugin-dir" usage:"folder yt-dlp may load plugins from for YouTube (a PO-token provider such as bgutil-ytdlp-pot-provider); default: no plugins"`

	// Sign-up through a login provider: closed unless opened, or unless
	// the identity's verified e-mail is on an allow-list (users.SignupRules).
	OpenSignup    bool     `env:"OPEN_SIGNUP" flag:"open-signup" usage:"let every identity of the login providers create an account on first login (default: only existing accounts and allow-listed e-mails)"`
	SignupEmails  []string `env:"SIGNUP_EMAILS" flag:"signup-emails" usage:"comma-separated verified e-mails allowed to create an account at their first provider login (invitations)"`
	SignupDomains []string `env:"SIGNUP_DOMAINS" flag:"signup-domains" usage:"comma-separated e-mail domains whose verified addresses may create an account at their first provider login"`

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
		Addr:                   "127.0.0.1:8080",
		DataDir:                "./data",
		Workers:                3,
		NodeName:               host,
		LogLevel:               "info",
		LogFormat:              format,
		SessionIdleTimeout:     24 * time.Hour,
		MaxEventStreamsPerUser: 20,
		MaxEventStreamsPerIP:   50,
		SessionRateLimit:       1200,
		EventStreamRecheck:     5 * time.Second,
		SessionMaxAge:          30 * 24 * time.Hour,
		MinFreeDisk:            512 << 20,
		BodyLimit:              2 << 20,
		ShutdownTimeout:        20 * time.Second,
		HeartbeatTimeout:       90 * time.Second,
		Storage:                StorageLocal,
		YtdlpWarm:              true,
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
	if c.SessionRateLimit < 0 {
		errs = append(errs, errors.New("DOWNLINK_SESSION_RATE_LIMIT: want 0 (no limit) or more"))
	}
	if c.MaxEventStreamsPerUser < 0 || c.MaxEventStreamsPerIP < 0 {
		errs = append(errs, errors.New("DOWNLINK_MAX_EVENT_STREAMS_PER_USER/_PER_IP: want 0 (no cap) or more"))
	}
	if c.EventStreamRecheck < 100*time.Millisecond || c.EventStreamRecheck > time.Minute {
		errs = append(errs, fmt.Errorf("DOWNLINK_EVENT_STREAM_RECHECK %v: want 100ms to 1m", c.EventStreamRecheck))
	}
	errs = append(errs, c.parseTrustedProxies()...)
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
	for i, e := range c.SignupEmails {
		c.SignupEmails[i] = strings.ToLower(strings.TrimSpace(e))
		if !strings.Contains(c.SignupEmails[i], "@") {
			errs = append(errs, fmt.Errorf("DOWNLINK_SIGNUP_EMAILS %q: want e-mail addresses", e))
		}
	}
	for i, o := range c.GitHubOrgs {
		c.GitHubOrgs[i] = strings.ToLower(strings.TrimSpace(o))
		if c.GitHubOrgs[i] == "" || strings.ContainsAny(c.GitHubOrgs[i], "@/ ") {
			errs = append(errs, fmt.Errorf("DOWNLINK_GITHUB_ORGS %q: want organisation logins such as my-team", o))
		}
	}
	for i, d := range c.SignupDomains {
		c.SignupDomains[i] = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
		if c.SignupDomains[i] == "" || strings.ContainsAny(c.SignupDomains[i], "@/ ") {
			errs = append(errs, fmt.Errorf("DOWNLINK_SIGNUP_DOMAINS %q: want domains such as example.com", d))
		}
	}
	errs = append(errs, c.normalizeStorage()...)
	errs = append(errs, c.normalizeCluster()...)
	errs = append(errs, c.normalizeYtdlp()...)
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

// AvatarHosts are the hosts besides the known providers' whose images
// may be avatars: the OIDC issuer's (users.AvatarAllowed).
func (c *Config) AvatarHosts() []string {
	if u, err := url.Parse(c.OIDCIssuer); err == nil && u.Hostname() != "" {
		return []string{u.Hostname()}
	}
	return nil
}

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

// loopbackNets are the proxies DOWNLINK_TRUST_PROXY=true alone trusts.
var loopbackNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// parseTrustedProxies fills TrustedProxyNets: the listed addresses and
// CIDRs, or loopback for DOWNLINK_TRUST_PROXY=true alone. Trusting every
// private address let any host on the network (another pod, a container)
// claim any client address in X-Forwarded-For.
func (c *Config) parseTrustedProxies() []error {
	var errs []error
	c.TrustedProxyNets = nil
	for _, s := range c.TrustedProxies {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("DOWNLINK_TRUSTED_PROXIES %q: want an IP address or a CIDR such as 10.42.0.0/16", s))
				continue
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		c.TrustedProxyNets = append(c.TrustedProxyNets, p.Masked())
	}
	switch {
	case len(c.TrustedProxyNets) > 0:
		c.TrustProxy = true
	case c.TrustProxy:
		c.TrustedProxyNets = loopbackNets
	}
	return errs
}

// TrustedPeer reports whether a connection's peer (an http.Request's
// RemoteAddr, host:port or a bare address) is a trusted reverse proxy,
// whose X-Forwarded-* headers count.
func (c *Config) TrustedPeer(remoteAddr string) bool {
	if len(c.TrustedProxyNets) == 0 {
		return false
	}
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range c.TrustedProxyNets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
