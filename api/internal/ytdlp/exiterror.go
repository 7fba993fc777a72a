package ytdlp

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/downlink/downlink/api/internal/clip"
)

// Reason says why a yt-dlp run failed, in terms a user can act on.
type Reason string

// Reasons a run fails for.
const (
	ReasonUnavailable   Reason = "unavailable"
	ReasonPrivate       Reason = "private"
	ReasonGeoBlocked    Reason = "geo_blocked"
	ReasonLoginRequired Reason = "login_required"
	ReasonBotCheck      Reason = "bot_check"
	// ReasonRateLimited: the site limits this server or session (YouTube's
	// "This content isn't available, try again later", HTTP 429).
	ReasonRateLimited Reason = "rate_limited"
	// ReasonDRM: the media is DRM protected; no retry can help.
	ReasonDRM Reason = "drm"
	// ReasonFormatUnavailable: yt-dlp found no format it can download
	// ("Requested format is not available"); on YouTube usually a blocked
	// or unsolved stream rather than a missing video.
	ReasonFormatUnavailable Reason = "format_unavailable"
	// ReasonMediaForbidden: the media server answered 403 to the media
	// itself (not to Downlink's egress proxy).
	ReasonMediaForbidden Reason = "media_forbidden"
	ReasonUnsupportedURL Reason = "unsupported_url"
	ReasonNetwork        Reason = "network"
	// ReasonHostNotFound: the site's host name did not resolve (DNS),
	// before anything was downloaded.
	ReasonHostNotFound Reason = "host_not_found"
	// ReasonConnectionRefused: the site refused the connection.
	ReasonConnectionRefused Reason = "connection_refused"
	// ReasonProxyFailed: the upstream proxy of the platform's settings
	// failed (Downlink's own egress proxy says so in its status line).
	ReasonProxyFailed        Reason = "proxy_failed"
	ReasonDiskFull           Reason = "disk_full"
	ReasonBlockedDestination Reason = "blocked_destination"
	ReasonCanceled           Reason = "canceled"
	ReasonLive               Reason = "live"
	ReasonUnknown            Reason = "unknown"
)

// EgressRefusedMarker starts the reason phrase of the status line that
// Downlink's egress proxy (api/internal/netguard, its BlockedMarker) sends
// when it refuses a destination: "HTTP/1.1 403 blocked destination:
// <reason>", reason being a short lower-case word such as "loopback" or
// "link-local". yt-dlp quotes the reason phrase in its error for both kinds
// of proxied request:
//
//	ERROR: [generic] x: Unable to download webpage: <urlopen error Tunnel connection failed: 403 blocked destination: loopback> (caused by ProxyError(...))
//	ERROR: [generic] x: Unable to download webpage: HTTP Error 403: blocked destination: loopback (caused by <HTTPError 403: blocked destination: loopback>)
//
// The first is a CONNECT tunnel (https), the second a forwarded plain http
// request. A bare "HTTP Error 403: Forbidden" is the site's own answer and
// is never read as a refusal; "Tunnel connection failed: 403" without the
// marker is (only the proxy answers a CONNECT). Keep this in step with
// netguard.BlockedMarker.
const EgressRefusedMarker = "blocked destination"

// ExitError is a failed yt-dlp run.
type ExitError struct {
	// Code is the exit status, -1 when the process was killed by a signal.
	Code   int
	Reason Reason
	// SafeMessage is for the user: no paths, no URLs, no credentials.
	SafeMessage string
	// Stderr is the tail of yt-dlp's stderr (at most 64 KiB), for the log
	// only.
	Stderr string
	// Degradations are the run's warnings that mean a worse result (often
	// the cause: no JavaScript runtime, then no format).
	Degradations []Degradation

	cause error // context.Canceled or DeadlineExceeded for ReasonCanceled
}

// maxDetailLines is how many of stderr's last lines TechnicalDetails keeps.
const maxDetailLines = 12

// TechnicalDetails returns the last lines of yt-dlp's stderr for the
// failed download's "Technical details": blank and debug lines dropped,
// each line shortened as sanitizeErrorLine does (URLs become their host,
// server paths "…", no control characters), but keeping its ERROR:/WARNING:
// prefix. Empty when stderr said nothing.
func TechnicalDetails(stderr string) string {
	var keep []string
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "[debug]") {
			continue
		}
		prefix := ""
		for _, p := range []string{"ERROR:", "WARNING:"} {
			if strings.HasPrefix(l, p) {
				prefix, l = p+" ", strings.TrimPrefix(l, p)
			}
		}
		keep = append(keep, prefix+sanitizeErrorLine(l))
	}
	if len(keep) > maxDetailLines {
		keep = keep[len(keep)-maxDetailLines:]
	}
	return strings.Join(keep, "\n")
}

