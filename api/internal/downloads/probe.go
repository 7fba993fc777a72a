package downloads

import (
	"context"
	"errors"
	"net/http"
	"os"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// ProbeFormat is one format a site offers.
type ProbeFormat struct {
	FormatID      string   `json:"format_id"`
	Ext           string   `json:"ext"`
	Resolution    *string  `json:"resolution"`
	FPS           *float64 `json:"fps"`
	VCodec        *string  `json:"vcodec"`
	ACodec        *string  `json:"acodec"`
	FileSizeBytes *int64   `json:"filesize_bytes"`
	TBR           *float64 `json:"tbr"`
	Note          *string  `json:"note"`
}

// ProbePlaylist describes a playlist, channel or album.
type ProbePlaylist struct {
	Count *int    `json:"count"`
	Title *string `json:"title"`
}

// ProbeResult describes a URL without downloading it.
type ProbeResult struct {
	URL             string         `json:"url"`
	Platform        string         `json:"platform"`
	Kind            string         `json:"kind"`
	Title           *string        `json:"title"`
	Uploader        *string        `json:"uploader"`
	ThumbnailURL    *string        `json:"thumbnail_url"`
	DurationSeconds *float64       `json:"duration_seconds"`
	Formats         []ProbeFormat  `json:"formats"`
	Playlist        *ProbePlaylist `json:"playlist"`
	Spotify         any            `json:"spotify"`
	Warnings        []string       `json:"warnings"`
}

// Prober lets a platform answer probes itself (Spotify).
type Prober interface {
	Probe(ctx context.Context, url, kind string) (ProbeResult, error)
}

// A failed probe is one of two problems, both with the failure's code:
// the site says the media cannot be had (422), or the probe itself could
// not get an answer (502: network, rate limits, bot checks, a missing tool).
var (
	errMediaUnavailable = problem.New(http.StatusUnprocessableEntity, "Media unavailable")
	errProbe            = problem.New(http.StatusBadGateway, "Probe failed")
)

// mediaCodes are the failure codes that say the media itself cannot be
// had from here, whatever the server does: the probe answers 422.
var mediaCodes = map[string]bool{
	"unavailable": true, "private": true, "geo_blocked": true, "login_required": true, "age_restricted": true,
	"unsupported_url": true, CodeDRM: true, "live": true, "no_video": true,
}

// probeFailure is the problem a failed probe answers with.
func probeFailure(code, msg string, cause error) *problem.Problem {
	p := errProbe
	if mediaCodes[code] {
		p = errMediaUnavailable
	}
	return p.WithDetail("%s", msg).With("code", code).WithCause(cause)
}

// ErrNotProbed is what a Prober returns for a URL it leaves to yt-dlp's
// probe (an Instagram story).
var ErrNotProbed = errors.New("downloads: not probed by the platform handler")

// Probe describes a URL (title, duration, thumbnail, formats, playlist
// size) without downloading: an explicit user request, so it may run its
// own yt-dlp call, in the node's probe pool and within the caller's probe
// cap (over either: 429 with retry_after).
func (s *Service) Probe(ctx context.Context, caller *authz.Principal, rawURL string) (ProbeResult, error) {
	c, err := s.check(ctx, rawURL, ytdlp.Options{})
	if err != nil {
		return ProbeResult{}, err
	}
	if p, ok := s.handler(c.platform).(Prober); ok {
		res, err := p.Probe(ctx, c.url, c.kind)
		var pf *platformFailure
		switch {
		case errors.Is(err, ErrNotProbed):
			return s.probeWithYtdlp(ctx, caller, c)
		case errors.As(err, &pf):
			return ProbeResult{}, probeFailure(pf.code, pf.message, err)
		case err != nil:
			return ProbeResult{}, err
		}
		res.URL, res.Platform = c.url, c.platform
		if res.Kind == "" {
			res.Kind = c.kind
		}
		if res.Formats == nil {
			res.Formats = []ProbeFormat{}
		}
		if res.Warnings == nil {
			res.Warnings = []string{}
		}
		return res, nil
	}
	return s.probeWithYtdlp(ctx, caller, c)
}

// probeWithYtdlp asks yt-dlp, with the platform's settings.
func (s *Service) probeWithYtdlp(ctx context.Context, caller *authz.Principal, c checked) (ProbeResult, error) {
	release, err := s.probes.acquire(caller, s.policy.UserLimits(ctx))
	if err != nil {
		return ProbeResult{}, err
	}
	defer release()
	tmp := &row{ID: uuid.New(), Platform: c.platform}
	dir := s.jobDir(tmp.ID)
	settings, cleanup, err := s.settingsFor(ctx, tmp, dir)
	defer func() { cleanup(); _ = os.RemoveAll(dir) }()
	if err != nil {
		return ProbeResult{}, err
	}
	settings.ListLimit = maxChildren + 1 // a feed's size is told, not listed to the end
	pr, err := s.runner.Probe(ctx, c.url, settings)
	if err != nil {
		code, msg := failureOf(s.explain(c.platform, err))
		var ee *ytdlp.ExitError
		if errors.As(err, &ee) || errors.Is(err, ytdlp.ErrNotInstalled) {
			return ProbeResult{}, probeFailure(code, msg, err)
		}
		return ProbeResult{}, err
	}
	res := ProbeResult{URL: c.url, Platform: c.platform, Kind: c.kind, Formats: []ProbeFormat{}, Warnings: []string{}}
	if pr.Title != "" {
		res.Title = ptr(clip.StripBidi(pr.Title))
	}
	if pr.Uploader != "" {
		res.Uploader = ptr(clip.StripBidi(pr.Uploader))
	}
	if pr.Thumbnail != "" {
		res.ThumbnailURL = ptr(pr.Thumbnail)
	}
	if pr.DurationSeconds > 0 {
		res.DurationSeconds = ptr(pr.DurationSeconds)
	}
	if pr.IsLive && !s.policy.Platform(ctx, c.platform).LiveAllowed {
		res.Warnings = append(res.Warnings, "This is a live stream: a download of it would be refused (code live); an administrator can allow live streams in Settings → Limits.")
	}
	if pr.IsPlaylist {
		if !platforms.Kind(res.Kind).IsParent() {
			res.Kind = "playlist"
		}
		res.Playlist = &ProbePlaylist{Count: ptr(pr.EntryCount), Title: res.Title}
	}
	for _, f := range pr.Formats {
		pf := ProbeFormat{FormatID: f.ID, Ext: f.Ext}
		if f.Resolution != "" {
			pf.Resolution = ptr(f.Resolution)
		}
		if f.FPS > 0 {
			pf.FPS = ptr(f.FPS)
		}
		if f.VCodec != "" && f.VCodec != "none" {
			pf.VCodec = ptr(f.VCodec)
		}
		if f.ACodec != "" && f.ACodec != "none" {
			pf.ACodec = ptr(f.ACodec)
		}
		if f.FileSize > 0 {
			pf.FileSizeBytes = ptr(f.FileSize)
		}
		if f.TBR > 0 {
			pf.TBR = ptr(f.TBR)
		}
		if f.Note != "" {
			pf.Note = ptr(f.Note)
		}
		res.Formats = append(res.Formats, pf)
	}
	return res, nil
}
