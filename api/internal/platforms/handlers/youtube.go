package handlers

import (
	"context"
	"errors"
	"strings"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// CodeYouTubeBlocked: YouTube refused the stream to this server.
const CodeYouTubeBlocked = "youtube_blocked"

const youTubeBlockedMessage = "YouTube blocked the stream: the video exists, but YouTube gave this server no format it " +
	"would serve (“Requested format is not available”, or HTTP 403 on the media). Check the YouTube challenge solver on " +
	"the System page (it must be ready); on a server or data-center IP, set up a PO-token provider (docs/youtube.md); " +
	"an administrator can add cookies of a signed-in YouTube session in Settings → Platforms → YouTube → Cookies. Then retry."

// YouTube handles YouTube's defaults (subtitles, SponsorBlock), its
// channels and its failures. Videos and playlists take the plain yt-dlp
// path.
type YouTube struct{ downloads.HandlerDefaults }

var _ downloads.PlatformHandler = YouTube{}

// Prepare fills what the user left unset from the YouTube settings
// (default subtitles and SponsorBlock categories); SponsorBlock is
// YouTube's alone.
func (YouTube) Prepare(o *ytdlp.Options, pol downloads.PlatformPolicy) ytdlp.Constraints {
	if o.Subtitles == nil && len(pol.SubtitleLanguages) > 0 {
		o.Subtitles = &ytdlp.Subtitles{Languages: pol.SubtitleLanguages, Auto: pol.AutoCaptions,
			Embed: o.Preset != ytdlp.PresetAudio}
	}
	if len(o.SponsorBlockRemove) == 0 && len(pol.SponsorBlock) > 0 {
		o.SponsorBlockRemove = pol.SponsorBlock
	}
	return ytdlp.Constraints{SponsorBlock: true}
}

// Tune lets yt-dlp use SponsorBlock and, when the admin allowed them,
// fetch its challenge solver scripts.
func (YouTube) Tune(st *ytdlp.Settings, pol downloads.PlatformPolicy) {
	st.AllowSponsorBlock = true
	st.RemoteComponents = pol.RemoteComponents
	st.PluginDir, st.ExtractorArgs = pol.PluginDir, pol.ExtractorArgs
}

// Expand lists a channel from its videos tab: yt-dlp lists a channel's
// bare address as its tabs (Videos, Shorts, Live), one "entry" each, so
// "the latest N" (playlist_items 1-N) would pick tabs, not videos.
// Channels with a tab, YouTube Music artist pages and playlists list
// their own address.
func (YouTube) Expand(_ context.Context, it downloads.Item) (downloads.Expansion, error) {
	list := uploadsURL(platforms.DetectString(it.URL))
	if list == "" {
		list = it.URL
	}
	return downloads.Expansion{ListURL: list}, nil
}

// uploadsURL is a channel's videos tab when the URL names no tab, else "".
func uploadsURL(d platforms.Detection) string {
	if d.Kind != platforms.KindChannel || !strings.HasPrefix(d.Canonical, "https://www.youtube.com/") {
		return ""
	}
	path := strings.TrimPrefix(d.Canonical, "https://www.youtube.com/")
	// "@handle", "channel/UC…", "c/name", "user/name": a tab adds a segment.
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if (len(segs) == 1 && strings.HasPrefix(segs[0], "@")) || (len(segs) == 2 && !strings.HasPrefix(segs[0], "@")) {
		return strings.TrimRight(d.Canonical, "/") + "/videos"
	}
	return ""
}

// ExplainFailure points YouTube's "sign in to confirm you're not a bot"
// and sign-in walls at the YouTube cookies setting, its session rate limit
// at pacing, and a stream YouTube refused (no format left, 403 on the
// media) at the challenge solver, PO tokens and cookies: the video is
// there, YouTube blocked this server's way to it.
func (YouTube) ExplainFailure(err error) error {
	var ee *ytdlp.ExitError
	if !errors.As(err, &ee) {
		return nil
	}
	switch ee.Reason {
	case ytdlp.ReasonBotCheck:
		return downloads.Failure("bot_check", "YouTube asked to “sign in to confirm you're not a bot”. An administrator can add "+
			"cookies of a signed-in YouTube session (a cookies.txt exported from the browser) in Settings → Platforms → "+
			"YouTube → Cookies; then retry.")
	case ytdlp.ReasonRateLimited:
		return downloads.Failure("rate_limited", "YouTube rate-limited this server's session (“This content isn't available, "+
			"try again later”), typically for up to an hour. Wait before retrying; an administrator can lower YouTube's "+
			"concurrency and raise its pause between jobs and requests in Settings → Platforms → YouTube, or add cookies "+
			"of a (throwaway) signed-in account.")
	case ytdlp.ReasonFormatUnavailable, ytdlp.ReasonMediaForbidden:
		return downloads.Failure(CodeYouTubeBlocked, youTubeBlockedMessage)
	case ytdlp.ReasonLoginRequired:
		return downloads.Failure("login_required", "YouTube shows this video only to signed-in viewers (age-restricted or "+
			"members-only). An administrator can add cookies of a signed-in YouTube session in Settings → Platforms → "+
			"YouTube → Cookies; then retry.")
	}
	return nil
}
