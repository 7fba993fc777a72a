package ytdlp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"2026.10.26", "2026.10.26", 0},
		{"2026.10.26", "2026.07.04", 1},
		{"2024.05.26", "2024.5.26", 0},
		{"2024.05.27", "2024.05.26", 1},
		{"2023.12.30", "2024.05.26", -1},
		{"2026.10.26", "2026.10.26.123456", -1},
		{"2026.10.26.2", "2026.10.26.10", -1},
		{"2026.10.26@nightly", "2026.10.26", 0},
		{" 2026.10.26\n", "2026.10.26", 0},
		{"", MinVersion, -1},
		{"garbage", "2024.01.01", -1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
	if !IsSupported("2026.10.26") || IsSupported("2024.04.09") {
		t.Error("IsSupported")
	}
	if IsOutdated("2026.10.26") || !IsOutdated("2026.07.03") || IsOutdated(SafeVersion) {
		t.Error("IsOutdated")
	}
}

func TestVersionReal(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := Version(ctx, newTestRunner(t).cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !versionRe.MatchString(v) || !IsSupported(v) {
		t.Errorf("version %q", v)
	}
	t.Logf("yt-dlp %s (outdated: %v)", v, IsOutdated(v))
}

func TestNotInstalled(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-yt-dlp")
	ctx := testCtx(t, 10*time.Second)
	if _, err := Version(ctx, missing); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Version: %v, want ErrNotInstalled", err)
	}
	if _, err := Version(ctx, "definitely-not-yt-dlp-on-path"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Version by name: %v, want ErrNotInstalled", err)
	}
	r := New(Config{Path: missing})
	job := newJob(t, "j1", "https://example.com/v", Options{})
	if _, err := r.Run(ctx, job, nil); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Run: %v, want ErrNotInstalled", err)
	}
	if _, err := r.Probe(ctx, "https://example.com/v", Settings{}); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Probe: %v, want ErrNotInstalled", err)
	}
	if _, err := r.ListPlaylist(ctx, "https://example.com/v", "", Settings{}); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("ListPlaylist: %v, want ErrNotInstalled", err)
	}
}

// A file is asked its version once (a Python start per ask cost every
// node start and every first job ~0.5 s of CPU); a changed file is asked
// again.
func TestVersionAskedOncePerFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin, calls := filepath.Join(dir, "yt-dlp"), filepath.Join(dir, "calls")
	write := func(v string) {
		script := "#!/bin/sh\necho x >> " + calls + "\necho " + v + "\n"
		if err := os.WriteFile(bin+".new", []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(bin+".new", bin); err != nil {
			t.Fatal(err)
		}
	}
	asked := func() int {
		b, _ := os.ReadFile(calls)
		return strings.Count(string(b), "x")
	}
	ctx := testCtx(t, 10*time.Second)
	write("2026.10.26")
	for range 3 {
		if v, err := Version(ctx, bin); err != nil || v != "2026.10.26" {
			t.Fatalf("Version: %q, %v", v, err)
		}
	}
	if n := asked(); n != 1 {
		t.Fatalf("the file was asked %d times, want once", n)
	}
	write("2026.11.02")
	if v, err := Version(ctx, bin); err != nil || v != "2026.11.02" {
		t.Fatalf("after the file changed: %q, %v", v, err)
	}
	if n := asked(); n != 2 {
		t.Fatalf("the file was asked %d times in all, want twice", n)
	}
}
