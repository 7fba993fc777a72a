package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Messages users see.
const (
	msgPremium = "The Spotify app's owner needs Premium: since 2026 Spotify answers a Development-Mode app only while the " +
		"account that created it has an active Premium subscription (a change can take a few hours to reach the API). " +
		"Renew Premium for that account, or clear the client id and secret in Settings → Platforms → Spotify to use " +
		"Spotify's public pages, which need no setup."
	msgPremiumFallback = "The Spotify app's owner needs Premium, so the Web API refused: the track list came from Spotify's " +
		"public page instead, without ISRCs (matching uses artists, title and duration). Renew Premium for the account " +
		"that created the app to get them back."
	msgAccountRevoked = "The connected Spotify account's access is no longer valid (it was removed at spotify.com, or the " +
		"app's client id changed): connect the account again in Settings → Platforms → Spotify."
	msgTruncated = "Spotify's public page lists only the first 100 tracks of a playlist, so only those were added. Connect " +
		"the Spotify account that owns or collaborates on the playlist (Settings → Platforms → Spotify) to get all of them."
	msgNoDetails = "Spotify's Web API did not give this track's details, so it has no ISRC, album or cover: matching uses " +
		"artists, title and duration."
	msgSearchDown = "Neither YouTube Music nor YouTube search answered, so no recording of this track could be looked for; retry later."
)

// spotifyFailure turns a Web API error into the failure users see.
// Context errors pass through: the run was canceled or is shutting down.
func spotifyFailure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	var rl *spotify.RateLimitError
	switch {
	case errors.As(err, &rl):
		msg := "Spotify's rate limit was reached; retry later."
		if s := int(rl.RetryAfter.Round(time.Second) / time.Second); s > 0 {
			msg = fmt.Sprintf("Spotify's rate limit was reached; retry in %d seconds.", s)
		}
		return downloads.Failure("spotify_api", msg)
	case errors.Is(err, spotify.ErrArtistUnsupported):
		return downloads.Failure("unsupported_url", "Spotify artist pages can't be downloaded since Spotify's 2026 Web API change; paste an album or playlist instead.")
	case errors.Is(err, spotify.ErrInvalidURL):
		return downloads.Failure("unsupported_url", "This is not a Spotify track, album or playlist link Downlink understands.")
	case errors.Is(err, spotify.ErrNotFound):
		return downloads.Failure("unavailable", "Spotify has nothing at this link (removed, never existed, or not available to this app).")
	case errors.Is(err, spotify.ErrPremiumRequired):
		return downloads.Failure("spotify_premium_required", msgPremium)
	case errors.Is(err, spotify.ErrAccountRevoked):
		return downloads.Failure("spotify_api", msgAccountRevoked)
	case errors.Is(err, spotify.ErrUnauthorized):
		return downloads.Failure("spotify_api", "Spotify rejected the client id or secret set in Settings → Platforms → Spotify.")
	case errors.Is(err, spotify.ErrForbidden):
		return downloads.Failure("spotify_api", "Spotify refused this app access to this item (in development mode, Spotify shares "+
			"only the details of playlists the app's owner does not own).")
	case errors.Is(err, spotify.ErrEmbedChanged):
		return downloads.Failure("spotify_api", "Spotify's public page for this link no longer has its track list where Downlink "+
			"reads it (Spotify changed the page). With a client id and secret in Settings → Platforms → Spotify, tracks and "+
			"albums are read through the Web API instead; a Downlink update will follow the new page.")
	}
	return downloads.Failure("spotify_api", "Spotify did not answer properly; retry later.")
}

// embedFailure explains why a public embed page gave nothing.
func embedFailure(ctx context.Context, kind spotify.Kind, err error, connected bool) error {
	if ctx.Err() != nil || !errors.Is(err, spotify.ErrNotFound) {
		return spotifyFailure(ctx, err)
	}
	if kind != spotify.KindPlaylist {
		return downloads.Failure("unavailable", "Spotify has nothing public at this link (removed, or never existed).")
	}
	if connected {
		return downloads.Failure("unavailable", "Spotify has no public page for this playlist, and the connected account "+
			"neither owns nor collaborates on it: it is someone else's private playlist, or was removed.")
	}
	return downloads.Failure("unavailable", "Spotify has no public page for this playlist: it is private, or was removed. "+
		"To download your own private playlists, connect your Spotify account in Settings → Platforms → Spotify.")
}

// ExplainFailure names the setting that helps when YouTube, where a
// Spotify track's audio comes from, wants a signed-in visitor: the
// Spotify platform's cookies are what its downloads send.
func (h *Spotify) ExplainFailure(err error) error {
	var ee *ytdlp.ExitError
	if !errors.As(err, &ee) {
		return nil
	}
	switch ee.Reason {
	case ytdlp.ReasonBotCheck:
		return downloads.Failure("bot_check", "YouTube, where this track's audio comes from, asked to confirm this is not a bot. "+
			"Spotify downloads send the Spotify platform's cookies: an administrator can add cookies of a signed-in YouTube "+
			"session in Settings → Platforms → Spotify → Cookies, then retry.")
	case ytdlp.ReasonLoginRequired:
		return downloads.Failure("login_required", "YouTube wants a signed-in visitor for the recording matched to this track. "+
			"An administrator can add cookies of a signed-in YouTube session in Settings → Platforms → Spotify → Cookies; then retry.")
	}
	return nil
}
