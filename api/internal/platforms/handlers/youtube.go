package handlers

import (
	"context"
	"errors"
	"strings"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Lister lists a playlist address with an item's platform settings and
// its playlist_items selection (downloads.Service.ListEntries).
type Lister interface {
	ListEntries(ctx context.Context, it downloads.Item, url string) (*ytdlp.Playlist, error)
}

// YouTube handles YouTube channels and YouTube's failures. Videos,
// playlists, subtitles and SponsorBlock take the plain yt-dlp path.
type YouTube struct {
	// Lister lists channels; nil leaves channels to the plain listing.
	Lister Lister
}

var (
	_ downloads.PlatformHandler  = (*YouTube)(nil)
	_ downloads.FailureExplainer = (*YouTube)(nil)
)

// Expand lists a channel from its videos tab: yt-dlp lists a channel's
// bare address as its tabs (Videos, Shorts, Live), one "entry" each, so
// "the latest N" (playlist_items 1-N) would pick tabs, not videos.
// Channels with a tab, YouTube Music artist pages and playlists take the
// plain listing.
func (y *YouTube) Expand(ctx context.Context, it downloads.Item) (string, []downloads.Child, bool, error) {
	if y.Lister == nil {
		return "", nil, false, nil
	}
	list := uploadsURL(platforms.DetectString(it.URL))
	if list == "" {
		return "", nil, false, nil
	}
	pl, err := y.Lister.ListEntries(ctx, it, list)
	if err != nil {
		return "", nil, false, err
	}
	children := make([]downloads.Child, 0, len(pl.Entries))
	for _, e := range pl.Entries {
		children = append(children, downloads.Child{URL: e.URL, Title: e.Title, Duration: e.DurationSeconds, Kind: "video"})
	}
	return pl.Title, children, true, nil
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

// Source downloads the item's own URL.
func (y *YouTube) Source(_ context.Context, it downloads.Item) (downloads.Source, error) {
	return downloads.Source{URL: it.URL}, nil
}

// Finish has nothing to add.
func (y *YouTube) Finish(context.Context, downloads.Item, downloads.Source, []string) error {
	return nil
}

// ExplainFailure points YouTube's "sign in to confirm you're not a bot"
// and sign-in walls at the YouTube cookies setting.
func (y *YouTube) ExplainFailure(err error) error {
	var ee *ytdlp.ExitError
	if !errors.As(err, &ee) {
		return nil
	}
	switch ee.Reason {
	case ytdlp.ReasonBotCheck:
		return downloads.Failure("bot_check", "YouTube asked to “sign in to confirm you're not a bot”. An administrator can add "+
			"cookies of a signed-in YouTube session (a cookies.txt exported from the browser) in Settings → Platforms → "+
			"YouTube → Cookies; then retry.")
	case ytdlp.ReasonLoginRequired:
		return downloads.Failure("login_required", "YouTube shows this video only to signed-in viewers (age-restricted or "+
			"members-only). An administrator can add cookies of a signed-in YouTube session in Settings → Platforms → "+
			"YouTube → Cookies; then retry.")
	}
	return nil
}