// Error returns the safe message with the code and reason; never stderr.
func (e *ExitError) Error() string {
	return fmt.Sprintf("yt-dlp failed (exit %d, %s): %s", e.Code, e.Reason, e.SafeMessage)
}

// Unwrap lets errors.Is(err, context.Canceled) see a cancellation.
func (e *ExitError) Unwrap() error { return e.cause }

// Safe messages, one per reason.
var safeMessages = map[Reason]string{
	ReasonUnavailable:        "The media is not available (removed, never existed, or not found at this address).",
	ReasonPrivate:            "The media is private.",
	ReasonGeoBlocked:         "The media is not available from this server's country.",
	ReasonLoginRequired:      "The site requires a login for this media; add cookies for this platform in its settings and retry.",
	ReasonBotCheck:           "The site asked to confirm this is not a bot; add cookies for this platform in its settings (platform cookies) and retry.",
	ReasonRateLimited:        "The site is rate limiting this server; wait (up to an hour), lower the platform's concurrency or raise its pause between requests, or add cookies, then retry.",
	ReasonDRM:                "The media is DRM protected; Downlink cannot download it, and retrying will not help.",
	ReasonFormatUnavailable:  "None of the media's formats could be downloaded (the requested format is not available).",
	ReasonMediaForbidden:     "The media server refused the download (HTTP 403 Forbidden).",
	ReasonUnsupportedURL:     "This address is not supported: yt-dlp has no extractor for it, or \"Other sites\" is switched off (Settings → General).",
	ReasonNetwork:            "A network error interrupted the download; retry later.",
	ReasonHostNotFound:       "The site's address could not be found (its host name does not resolve): check the link for a typo; if it is right, this server's DNS may be failing.",
	ReasonConnectionRefused:  "The site refused the connection before anything was downloaded: it may be down, or not serve on that address and port.",
	ReasonProxyFailed:        "The proxy set for this platform did not work (it refused or did not answer); an administrator can check the proxy in the platform's settings.",
	ReasonDiskFull:           "The server ran out of disk space.",
	ReasonBlockedDestination: "The download was blocked: the address leads to a destination Downlink does not allow.",
	ReasonCanceled:           "The download was canceled.",
	ReasonLive:               "This is a live stream; live streams are not downloaded unless an administrator allows them (Settings → Limits).",
	ReasonUnknown:            "yt-dlp failed.",
}

// rule maps error text to a reason. Rules are tried in order against every
// ERROR line; the first rule that matches any line wins, so the most
// specific and most actionable reasons come first.
type rule struct {
	reason Reason
	re     *regexp.Regexp
}

var rules = []rule{
	{ReasonDiskFull, regexp.MustCompile(`(?i)no space left on device|errno 28\b|disk quota exceeded|errno 122\b`)},
	{ReasonBlockedDestination, regexp.MustCompile(`(?i)` + regexp.QuoteMeta(EgressRefusedMarker) + `|tunnel connection failed: 403`)},
	// Before anything started: the proxy, the name, a refusal. Downlink's
	// egress proxy puts the cause in its status line (netguard.Fail*),
	// which yt-dlp repeats; a direct connection says it in errno words.
	{ReasonProxyFailed, regexp.MustCompile(`(?i)upstream proxy failed|proxy authentication required|HTTP Error 407`)},
	{ReasonHostNotFound, regexp.MustCompile(`(?i)could not resolve host|name or service not known|temporary failure in name resolution|nodename nor servname|no address associated with hostname|getaddrinfo failed|name does not resolve|failed to resolve`)},
	{ReasonConnectionRefused, regexp.MustCompile(`(?i)connection refused|errno 111\b|actively refused`)},
	{ReasonDRM, regexp.MustCompile(`(?i)\bDRM.protected|\bis DRM\b`)},
	{ReasonRateLimited, regexp.MustCompile(`(?i)content isn.?t available, try again later|rate.limited by youtube|HTTP Error 429|too many requests`)},
	{ReasonBotCheck, regexp.MustCompile(`(?i)confirm you.?re not a bot|confirm that you.?re not a bot`)},
	{ReasonGeoBlocked, regexp.MustCompile(`(?i)not available (in|from) your (country|location)|not made this video available in your country|geo.?restrict|blocked it in your country|available only in`)},
	{ReasonPrivate, regexp.MustCompile(`(?i)private video|this video is private|this (account|profile|playlist) is private|\bis private\b`)},
	{ReasonLoginRequired, regexp.MustCompile(`(?i)sign in to confirm your age|login required|log in to|requires? (authentication|login|an account)|use --cookies|account credentials|members.only|join this channel`)},
	{ReasonUnsupportedURL, regexp.MustCompile(`(?i)unsupported url|no suitable extractor|is not a valid url`)},
	{ReasonFormatUnavailable, regexp.MustCompile(`(?i)requested format is not available`)},
	{ReasonUnavailable, regexp.MustCompile(`(?i)video unavailable|not available|has been removed|no longer available|does not exist|HTTP Error 404|HTTP Error 410|\b404: not found|content.+not found|no video formats found|this live event will begin|premieres in`)},
	{ReasonMediaForbidden, regexp.MustCompile(`(?i)HTTP Error 403`)},
	{ReasonNetwork, regexp.MustCompile(`(?i)unable to download|connection (refused|reset|aborted)|timed? ?out|name or service not known|temporary failure in name resolution|network is unreachable|no route to host|HTTP Error 5[0-9][0-9]|ssl|certificate|remote end closed|incomplete ?read|transport ?error|got error: \d+ bytes read`)},
}

