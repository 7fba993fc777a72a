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
	msgNeedCredentials = "Spotify albums and playlists need Spotify Web API credentials: an administrator can enter a client id " +
		"and secret in Settings → Platforms → Spotify. Without them only single tracks can be downloaded (matched by title alone)."
	msgOEmbedOnly = "No Spotify API credentials are set, so only the title is known (from Spotify's public oEmbed): the match " +
		"relies on the title alone and the file gets no artist, album or ISRC tags. An administrator can add credentials in " +
		"Settings → Platforms → Spotify."
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
	case errors.Is(err, spotify.ErrCredentialsRequired):
		return downloads.Failure("spotify_api", msgNeedCredentials)
	case errors.Is(err, spotify.ErrUnauthorized):
		return downloads.Failure("spotify_api", "Spotify rejected the client id or secret set in Settings → Platforms → Spotify.")
	case errors.Is(err, spotify.ErrForbidden):
		return downloads.Failure("spotify_api", "Spotify refused this app access to this item (in development mode, Spotify shares only the details of playlists the app's owner does not own).")
	}
	return downloads.Failure("spotify_api", "Spotify's Web API did not answer properly; retry later.")
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
