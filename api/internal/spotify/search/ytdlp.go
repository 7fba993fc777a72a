package search

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/proc"
)

// YTDLPConfig configures the yt-dlp fallback searcher.
type YTDLPConfig struct {
	// Path of the yt-dlp executable (default "yt-dlp" from PATH).
	Path string
	// Proxy is passed as --proxy (the egress guard in production).
	Proxy string
	// Timeout bounds one search (default 60 s).
	Timeout time.Duration
	// Proc starts yt-dlp as every child starts (default: proc's defaults).
	Proc *proc.Runner
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
	if cfg.Proc == nil {
		cfg.Proc = proc.New(proc.Config{})
	}
	return &YTDLP{cfg: cfg}
}

// Bounds of what a search run may print: its stderr kept for the log, its
// JSON (ten flat entries are a few kB).
const (
	maxStderr = 4 << 10
	maxJSON   = 4 << 20
)

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
	bin, err := proc.Lookup(y.cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("search: yt-dlp: %w: %w", ErrUnavailable, err)
	}
	stdout, stderr := proc.NewHead(maxJSON), proc.NewHead(maxStderr)
	res, err := y.cfg.Proc.Run(ctx, proc.Spec{Path: bin, Args: y.Args(query, limit), Dir: os.TempDir(),
		Stdout: stdout, Stderr: stderr})
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("search: yt-dlp: %w", ctx.Err())
	case err != nil:
		return nil, fmt.Errorf("search: yt-dlp: %w: %w", ErrUnavailable, err)
	case res.ExitCode != 0:
		return nil, fmt.Errorf("search: yt-dlp exited %d: %s: %w", res.ExitCode, strings.TrimSpace(stderr.String()), ErrUnavailable)
	case stdout.Overflowed():
		return nil, fmt.Errorf("search: yt-dlp printed more than %d bytes: %w", maxJSON, ErrUnavailable)
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
