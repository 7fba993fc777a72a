package handlers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/spotify/match"
	"github.com/downlink/downlink/api/internal/spotify/search"
)

// searchTimeout bounds one search request.
const searchTimeout = 20 * time.Second

// Source finds what to download for a track: the recording a person chose
// (POST /downloads/{id}/match), else the matcher's confident pick. Without
// one it parks the item in needs_match with the ranked candidates.
//
// A track listed from a public embed page is first completed (the Web
// API's ISRC, album and cover when credentials allow); matching uses the
// ISRC when it has one, and artists, title and duration otherwise.
func (h *Spotify) Source(ctx context.Context, it downloads.Item) (downloads.Source, error) {
	meta := decodeMeta(it.Meta)
	if meta.Track == nil {
		if err := h.resolveTrack(ctx, it, &meta); err != nil {
			return downloads.Source{}, err
		}
	} else if meta.MetadataSource == spotify.SourceEmbed && meta.Match == nil {
		h.complete(ctx, it, &meta)
	}
	t := *meta.Track
	src := downloads.Source{Title: t.Name, Uploader: strings.Join(t.Artists, ", "), ThumbnailURL: t.CoverURL,
		Duration: float64(t.DurationMs) / 1000, Warnings: meta.Warnings}
	if m := meta.Match; m != nil && m.Manual && m.ChosenURL != nil {
		src.URL, src.Meta = *m.ChosenURL, meta.encode()
		return src, nil
	}
	res, err := h.match(ctx, it, t)
	var nm *match.NoMatchError
	switch {
	case errors.As(err, &nm):
		meta.Match = &downloads.Match{Threshold: h.threshold() / 100, Candidates: h.candidates(nm.Ranked, "")}
		return downloads.Source{}, &downloads.NeedsMatch{Meta: meta.encode(), Message: noMatchMessage(t, nm, h.threshold()),
			Warnings: meta.Warnings}
	case err != nil:
		if ctx.Err() != nil {
			return downloads.Source{}, err
		}
		h.log.WarnContext(ctx, "spotify match failed", "download_id", it.ID, "err", err)
		return downloads.Source{}, downloads.Failure("network", msgSearchDown)
	}
	score := unitScore(res.Best.Score)
	meta.Match = &downloads.Match{Threshold: h.threshold() / 100, Candidates: h.candidates(res.Ranked, res.Stage),
		ChosenURL: &res.Best.URL, Score: &score}
	src.URL, src.Meta = res.Best.URL, meta.encode()
	h.log.InfoContext(ctx, "spotify track matched", "download_id", it.ID, "stage", res.Stage, "score", res.Best.Score)
	return src, nil
}

// resolveTrack reads a single track link's metadata: the Web API's full
// track when it can, else the public embed page's (completed like a
// listed track).
func (h *Spotify) resolveTrack(ctx context.Context, it downloads.Item, meta *spotifyMeta) error {
	kind, id, err := spotify.ParseURL(it.URL)
	if err != nil || kind != spotify.KindTrack {
		return downloads.Failure("unsupported_url", "This is not a Spotify track link Downlink understands.")
	}
	col, warnings, err := h.read(ctx, it.ID.String(), kind, id, false)
	if err != nil {
		return err
	}
	if len(col.Tracks) == 0 {
		return downloads.Failure("unavailable", "Spotify has no playable track at this link.")
	}
	t := col.Tracks[0]
	meta.Track, meta.MetadataSource, meta.Warnings = &t, col.Source, warnings
	if col.Source == spotify.SourceEmbed && !hasWarning(warnings, "spotify_premium_required") {
		h.complete(ctx, it, meta)
	}
	return nil
}

func hasWarning(ws []downloads.Warning, code string) bool {
	for _, w := range ws {
		if w.Code == code {
			return true
		}
	}
	return false
}

func (h *Spotify) threshold() float64 {
	if h.cfg.Threshold > 0 {
		return h.cfg.Threshold
	}
	return match.DefaultThreshold
}

