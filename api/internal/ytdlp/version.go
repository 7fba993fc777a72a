package ytdlp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/proc"
)

// Versions Downlink cares about.
const (
	// MinVersion is the oldest yt-dlp Downlink runs: --progress-delta
	// appeared in 2024.05.26.
	MinVersion = "2024.05.26"
	// SafeVersion is the oldest release without known problems that affect
	// Downlink; older ones are shown as outdated.
	SafeVersion = "2026.07.04"
)

// versionTimeout bounds "yt-dlp --version".
const versionTimeout = 30 * time.Second

var versionRe = regexp.MustCompile(`^[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]+)?$`)

// ErrBadVersion is returned when yt-dlp prints something that is not a
// version.
var ErrBadVersion = errors.New("ytdlp: unrecognised version output")

// Version runs "path --version" through proc and returns the version,
// e.g. "2026.10.26". A missing executable is ErrNotInstalled.
func Version(ctx context.Context, path string) (string, error) {
	return New(Config{Path: path, DisableGuard: true}).askVersion(ctx, path)
}

func (r *Runner) askVersion(ctx context.Context, path string) (string, error) {
	cfg := Config{Path: path}
	cfg.setDefaults()
	bin, err := cfg.resolve()
	if err != nil {
		return "", err
	}
	id, idErr := statVersionKey(bin)
	if idErr == nil {
		if v, ok := versions.get(bin, id); ok {
			return v, nil
		}
	}
	v, err := r.runVersion(ctx, bin)
	if err == nil && idErr == nil {
		versions.put(bin, id, v)
	}
	return v, err
}

// versions remembers what each yt-dlp file answered to --version, for
// versionTTL and as long as the file is the same: a Python start costs
// ~0.5 s of CPU, and a node asks from several places (its heartbeat's
// report, the first job, the yt-dlp card). The TTL is for an install
// whose version lives beside the file (Debian's package upgrades
// yt_dlp/version.py, not /usr/bin/yt-dlp).
var versions = versionCache{m: map[string]cachedVersion{}}

const versionTTL = time.Minute

type versionKey struct {
	dev, ino   uint64
	size       int64
	mtim, ctim int64
}

func statVersionKey(bin string) (versionKey, error) {
	fi, err := os.Stat(bin)
	if err != nil {
		return versionKey{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return versionKey{}, errors.New("ytdlp: no file identity")
	}
	return versionKey{dev: uint64(st.Dev), ino: st.Ino, size: st.Size,
		mtim: st.Mtim.Nano(), ctim: st.Ctim.Nano()}, nil
}

type cachedVersion struct {
	id      versionKey
	at      time.Time
	version string
}

type versionCache struct {
	mu sync.Mutex
	m  map[string]cachedVersion
}

func (c *versionCache) get(bin string, id versionKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[bin]
	if !ok || e.id != id || time.Since(e.at) >= versionTTL {
		return "", false
	}
	return e.version, true
}

func (c *versionCache) put(bin string, id versionKey, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[bin] = cachedVersion{id: id, at: time.Now(), version: v}
}

// runVersion asks the yt-dlp at bin for its version.
func (r *Runner) runVersion(ctx context.Context, bin string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	out, errOut := proc.NewHead(4096), proc.NewHead(4096)
	res, err := r.proc.Run(ctx, proc.Spec{Path: bin, Args: []string{"--ignore-config", "--version"}, Stdout: out, Stderr: errOut})
	if err != nil {
		return "", notInstalled(err)
	}
	if res.Canceled {
		return "", fmt.Errorf("ytdlp: version: %w", context.Cause(ctx))
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("ytdlp: version: exit code %d: %s", res.ExitCode, strings.TrimSpace(errOut.String()))
	}
	v := strings.TrimSpace(out.String())
	if !versionRe.MatchString(v) {
		return "", fmt.Errorf("%w: %q", ErrBadVersion, clip.String(v, 100))
	}
	return v, nil
}

// CompareVersions compares yt-dlp versions (YYYY.MM.DD with an optional
// build number, as nightly builds have) numerically: -1 when a < b, 0 when
// equal, +1 when a > b. A missing part counts as 0, so "2026.10.26" <
// "2026.10.26.123456". Text that is not a number compares as 0.
func CompareVersions(a, b string) int {
	pa, pb := versionParts(a), versionParts(b)
	for i := range max(len(pa), len(pb)) {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

func versionParts(v string) []int {
	v, _, _ = strings.Cut(strings.TrimSpace(v), "@") // "2026.10.26@nightly"
	fields := strings.Split(v, ".")
	parts := make([]int, len(fields))
	for i, f := range fields {
		parts[i], _ = strconv.Atoi(f)
	}
	return parts
}

// IsSupported reports whether v is at least MinVersion.
func IsSupported(v string) bool { return CompareVersions(v, MinVersion) >= 0 }

// IsOutdated reports whether v is older than SafeVersion.
func IsOutdated(v string) bool { return CompareVersions(v, SafeVersion) < 0 }
