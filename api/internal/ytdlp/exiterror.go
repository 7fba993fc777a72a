package ytdlp

import (
	"fmt"
	"regexp"
	"strings"
)

// Reason says why a yt-dlp run failed, in terms a user can act on.
type Reason string

// Reasons a run fails for.
const (
	ReasonUnavailable        Reason = "unavailable"
	ReasonPrivate            Reason = "private"
	ReasonGeoBlocked         Reason = "geo_blocked"
	ReasonLoginRequired      Reason = "login_required"
	ReasonBotCheck           Reason = "bot_check"
	ReasonUnsupportedURL     Reason = "unsupported_url"
	ReasonNetwork            Reason = "network"
	ReasonDiskFull           Reason = "disk_full"
	ReasonBlockedDestination Reason = "blocked_destination"
	ReasonCanceled           Reason = "canceled"
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

	cause error // context.Canceled or DeadlineExceeded for ReasonCanceled
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
	ReasonUnsupportedURL:     "This address is not supported (no extractor recognises it, or generic sites are disabled).",
	ReasonNetwork:            "A network error interrupted the download; retry later.",
	ReasonDiskFull:           "The server ran out of disk space.",
	ReasonBlockedDestination: "The download was blocked: the address leads to a destination Downlink does not allow.",
	ReasonCanceled:           "The download was canceled.",
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
	{ReasonBotCheck, regexp.MustCompile(`(?i)confirm you.?re not a bot|confirm that you.?re not a bot`)},
	{ReasonGeoBlocked, regexp.MustCompile(`(?i)not available (in|from) your (country|location)|not made this video available in your country|geo.?restrict|blocked it in your country|available only in`)},
	{ReasonPrivate, regexp.MustCompile(`(?i)private video|this video is private|this (account|profile|playlist) is private|\bis private\b`)},
	{ReasonLoginRequired, regexp.MustCompile(`(?i)sign in to confirm your age|login required|log in to|requires? (authentication|login|an account)|use --cookies|account credentials|members.only|join this channel`)},
	{ReasonUnsupportedURL, regexp.MustCompile(`(?i)unsupported url|no suitable extractor|is not a valid url`)},
	{ReasonUnavailable, regexp.MustCompile(`(?i)video unavailable|not available|has been removed|no longer available|does not exist|HTTP Error 404|HTTP Error 410|\b404: not found|content.+not found|requested format is not available|no video formats found|this live event will begin|premieres in`)},
	{ReasonNetwork, regexp.MustCompile(`(?i)unable to download|connection (refused|reset|aborted)|timed? ?out|name or service not known|temporary failure in name resolution|network is unreachable|no route to host|HTTP Error (429|5[0-9][0-9])|ssl|certificate|remote end closed|incomplete ?read|transport ?error|got error: \d+ bytes read`)},
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
	errnoRe      = regexp.MustCompile(`(?i)connection refused|connection reset|timed? ?out|name or service not known|temporary failure in name resolution|network is unreachable|no route to host`)
)

// networkDetail names the kind of network failure without quoting the line.
func networkDetail(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if m := httpStatusRe.FindStringSubmatch(lines[i]); m != nil {
			if m[1] == "429" {
				return "HTTP 429: the site is rate limiting"
			}
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
	return truncate(strings.TrimSpace(s), maxSafeDetail)
}