// match runs the matcher with searchers built for this item: their
// requests leave through the egress proxy under the item's own lease.
func (h *Spotify) match(ctx context.Context, it downloads.Item, t spotify.Track) (*match.Result, error) {
	conn, err := dialEgress(ctx, h.cfg.Egress, h.cfg.Policy, "spotify", it.ID.String()+".search", searchTimeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var watchURL func(videoID string) string // nil: the clients' own
	if base := h.cfg.SearchBaseURL; base != "" {
		watchURL = func(id string) string { return base + "/watch?v=" + id }
	}
	ytm := search.NewYTMusic(search.YTMusicConfig{BaseURL: h.cfg.SearchBaseURL, HTTPClient: conn.Client, WatchURL: watchURL})
	yt := search.NewYouTube(search.YouTubeConfig{BaseURL: h.cfg.SearchBaseURL, HTTPClient: conn.Client, WatchURL: watchURL})
	var fallback match.Searcher
	if h.cfg.SearchBaseURL == "" {
		// yt-dlp's ytsearch only reaches the real YouTube: no fallback
		// when the search is pointed elsewhere.
		fallback = search.NewYTDLP(search.YTDLPConfig{Path: h.cfg.YtdlpPath, Proxy: conn.ProxyURL, Proc: h.cfg.Proc})
	}
	mc := match.Config{Threshold: h.threshold(), Logger: h.log}
	switch h.cfg.Settings.Spotify(ctx).SearchBackend {
	case "youtube_music":
		mc.YTMusic = ytm
	case "youtube":
		mc.YouTube, mc.Fallback = yt, fallback
	default: // auto
		mc.YTMusic, mc.YouTube, mc.Fallback = ytm, yt, fallback
	}
	return match.New(mc).Match(ctx, t)
}

var videoIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)

// candidates turns the matcher's ranking into the API's candidates
// (scores 0..1); the deciding hit of an ISRC search is marked isrc.
func (h *Spotify) candidates(ranked []match.Scored, stage string) []downloads.MatchCandidate {
	out := make([]downloads.MatchCandidate, 0, len(ranked))
	for i, s := range ranked {
		c := downloads.MatchCandidate{URL: s.URL, Title: s.Title, Score: unitScore(s.Score), Source: "youtube"}
		if s.Source == search.SourceYTMusic {
			c.Source = "youtube_music"
		}
		if stage == match.StageISRC && i == 0 {
			c.Source = "isrc"
		}
		if up := strings.Join(s.Artists, ", "); up != "" {
			c.Uploader = &up
		} else if s.Channel != "" {
			c.Uploader = &s.Channel
		}
		if s.DurationSeconds > 0 {
			d := s.DurationSeconds
			c.DurationSeconds = &d
		}
		if h.cfg.SearchBaseURL == "" && videoIDPattern.MatchString(s.VideoID) {
			thumb := "https://i.ytimg.com/vi/" + s.VideoID + "/hqdefault.jpg"
			c.ThumbnailURL = &thumb
		}
		out = append(out, c)
	}
	return out
}

// unitScore maps the matcher's 0-100 score to the API's 0..1.
func unitScore(s float64) float64 {
	return math.Round(math.Min(math.Max(s/100, 0), 1)*1000) / 1000
}

func noMatchMessage(t spotify.Track, nm *match.NoMatchError, threshold float64) string {
	what := "“" + t.Name + "”"
	if len(t.Artists) > 0 {
		what += " by " + strings.Join(t.Artists, ", ")
	}
	if len(nm.Ranked) == 0 {
		return "No recording of " + what + " was found on YouTube Music or YouTube. Give the URL of one yourself."
	}
	return fmt.Sprintf("No confident match for %s: the best candidate scored %.0f of 100 (%.0f needed). "+
		"Pick one of the candidates, or give the URL of another recording.", what, nm.Ranked[0].Score, threshold)
}
