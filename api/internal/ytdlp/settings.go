package ytdlp

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Settings are request-level choices made by Downlink (platform settings
// and the admin), never by the user: they are not part of Options and never
// decoded from a request.
type Settings struct {
	// RateLimit caps download speed in bytes per second; 0: no limit.
	RateLimit int64
	// ProxyURL is the egress proxy yt-dlp must use (http, https, socks4,
	// socks5 or socks5h). Empty: direct (the child's environment carries no
	// proxy variables either).
	ProxyURL string
	// CookiesFile is an absolute path to a Netscape cookies.txt. yt-dlp
	// writes updated cookies back into it, so pass a per-job copy.
	CookiesFile string
	// SleepRequests waits this long between yt-dlp's HTTP requests during
	// extraction (--sleep-requests); 0: none.
	SleepRequests time.Duration
	// AllowGeneric enables yt-dlp's generic extractor (any web page with
	// media). Off, only dedicated extractors run: --ies default,-generic.
	AllowGeneric bool
	// AllowSponsorBlock is true when the platform supports SponsorBlock
	// (YouTube); Run checks Options against it.
	AllowSponsorBlock bool
	// RefuseLive stops a download whose media is a live stream
	// (--break-match-filters "!is_live"): the run fails with ReasonLive.
	RefuseLive bool
	// ListLimit stops a playlist listing or probe after this many entries
	// (--playlist-items 1:N), when no playlist_items are chosen; 0: no limit.
	ListLimit int
	// RemoteComponents lets yt-dlp fetch its challenge solver scripts
	// (RemoteComponentNames: ejs:npm, ejs:github) when the installed ones
	// are missing or stale. An admin's choice; none by default.
	RemoteComponents []string
	// PluginDir lets yt-dlp load plugins (a PO-token provider) from this
	// one admin-chosen folder instead of --no-plugin-dirs; "": none.
	PluginDir string
	// ExtractorArgs are --extractor-args values built by
	// YouTubeExtractorArgs from an admin's allow-listed choices.
	ExtractorArgs []string
}

// maxSleepRequests bounds SleepRequests; longer would stall a worker.
const maxSleepRequests = time.Minute

// Validate checks s. Its errors are configuration errors, not user input.
func (s Settings) Validate() error {
	var errs []error
	if s.RateLimit < 0 {
		errs = append(errs, errors.New("rate limit must not be negative"))
	}
	if s.ProxyURL != "" {
		u, err := url.Parse(s.ProxyURL)
		switch {
		case err != nil:
			errs = append(errs, errors.New("proxy URL does not parse"))
		case u.Host == "":
			errs = append(errs, errors.New("proxy URL has no host"))
		default:
			switch u.Scheme {
			case "http", "https", "socks4", "socks5", "socks5h":
			default:
				errs = append(errs, fmt.Errorf("proxy scheme %q is not supported", u.Scheme))
			}
		}
	}
	if s.CookiesFile != "" && (!filepath.IsAbs(s.CookiesFile) || strings.HasPrefix(s.CookiesFile, "-")) {
		errs = append(errs, errors.New("cookies file must be an absolute path"))
	}
	if err := validateRemoteComponents(s.RemoteComponents); err != nil {
		errs = append(errs, err)
	}
	if err := validatePluginDir(s.PluginDir); err != nil {
		errs = append(errs, err)
	}
	if err := validateExtractorArgs(s.ExtractorArgs); err != nil {
		errs = append(errs, err)
	}
	if s.SleepRequests < 0 || s.SleepRequests > maxSleepRequests {
		errs = append(errs, fmt.Errorf("sleep between requests must be 0..%v", maxSleepRequests))
	}
	return errors.Join(errs...)
}

// Job is one download: one media item, or (AllEntries) every entry of a
// playlist whose entries have no URL of their own.
type Job struct {
	// ID is ours (the download's id); it names the output files. Letters,
	// digits, "-" and "_", at most 64.
	ID string
	// URL is the media page. http(s) only.
	URL string
	// Dir is the job's own temporary folder (absolute). Run keeps yt-dlp's
	// partial files in Dir/part, finished files in Dir/done and its pid file
	// in Dir; a retry with the same Dir resumes from the .part files.
	Dir string
	// Options are the user's, validated against the Settings' constraints.
	Options Options
	// Settings are Downlink's own.
	Settings Settings
	// AllEntries downloads every entry of a playlist URL in this one process
	// (Options.PlaylistItems selects). Normally false: playlists expand into
	// one job per entry (ListPlaylist) and a job runs with --no-playlist.
	AllEntries bool
}

// Folders inside Job.Dir.
const (
	partDirName = "part"
	doneDirName = "done"
)

// PartDir is where yt-dlp keeps partial and intermediate files.
func (j Job) PartDir() string { return filepath.Join(j.Dir, partDirName) }

// DoneDir is where yt-dlp moves finished files; Result.Files are in it.
func (j Job) DoneDir() string { return filepath.Join(j.Dir, doneDirName) }

var jobIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ErrInvalidURL is returned for a URL yt-dlp must not be given.
var ErrInvalidURL = errors.New("ytdlp: URL not allowed")

// checkURL refuses what must never reach yt-dlp: non-http(s) schemes,
// yt-dlp's internal "smuggle" fragments, and anything an argument parser
// could misread. The real policy (hosts, SSRF) lives with the caller and the
// egress proxy; this is the last line.
func checkURL(raw string) error {
	if raw == "" || len(raw) > 8192 {
		return fmt.Errorf("%w: empty or too long", ErrInvalidURL)
	}
	if strings.HasPrefix(raw, "-") || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%w: contains spaces or control characters", ErrInvalidURL)
	}
	if strings.Contains(raw, "__youtubedl_smuggle") {
		return fmt.Errorf("%w: smuggled data", ErrInvalidURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: does not parse", ErrInvalidURL)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: only http and https URLs", ErrInvalidURL)
	}
	return nil
}

// validate checks everything Run needs before it builds a command.
func (j Job) validate() error {
	if !jobIDRe.MatchString(j.ID) {
		return errors.New("ytdlp: job ID must be 1-64 letters, digits, '-' or '_'")
	}
	if !filepath.IsAbs(j.Dir) {
		return errors.New("ytdlp: job Dir must be absolute")
	}
	if err := checkURL(j.URL); err != nil {
		return err
	}
	if err := j.Settings.Validate(); err != nil {
		return fmt.Errorf("ytdlp: settings: %w", err)
	}
	return j.Options.Validate(Constraints{SponsorBlock: j.Settings.AllowSponsorBlock})
}
