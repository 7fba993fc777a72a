package ytdlp

import (
	"regexp"
	"strings"
)

// Degradation is a yt-dlp warning that means a worse result: the run may
// succeed, but with fewer formats, a fallback client, or without YouTube's
// challenges solved. Downlink logs it at WARN, stores it on the download
// and counts it.
type Degradation struct {
	// Code is stable for programs (openapi.yaml DownloadWarningCode).
	Code string
	// Message is for people: what happened and what to do.
	Message string
	// Line is yt-dlp's warning, for the log only.
	Line string
}

// Degradation codes.
const (
	DegradedNoJSRuntime     = "no_js_runtime"
	DegradedChallengeFailed = "challenge_failed"
	DegradedPOTokenMissing  = "po_token_missing"
	DegradedFormatsMissing  = "formats_missing"
	DegradedClientFallback  = "client_fallback"
)

// maxDegradations bounds the warnings a run keeps (one per code).
const maxDegradations = 8

type degradationRule struct {
	code, message string
	re            *regexp.Regexp
}

// degradationRules are tried in order on every WARNING line; the first
// match names it. Wordings are yt-dlp 2025.11–2026.10's (see
// testdata/errors).
var degradationRules = []degradationRule{
	{DegradedNoJSRuntime, "yt-dlp found no JavaScript runtime, so YouTube's challenges were not solved and some formats may be missing. " +
		"See the YouTube challenge solver on the System page.",
		regexp.MustCompile(`(?i)no supported javascript runtime could be found`)},
	{DegradedChallengeFailed, "yt-dlp could not solve YouTube's JavaScript challenge (n or signature), so some formats may be missing. " +
		"Check the YouTube challenge solver on the System page; a newer yt-dlp often fixes this.",
		regexp.MustCompile(`(?i)\b(n|sig|signature) challenge solving failed|signature solving failed|\[jsc\] error solving|remote components challenge solver script`)},
	{DegradedPOTokenMissing, "YouTube wanted a PO token that was not provided, so formats of some player clients were skipped. " +
		"On a server IP, set up a PO-token provider (docs/youtube.md).",
		regexp.MustCompile(`(?i)require a (gvs |player )?po token which was not provided|unable to fetch (a )?(gvs |player )?po token`)},
	{DegradedFormatsMissing, "Some formats were skipped or could not be read, so the file may not be the best available.",
		regexp.MustCompile(`(?i)formats have been skipped|some formats may be missing|failed to (download|parse) (m3u8|mpd|dash manifest|hls|f4m|ism) (information|manifest)`)},
	{DegradedClientFallback, "yt-dlp fell back to another YouTube player client; formats or metadata may be missing.",
		regexp.MustCompile(`(?i)skipping (unsupported )?client|falling back to (the )?\S+ client|retrying with .{0,30}client`)},
}

// ClassifyWarning returns the degradation a yt-dlp WARNING line means, if
// any.
func ClassifyWarning(line string) (Degradation, bool) {
	if !strings.HasPrefix(line, "WARNING:") {
		return Degradation{}, false
	}
	for _, r := range degradationRules {
		if r.re.MatchString(line) {
			return Degradation{Code: r.code, Message: r.message, Line: line}, true
		}
	}
	return Degradation{}, false
}
