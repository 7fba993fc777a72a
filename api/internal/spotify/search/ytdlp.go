package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// YTDLPConfig configures the yt-dlp fallback searcher.
type YTDLPConfig struct {
	// Path of the yt-dlp executable (default "yt-dlp" from PATH).
	Path string
	// Proxy is passed as --proxy (the egress guard in production).
	Proxy string
	// Timeout bounds one search (default 60 s).
	Timeout time.Duration
}

// YTDLP searches YouTube by running `yt-dlp --flat-playlist -J
// ytsearchN:query`: slower than innertube, but kept working by yt-dlp's
// maintainers when YouTube changes its API.
type YTDLP struct{ cfg YTDLPConfig }

// NewYTDLP returns a yt-dlp searcher.
func NewYTDLP(cfg YTDLPConfig) *YTDLP {
	if cfg.Path == "" {
		cfg.Path = "yt-dlp"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	return &YTDLP{cfg: cfg}
}

// maxStderr bounds the stderr kept for the log.
const maxStderr = 4 << 10

// Args returns yt-dlp's argv (without the program name) for a search.
// The query goes after "--" so it can never be read as an option.
func (y *YTDLP) Args(query string, limit int) []string {
	if limit <= 0 {
		limit = 10
	}
	args := []string{"--flat-playlist", "-J", "--ignore-config", "--no-exec", "--no-warnings"}
	if y.cfg.Proxy != "" {
		args = append(args, "--proxy", y.cfg.Proxy)
	}
	return append(args, "--", "ytsearch"+strconv.Itoa(limit)+":"+query)
}

// Search implements Searcher (videos; songs are answered with videos).
func (y *YTDLP) Search(ctx context.Context, query string, mode Mode, limit int) ([]Candidate, error) {
	if mode == ModeISRC {
		return nil, fmt.Errorf("%w: yt-dlp cannot search by ISRC", ErrUnsupportedMode)
	}
	ctx, cancel := context.WithTimeout(ctx, y.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, y.cfg.Path, y.Args(query, limit)...)
	// Own process group, killed as a group: yt-dlp may start helpers.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout bytes.Buffer
	stderr := &boundedBuffer{max: maxStderr}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("search: yt-dlp: %w", ctx.Err())
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return nil, fmt.Errorf("search: yt-dlp exited %d: %s: %w", exitErr.ExitCode(), strings.TrimSpace(stderr.String()), ErrUnavailable)
		}
		return nil, fmt.Errorf("search: yt-dlp: %w: %w", ErrUnavailable, err)
	}
	cands, err := ParseYTDLP(stdout.Bytes())
	if err != nil {
		return nil, err
	}
	return filter(cands, ModeVideos, limit), nil
}

// ParseYTDLP reads the JSON yt-dlp prints for a flat ytsearch playlist.
func ParseYTDLP(out []byte) ([]Candidate, error) {
	var pl struct {
		Entries []struct {
			ID         string   `json:"id"`
			URL        string   `json:"url"`
			Title      string   `json:"title"`
			Duration   *float64 `json:"duration"`
			Channel    string   `json:"channel"`
			Uploader   string   `json:"uploader"`
			Verified   bool     `json:"channel_is_verified"`
			LiveStatus string   `json:"live_status"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(out, &pl); err != nil {
		return nil, fmt.Errorf("search: yt-dlp output: %w: %w", ErrUnavailable, err)
	}
	var cands []Candidate
	for _, e := range pl.Entries {
		if e.ID == "" || e.Duration == nil || e.LiveStatus == "is_live" {
			continue
		}
		c := Candidate{VideoID: e.ID, URL: e.URL, Title: e.Title, DurationSeconds: *e.Duration, Kind: KindVideo,
			Channel: e.Channel, Source: SourceYTDLP, Rank: len(cands), Verified: e.Verified}
		if c.Channel == "" {
			c.Channel = e.Uploader
		}
		if c.URL == "" || !strings.HasPrefix(c.URL, "http") {
			c.URL = "https://www.youtube.com/watch?v=" + e.ID
		}
		cands = append(cands, c)
	}
	return cands, nil
}

// boundedBuffer keeps the first max bytes written and drops the rest.
type boundedBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *boundedBuffer) String() string { return b.buf.String() }
