package system

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Tool is an external program Downlink runs.
type Tool struct {
	Found   bool   `json:"found"`
	Path    string `json:"path"`
	Version string `json:"version"`
	Error   string `json:"error,omitempty"`
}

// toolProbe finds a program and asks its version, remembering the answer
// for a while so readiness checks stay cheap.
type toolProbe struct {
	name    string   // executable name or configured path
	args    []string // e.g. --version
	parse   func(string) string
	ttl     time.Duration
	mu      sync.Mutex
	checked time.Time
	last    Tool
}

func (p *toolProbe) get(ctx context.Context) Tool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.checked) < p.ttl {
		return p.last
	}
	p.last = p.probe(ctx)
	p.checked = time.Now()
	return p.last
}

func (p *toolProbe) probe(ctx context.Context) Tool {
	path, err := exec.LookPath(p.name)
	if err != nil {
		return Tool{Path: p.name, Error: "not found: install it or set its path"}
	}
	// The answer is cached for everyone: a request that goes away must not
	// cancel the check and leave "does not run" in the cache.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, p.args...)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		msg := "does not run"
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg = "exits with an error when asked its version"
		}
		return Tool{Path: path, Error: msg}
	}
	return Tool{Found: true, Path: path, Version: p.parse(out.String())}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// ffmpegVersion reads "ffmpeg version 5.1.6-0+deb12u1 Copyright …".
func ffmpegVersion(out string) string {
	f := strings.Fields(firstLine(out))
	if len(f) >= 3 && f[1] == "version" {
		return f[2]
	}
	return firstLine(out)
}

// VersionAtLeast compares yt-dlp's dotted date versions (2024.05.26,
// 2026.10.26.1): true when v ≥ min.
func VersionAtLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := part(a, i), part(b, i)
		if x != y {
			return x > y
		}
	}
	return true
}

func part(p []string, i int) int {
	if i >= len(p) {
		return 0
	}
	n := 0
	for _, r := range p[i] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}
