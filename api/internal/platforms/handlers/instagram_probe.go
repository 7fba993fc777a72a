package handlers

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/instagram"
	"github.com/downlink/downlink/api/internal/platforms"
)

// Probe describes a post, reel or tv video from its item list — one
// "format" per item (a photo's or video's size) — without downloading;
// stories are left to yt-dlp's probe.
func (h *Instagram) Probe(ctx context.Context, rawURL, _ string) (downloads.ProbeResult, error) {
	d := platforms.DetectString(rawURL)
	switch d.Kind {
	case platforms.KindPost, platforms.KindReel, platforms.KindTV:
	default:
		return downloads.ProbeResult{}, downloads.ErrNotProbed
	}
	conn, err := dialEgress(ctx, h.cfg.Egress, h.cfg.Policy, "instagram", "probe-"+d.ID, instagramTimeout)
	if err != nil {
		return downloads.ProbeResult{}, err
	}
	defer conn.Close()
	cfg := instagram.Config{BaseURL: h.cfg.Settings.InstagramBaseURL(ctx), HTTPClient: conn.Client, Logger: h.log}
	if h.cfg.Policy != nil {
		pol := h.cfg.Policy.Platform(ctx, "instagram")
		cfg.SleepRequests = pol.SleepRequests
		cfg.Cookies = instagramCookies(pol.Cookies)
	}
	client, err := instagram.New(cfg)
	if err != nil {
		return downloads.ProbeResult{}, err
	}
	post, err := client.Post(ctx, d.ID)
	if err != nil {
		return downloads.ProbeResult{}, instagramFailure(ctx, err)
	}
	title, who := post.Title(), post.FullName
	if who == "" {
		who = post.Username
	}
	res := downloads.ProbeResult{Kind: string(d.Kind), Title: &title, Uploader: opt(who), ThumbnailURL: opt(post.Items[0].Thumbnail),
		Formats: []downloads.ProbeFormat{}, Warnings: []string{}}
	var duration float64
	for _, it := range post.Items {
		duration += it.Duration
		f := downloads.ProbeFormat{FormatID: fmt.Sprintf("item%d", it.Index), Ext: itemExt(it),
			Note: opt(fmt.Sprintf("%s %d of %d", it.Kind, it.Index, len(post.Items)))}
		if it.Width > 0 && it.Height > 0 {
			f.Resolution = opt(fmt.Sprintf("%dx%d", it.Width, it.Height))
		}
		res.Formats = append(res.Formats, f)
	}
	if duration > 0 {
		res.DurationSeconds = &duration
	}
	if photos, videos := post.Counts(); len(post.Items) > 1 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("A carousel of %s and %s: they download together, one file each.",
			plural(photos, "photo"), plural(videos, "video")))
	}
	return res, nil
}

// itemExt is the extension an item's address shows (jpg for photos, mp4
// for videos when it shows none).
func itemExt(it instagram.Item) string {
	if it.Kind == instagram.KindPhoto {
		return strings.TrimPrefix(imageExt("", it.URL), ".")
	}
	if ext := strings.TrimPrefix(strings.ToLower(path.Ext(strings.SplitN(it.URL, "?", 2)[0])), "."); ext == "mp4" || ext == "webm" {
		return ext
	}
	return "mp4"
}
