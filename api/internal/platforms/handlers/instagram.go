package handlers

import (
	"context"
	"errors"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Instagram handles Instagram posts: a post (a carousel of images and
// videos) is one download with all its files, not a playlist of items.
type Instagram struct{}

var (
	_ downloads.PlatformHandler  = Instagram{}
	_ downloads.FailureExplainer = Instagram{}
)

// Expand leaves listings to yt-dlp (Instagram URLs are single items).
func (Instagram) Expand(context.Context, downloads.Item) (string, []downloads.Child, bool, error) {
	return "", nil, false, nil
}

// Source downloads every entry of a post in one run (several files);
// reels and tv videos are single.
func (Instagram) Source(_ context.Context, it downloads.Item) (downloads.Source, error) {
	post := platforms.DetectString(it.URL).Kind == platforms.KindPost
	return downloads.Source{URL: it.URL, AllEntries: post}, nil
}

// Finish has nothing to add.
func (Instagram) Finish(context.Context, downloads.Item, downloads.Source, []string) error {
	return nil
}

// ExplainFailure points Instagram's login walls (private accounts, and
// the rate limit for visitors without a session) at its cookies setting.
func (Instagram) ExplainFailure(err error) error {
	var ee *ytdlp.ExitError
	if !errors.As(err, &ee) {
		return nil
	}
	switch ee.Reason {
	case ytdlp.ReasonLoginRequired:
		return downloads.Failure("login_required", "Instagram wants a signed-in visitor for this post (a private account, or "+
			"Instagram limiting visitors without a session). An administrator can add cookies of a signed-in Instagram "+
			"session (a cookies.txt exported from the browser) in Settings → Platforms → Instagram → Cookies; then retry.")
	case ytdlp.ReasonPrivate:
		return downloads.Failure("private", "This Instagram account is private. Its posts download only with cookies of an "+
			"Instagram account that follows it, set in Settings → Platforms → Instagram → Cookies.")
	}
	return nil
}