// classify turns a failed run into an ExitError from its ERROR lines.
func classify(code int, signal string, errorLines []string, stderr string) *ExitError {
	e := &ExitError{Code: code, Reason: ReasonUnknown, Stderr: stderr}
	for _, r := range rules {
		if matchesAny(r.re, errorLines) {
			e.Reason = r.reason
			break
		}
	}
	if e.Reason == ReasonUnknown && len(errorLines) == 0 && strings.Contains(stderr, "No space left on device") {
		e.Reason = ReasonDiskFull
	}
	// yt-dlp skips DRM-protected formats with a WARNING and then finds
	// none left: the warning is the cause.
	if (e.Reason == ReasonFormatUnavailable || e.Reason == ReasonUnavailable) && drmWarningRe.MatchString(stderr) {
		e.Reason = ReasonDRM
	}
	e.SafeMessage = safeMessages[e.Reason]
	switch {
	case e.Reason == ReasonBlockedDestination:
		if why := blockedReason(errorLines); why != "" {
			e.SafeMessage = strings.TrimSuffix(e.SafeMessage, ".") + " (" + why + ")."
		}
	case e.Reason == ReasonNetwork:
		if d := networkDetail(errorLines); d != "" {
			e.SafeMessage += " (" + d + ")"
		}
	case e.Reason == ReasonUnknown && len(errorLines) > 0:
		e.SafeMessage = "yt-dlp failed: " + sanitizeErrorLine(errorLines[len(errorLines)-1])
	case e.Reason == ReasonUnknown && signal != "":
		e.SafeMessage = "yt-dlp was stopped by a signal (" + signal + ")."
	case e.Reason == ReasonUnknown:
		e.SafeMessage = fmt.Sprintf("yt-dlp failed with exit code %d and no error message.", code)
	}
	return e
}

var drmWarningRe = regexp.MustCompile(`(?m)^WARNING: .*DRM protected`)

func matchesAny(re *regexp.Regexp, lines []string) bool {
	for _, l := range lines {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

// blockedReasonRe finds the proxy's one-word reason after the marker.
var blockedReasonRe = regexp.MustCompile(regexp.QuoteMeta(EgressRefusedMarker) + `: ([a-z][a-z-]{0,30})`)

// blockedReason returns the egress proxy's reason ("loopback", …), if any.
func blockedReason(lines []string) string {
	for _, l := range lines {
		if m := blockedReasonRe.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

var (
	httpStatusRe = regexp.MustCompile(`HTTP Error ([0-9]{3})`)
	errnoRe      = regexp.MustCompile(`(?i)connection reset|timed? ?out|network is unreachable|no route to host`)
)

// networkDetail names the kind of network failure without quoting the line.
func networkDetail(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if m := httpStatusRe.FindStringSubmatch(lines[i]); m != nil {
			return "HTTP " + m[1]
		}
		if m := errnoRe.FindString(lines[i]); m != "" {
			return strings.ToLower(m)
		}
	}
	return ""
}

var (
	urlRe      = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s'"<>()]+`)
	pathRe     = regexp.MustCompile(`(^|[\s'"(=:])(/[^\s'"]+)`)
	causedByRe = regexp.MustCompile(`\s*\(caused by .*$`)
	reportRe   = regexp.MustCompile(`(?i);?\s*please report this issue.*$`)
)

// maxSafeDetail bounds the quoted part of an unknown error.
const maxSafeDetail = 300

// sanitizeErrorLine shortens an ERROR line for a user: URLs become their
// host, paths become "…", yt-dlp's "caused by"/"please report" tails go.
func sanitizeErrorLine(line string) string {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "ERROR:"))
	s = causedByRe.ReplaceAllString(s, "")
	s = reportRe.ReplaceAllString(s, "")
	s = urlRe.ReplaceAllStringFunc(s, func(u string) string {
		rest := u[strings.Index(u, "://")+3:]
		host := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			host = rest[:i]
		}
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:] // drop user:password@
		}
		return "<" + host + ">"
	})
	s = pathRe.ReplaceAllString(s, "$1…")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return clip.String(strings.TrimSpace(s), maxSafeDetail)
}
