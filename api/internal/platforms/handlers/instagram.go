package handlers

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/instagram"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// InstagramSettings gives where Instagram's post data is read (the
// instagram platform's base_url option).
type InstagramSettings interface {
	InstagramBaseURL(ctx context.Context) string
}

// InstagramConfig configures the Instagram handler.
type InstagramConfig struct {
	Settings InstagramSettings
	// Egress and Policy carry a probe's requests (the platform's proxy and
	// cookies); nil: direct, unit tests. Downloads use the engine's lease.
	Egress Egress
	Policy Policy
	Logger *slog.Logger
	// Sleep replaces the real pause between requests (tests).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Instagram downloads a post as all of its items: it reads the post's
// media list itself (package instagram), fetches the photos at full
// resolution with the caption and date written into them, and has yt-dlp
// download each video from the address the post gives. Items that fail
// are skipped with a warning; the post completes with the rest. Stories
// take the plain yt-dlp path.
//
// Why not yt-dlp alone: its Instagram extractor yields videos only (a
// photo in a carousel ends the run with "No video formats found!"), and
// Debian's build lacks curl_cffi, so its logged-out API call is skipped.
// Why not gallery-dl: a second interpreter to install, keep current and
// guard for one platform, whose per-item outcome Downlink could only guess
// from its output, and which cannot be pointed at a stand-in. Reading the
// post ourselves keeps one guarded process kind (yt-dlp), one egress path
// (every request through the job's proxy lease) and gives each item its
// own outcome.
type Instagram struct {
	downloads.HandlerDefaults
	cfg InstagramConfig
	log *slog.Logger
}

var (
	_ downloads.PlatformHandler = (*Instagram)(nil)
	_ downloads.MediaFetcher    = (*Instagram)(nil)
	_ downloads.Prober          = (*Instagram)(nil)
)

// NewInstagram returns the Instagram handler.
func NewInstagram(cfg InstagramConfig) *Instagram {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Instagram{cfg: cfg, log: log.With("source", "downloads", "platform", "instagram")}
}

// Source fetches posts, reels and tv videos itself (FetchMedia); stories
// go to yt-dlp.
func (*Instagram) Source(_ context.Context, it downloads.Item) (downloads.Source, error) {
	switch platforms.DetectString(it.URL).Kind {
	case platforms.KindPost, platforms.KindReel, platforms.KindTV:
		return downloads.Source{URL: it.URL, Fetch: true}, nil
	}
	return downloads.Source{URL: it.URL}, nil
}

// ExplainFailure points Instagram's login walls (private accounts, and
// the rate limit for visitors without a session) at its cookies setting,
// and says so when a story has no video rather than calling it gone.
func (*Instagram) ExplainFailure(err error) error {
	var ee *ytdlp.ExitError
	if !errors.As(err, &ee) {
		return nil
	}
	lower := strings.ToLower(ee.Stderr)
	switch {
	case ee.Reason == ytdlp.ReasonLoginRequired:
		return downloads.Failure("login_required", msgInstagramLogin)
	case ee.Reason == ytdlp.ReasonPrivate:
		return downloads.Failure("private", msgInstagramPrivate)
	case strings.Contains(lower, "no video formats found") || strings.Contains(lower, "there is no video in this post"):
		return downloads.Failure("no_video", "This Instagram item has no video: it is a photo, which yt-dlp does not "+
			"download. Posts, reels and carousels download their photos too; for a story photo, open the post it shares.")
	}
	return nil
}

// Messages users see.
const (
	msgInstagramLogin = "Instagram wants a signed-in visitor for this post. An administrator can add cookies of a " +
		"signed-in Instagram session (a cookies.txt exported from the browser) in Settings → Platforms → Instagram → " +
		"Cookies; then retry."
	msgInstagramPrivate = "This Instagram account is private. Its posts download only with cookies of an Instagram " +
		"account that follows it, set in Settings → Platforms → Instagram → Cookies."
	msgInstagramWall = "Instagram sent this server to its login page: it limits how many posts a visitor without a " +
		"session may open, and this server reached that limit. Add cookies of a signed-in Instagram session in Settings → " +
		"Platforms → Instagram → Cookies, or raise “sleep between requests” there and retry later."
	msgInstagramExpired = "The Instagram session in Settings → Platforms → Instagram → Cookies no longer works (Instagram " +
		"sent the signed-in request to its login page). Export fresh cookies from a signed-in browser and retry."
	msgInstagramRate = "Instagram's rate limit was reached. Retry later; raising “sleep between requests” in Settings → " +
		"Platforms → Instagram, or adding cookies of a signed-in session there, makes it rarer."
)

// instagramFailure turns an error reading a post into what users see.
func instagramFailure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	switch {
	case errors.Is(err, instagram.ErrLoginWall):
		return downloads.Failure("rate_limited", msgInstagramWall)
	case errors.Is(err, instagram.ErrRateLimited):
		return downloads.Failure("rate_limited", msgInstagramRate)
	case errors.Is(err, instagram.ErrCookiesExpired):
		return downloads.Failure("login_required", msgInstagramExpired)
	case errors.Is(err, instagram.ErrPrivate):
		return downloads.Failure("private", "Instagram shows this post only to signed-in visitors (a private account, or an "+
			"age-restricted post). Add cookies of an Instagram session that can see it in Settings → Platforms → Instagram → "+
			"Cookies; for a private account, one that follows it.")
	case errors.Is(err, instagram.ErrNotFound):
		return downloads.Failure("unavailable", "Instagram has no post at this link (it was removed, or the link is mistyped).")
	case errors.Is(err, instagram.ErrNoMedia):
		return downloads.Failure("unavailable", "This Instagram post has no photo or video Downlink can download.")
	case errors.Is(err, instagram.ErrShapeChanged):
		return downloads.Failure("unavailable", "Instagram's answer for this post no longer has the shape Downlink reads "+
			"(Instagram changed its web API); a Downlink update will follow.")
	case blockedReason(err) != "":
		return downloads.Failure("blocked_destination", "Instagram's address leads to a destination Downlink does not allow ("+
			blockedReason(err)+").")
	}
	return downloads.Failure("network", "Instagram could not be reached properly; retry later.")
}
