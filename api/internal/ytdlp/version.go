package ytdlp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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
