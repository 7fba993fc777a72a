package downloads

import (
	"context"
	"errors"
	"net/http"
	"os"

	"github.com/google/uuid"

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

var errProbe = problem.New(http.StatusBadGateway, "Probe failed")

// Probe describes a URL (title, duration, thumbnail, formats, playlist
// size) without downloading: an explicit user request, so it may run its
// own yt-dlp call.
func (s *Service) Probe(ctx context.Context, rawURL string) (ProbeResult, error) {
	c, err := s.check(ctx, rawURL, "", nil)
	if err != nil {
		return ProbeResult{}, err
	}
	if p, ok := s.Platforms[c.platform].(Prober); ok {
		res, err := p.Probe(ctx, c.url, c.kind)
		if err != nil {
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
	tmp := &row{ID: uuid.New(), Platform: c.platform}
	dir := s.jobDir(tmp.ID)
	settings, cleanup, err := s.settingsFor(ctx, tmp, dir)
	defer func() { cleanup(); _ = os.RemoveAll(dir) }()
	if err != nil {
		return ProbeResult{}, err
	}
	pr, err := s.runner.Probe(ctx, c.url, settings)
	if err != nil {
		code, msg := failureOf(s.explain(c.platform, err))
		var ee *ytdlp.ExitError
		if errors.As(err, &ee) || errors.Is(err, ytdlp.ErrNotInstalled) {
			return ProbeResult{}, errProbe.WithDetail("%s", msg).With("code", code).WithCause(err)
		}
		return ProbeResult{}, err
	}
	res := ProbeResult{URL: c.url, Platform: c.platform, Kind: c.kind, Formats: []ProbeFormat{}, Warnings: []string{}}
	if pr.Title != "" {
		res.Title = ptr(pr.Title)
	}
	if pr.Uploader != "" {
		res.Uploader = ptr(pr.Uploader)
	}
	if pr.Thumbnail != "" {
		res.ThumbnailURL = ptr(pr.Thumbnail)
	}
	if pr.DurationSeconds > 0 {
		res.DurationSeconds = ptr(pr.DurationSeconds)
	}
	if pr.IsPlaylist {
		if !parentKinds[res.Kind] {
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
