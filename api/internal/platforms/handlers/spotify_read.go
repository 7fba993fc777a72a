package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/spotify"
)

// embedTimeout bounds one embed page request.
const embedTimeout = 30 * time.Second

// read resolves a track, album or playlist: through the Web API when app
// credentials or a connected account allow, else (or when the Web API
// refuses in a way the public page can make up for) from the public embed
// page. The warnings say what the answer lacks. Errors are Failures.
//
//   - playlists: the connected account reads the ones it owns or
//     collaborates on; an app token reads them only outside Development
//     Mode (Spotify refuses a Development-Mode app the entries of others'
//     playlists): the embed page lists them then;
//   - a lapsed Premium of the app's owner fails every Web API call: the
//     embed page stands in, with a warning.
func (h *Spotify) read(ctx context.Context, leaseID string, kind spotify.Kind, id string, probe bool) (*spotify.Collection, []downloads.Warning, error) {
	c := h.clientFor(ctx)
	if probe {
		// A probe describes an album without reading each track in full.
		h.mu.Lock()
		key := h.clientKey
		h.mu.Unlock()
		c = h.newClient(key, true)
	}
	var warnings []downloads.Warning
	var apiErr error
	if c.CanUseAPI() {
		col, err := c.Resolve(ctx, spotify.OpenURL(kind, id))
		switch {
		case err == nil:
			return col, nil, nil
		case ctx.Err() != nil:
			return nil, nil, err
		case errors.Is(err, spotify.ErrPremiumRequired):
			warnings = append(warnings, downloads.Warning{Code: "spotify_premium_required", Message: msgPremiumFallback})
		case errors.Is(err, spotify.ErrAccountRevoked):
			warnings = append(warnings, downloads.Warning{Code: "spotify_metadata_limited", Message: msgAccountRevoked})
		case kind == spotify.KindPlaylist && (errors.Is(err, spotify.ErrForbidden) || errors.Is(err, spotify.ErrNotFound)):
			// Not the account's playlist (or Development Mode): the
			// public page lists it, when it is public.
		default:
			return nil, nil, spotifyFailure(ctx, err)
		}
		apiErr = err
		h.log.InfoContext(ctx, "spotify web api refused; reading the public embed page", "kind", kind, "id", id, "err", err)
	}
	col, err := h.embedCollection(ctx, leaseID, kind, id)
	if err != nil {
		if errors.Is(err, spotify.ErrNotFound) && apiErr != nil && !errors.Is(apiErr, spotify.ErrForbidden) && !errors.Is(apiErr, spotify.ErrNotFound) {
			return nil, nil, spotifyFailure(ctx, apiErr) // the Web API's reason says more
		}
		return nil, nil, embedFailure(ctx, kind, err, c.HasAccount())
	}
	if col.Truncated {
		warnings = append(warnings, downloads.Warning{Code: "spotify_list_truncated", Message: msgTruncated})
	}
	return col, warnings, nil
}

// embedCollection reads an embed page through the egress proxy.
func (h *Spotify) embedCollection(ctx context.Context, leaseID string, kind spotify.Kind, id string) (*spotify.Collection, error) {
	conn, err := dialEgress(ctx, h.cfg.Egress, h.cfg.Policy, "spotify", leaseID+".embed", embedTimeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	e := spotify.NewEmbed(spotify.EmbedConfig{BaseURL: h.cfg.Settings.Spotify(ctx).EmbedBaseURL, HTTPClient: conn.Client})
	return e.Collection(ctx, kind, id)
}

// complete fills in what an embed-page track lacks: with the Web API, the
// full track (ISRC, album, cover, numbers); without, the track's own
// embed page (cover, release date). It never fails the item: what cannot
// be had is a warning, and matching goes on without an ISRC.
func (h *Spotify) complete(ctx context.Context, it downloads.Item, meta *spotifyMeta) {
	t := meta.Track
	if c := h.clientFor(ctx); c.CanUseAPI() {
		full, err := c.Track(ctx, t.ID)
		switch {
		case err == nil:
			mergeFull(t, full)
			meta.MetadataSource = spotify.SourceWebAPI
			return
		case ctx.Err() != nil:
			return
		case errors.Is(err, spotify.ErrPremiumRequired):
			meta.Warnings = appendWarning(meta.Warnings, downloads.Warning{Code: "spotify_premium_required", Message: msgPremiumFallback})
		default:
			h.log.WarnContext(ctx, "spotify track details unavailable", "download_id", it.ID, "track", t.ID, "err", err)
			meta.Warnings = appendWarning(meta.Warnings, downloads.Warning{Code: "spotify_metadata_limited", Message: msgNoDetails})
		}
	}
	if t.CoverURL != "" && t.ReleaseDate != "" {
		return
	}
	col, err := h.embedCollection(ctx, it.ID.String(), spotify.KindTrack, t.ID)
	if err != nil || len(col.Tracks) == 0 {
		h.log.InfoContext(ctx, "spotify track page unavailable", "download_id", it.ID, "track", t.ID, "err", err)
		return
	}
	page := col.Tracks[0]
	if t.CoverURL == "" {
		t.CoverURL = page.CoverURL
	}
	if t.ReleaseDate == "" {
		t.ReleaseDate = page.ReleaseDate
	}
	if len(page.Artists) > 0 {
		t.Artists = page.Artists // the page's list, not a split subtitle
	}
}

// mergeFull takes the Web API's full track over an embed-page one, keeping
// an album page's own numbering when the full track has none.
func mergeFull(t *spotify.Track, full *spotify.Track) {
	keepNumber, keepTotal := t.TrackNumber, t.TrackTotal
	*t = *full
	if t.TrackNumber == 0 {
		t.TrackNumber = keepNumber
	}
	if t.TrackTotal == 0 {
		t.TrackTotal = keepTotal
	}
}

func appendWarning(ws []downloads.Warning, w downloads.Warning) []downloads.Warning {
	for _, x := range ws {
		if x.Code == w.Code {
			return ws
		}
	}
	return append(ws, w)
}
