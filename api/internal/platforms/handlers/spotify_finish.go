package handlers

import (
	"context"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/spotify/tags"
)

// coverTimeout bounds the cover-art download.
const coverTimeout = 30 * time.Second

// Finish writes Spotify's tags and cover art into every audio file of the
// item, replacing what the YouTube source carried. The cover comes through
// the egress proxy: its URL is from Spotify's answer, not ours.
func (h *Spotify) Finish(ctx context.Context, it downloads.Item, src downloads.Source, files []string) error {
	meta := decodeMeta(src.Meta)
	if meta.Track == nil {
		return nil
	}
	conn, err := dialEgress(ctx, h.cfg.Egress, h.cfg.Policy, "spotify", it.ID.String()+".cover", coverTimeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	w := tags.New(tags.Config{FFmpegPath: h.cfg.FFmpegPath, HTTPClient: conn.Client, Logger: h.log, Proc: h.cfg.Proc})
	tg := tags.FromTrack(*meta.Track)
	for _, f := range files {
		if _, err := tags.FormatOf(f); err != nil {
			continue // not audio (a subtitle, a thumbnail)
		}
		if err := w.Write(ctx, f, tg); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			h.log.WarnContext(ctx, "writing spotify tags failed", "download_id", it.ID, "err", err)
			return downloads.Failure("postprocessing_failed", "The audio was downloaded, but writing Spotify's tags into it failed.")
		}
	}
	return nil
}
