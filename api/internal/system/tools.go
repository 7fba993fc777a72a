package system

import (
	"context"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
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
	runner  *proc.Runner
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
	path, err := proc.Lookup(p.name)
	if err != nil {
		return Tool{Path: p.name, Error: "not found: install it or set its path"}
	}
	// The answer is cached for everyone: a request that goes away must not
	// cancel the check and leave "does not run" in the cache.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	out := proc.NewHead(64 << 10)
	res, err := p.runner.Run(ctx, proc.Spec{Path: path, Args: p.args, Dir: os.TempDir(), Stdout: out})
	switch {
	case err != nil || res.Canceled:
		return Tool{Path: path, Error: "does not run"}
	case res.ExitCode != 0:
		return Tool{Path: path, Error: "exits with an error when asked its version"}
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
