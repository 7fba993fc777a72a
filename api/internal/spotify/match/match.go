// Package match finds the YouTube Music / YouTube recording of a Spotify
// track, as spotDL does and better: ISRC first, then "artists - title"
// among songs, then videos; every candidate is scored on title, artists,
// album, duration and uploader, with penalties for other versions (remix,
// live, acoustic, nightcore, 1-hour loops…), and below a threshold the
// result is "no confident match" with the candidates listed so a user can
// pick one.
package match

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/search"
)

// Searcher is what the matcher needs from a search backend.
type Searcher interface {
	Search(ctx context.Context, query string, mode search.Mode, limit int) ([]search.Candidate, error)
}

// Stages name how a match was found.
const (
	StageISRC   = "isrc"
	StageSongs  = "songs"
	StageVideos = "videos"
)

// Defaults.
const (
	DefaultThreshold = 65
	DefaultTopN      = 5
	DefaultLimit     = 10
	// isrcDurationTolerance: an ISRC top hit within this many seconds is
	// the recording, whatever its title says (titles may be localised).
	isrcDurationTolerance = 5
	// isrcScore is the least score an accepted ISRC hit reports.
	isrcScore = 90
)

// ErrNoConfidentMatch is matched by every *NoMatchError.
var ErrNoConfidentMatch = problem.New(http.StatusUnprocessableEntity, "No confident match found for this Spotify track")

// NoMatchError lists the best candidates when none scored above the threshold.
type NoMatchError struct {
	Track     spotify.Track
	Threshold float64
	Ranked    []Scored
}

// Error implements error.
func (e *NoMatchError) Error() string {
	best := "no candidates"
	if len(e.Ranked) > 0 {
		best = fmt.Sprintf("best %q %.1f", e.Ranked[0].Title, e.Ranked[0].Score)
	}
	return fmt.Sprintf("match: no confident match for %q (threshold %.0f, %s)", e.Track.Name, e.Threshold, best)
}

// Is makes errors.Is(err, ErrNoConfidentMatch) true.
func (e *NoMatchError) Is(target error) bool { return target == ErrNoConfidentMatch }

// Config configures a Matcher. Any searcher may be nil.
type Config struct {
	// YTMusic answers ISRC, songs and videos searches.
	YTMusic Searcher
	// YouTube answers video searches (the web innertube client).
	YouTube Searcher
	// Fallback answers video searches when YouTube fails (yt-dlp).
	Fallback Searcher
	// Threshold is the least score of a confident match (default 65).
	Threshold float64
	// TopN candidates are kept in results (default 5).
	TopN int
	// Limit is asked of each search (default 10).
	Limit  int
	Logger *slog.Logger
}

// Matcher runs the search stages and scores what they find.
type Matcher struct {
	cfg Config
	log *slog.Logger
}

// New returns a Matcher.
func New(cfg Config) *Matcher {
	if cfg.Threshold <= 0 {
		cfg.Threshold = DefaultThreshold
	}
	if cfg.TopN <= 0 {
		cfg.TopN = DefaultTopN
	}
	if cfg.Limit <= 0 {
		cfg.Limit = DefaultLimit
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Matcher{cfg: cfg, log: log}
}

// Result is a confident match.
type Result struct {
	Best Scored `json:"best"`
	// Ranked holds the top candidates of the deciding stage, best first.
	Ranked []Scored `json:"ranked"`
	// Stage says how it was found: isrc, songs or videos.
	Stage string `json:"stage"`
}

// Query is the "artists - title" text searched for a track.
func Query(t spotify.Track) string {
	if len(t.Artists) == 0 {
		return t.Name
	}
	return strings.Join(t.Artists, ", ") + " - " + t.Name
}

// Match finds the track's recording. It returns a *NoMatchError (matching
// ErrNoConfidentMatch) listing the candidates when none is confident, and
// an error wrapping search.ErrUnavailable when every backend failed.
func (m *Matcher) Match(ctx context.Context, t spotify.Track) (*Result, error) {
	var pool []search.Candidate
	var failures []error
	searchWith := func(s Searcher, q string, mode search.Mode) []search.Candidate {
		if s == nil {
			return nil
		}
		c, err := s.Search(ctx, q, mode, m.cfg.Limit)
		if err != nil && !errors.Is(err, search.ErrUnsupportedMode) {
			m.log.WarnContext(ctx, "music search failed", "mode", mode, "err", err)
			failures = append(failures, err)
		}
		return c
	}

	// 1. ISRC on YouTube Music: the top hit is the recording when its
	// duration fits.
	if t.ISRC != "" && m.cfg.YTMusic != nil {
		cands := searchWith(m.cfg.YTMusic, t.ISRC, search.ModeISRC)
		if hit, ok := isrcHit(t, cands); ok {
			s := Score(t, hit)
			s.Reasons = append([]string{"ISRC " + t.ISRC + " top hit"}, s.Reasons...)
			s.Score = math.Max(s.Score, isrcScore)
			return &Result{Best: s, Ranked: []Scored{s}, Stage: StageISRC}, nil
		}
		pool = append(pool, cands...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// 2. Songs on YouTube Music.
	q := Query(t)
	pool = append(pool, searchWith(m.cfg.YTMusic, q, search.ModeSongs)...)
	if r := m.decide(t, pool, StageSongs); r != nil {
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// 3. Videos: YouTube Music's, then YouTube's (yt-dlp if that fails).
	pool = append(pool, searchWith(m.cfg.YTMusic, q, search.ModeVideos)...)
	vids := searchWith(m.cfg.YouTube, q, search.ModeVideos)
	if len(vids) == 0 {
		vids = searchWith(m.cfg.Fallback, q, search.ModeVideos)
	}
	pool = append(pool, vids...)
	if r := m.decide(t, pool, StageVideos); r != nil {
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(pool) == 0 && len(failures) > 0 {
		return nil, fmt.Errorf("match: every search failed: %w", errors.Join(failures...))
	}
	ranked := dedupe(Rank(t, pool))
	return nil, &NoMatchError{Track: t, Threshold: m.cfg.Threshold, Ranked: ranked[:min(len(ranked), m.cfg.TopN)]}
}

// decide ranks the pool and returns a result when the best is confident.
func (m *Matcher) decide(t spotify.Track, pool []search.Candidate, stage string) *Result {
	ranked := dedupe(Rank(t, pool))
	if len(ranked) == 0 || ranked[0].Score < m.cfg.Threshold {
		return nil
	}
	return &Result{Best: ranked[0], Ranked: ranked[:min(len(ranked), m.cfg.TopN)], Stage: stage}
}

// isrcHit returns the ISRC search's top hit (the card, or the only hit)
// when its duration fits the track's.
func isrcHit(t spotify.Track, cands []search.Candidate) (search.Candidate, bool) {
	var hit *search.Candidate
	for i := range cands {
		if cands[i].TopResult {
			hit = &cands[i]
			break
		}
	}
	if hit == nil && len(cands) == 1 {
		hit = &cands[0]
	}
	if hit == nil || hit.DurationSeconds == 0 || t.DurationMs == 0 {
		return search.Candidate{}, false
	}
	return *hit, math.Abs(hit.DurationSeconds-float64(t.DurationMs)/1000) <= isrcDurationTolerance
}

// dedupe keeps each video once (its best score): stages and backends overlap.
func dedupe(ranked []Scored) []Scored {
	seen := map[string]bool{}
	out := ranked[:0:0]
	for _, s := range ranked {
		k := s.VideoID
		if k == "" {
			k = s.URL
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out
}
