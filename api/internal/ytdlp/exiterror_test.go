package ytdlp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Realistic ERROR lines, as yt-dlp prints them.
func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		want Reason
	}{
		{"youtube unavailable", `ERROR: [youtube] dQw4w9WgXcQ: Video unavailable`, ReasonUnavailable},
		{"youtube terminated", `ERROR: [youtube] abcdefghijk: Video unavailable. This video is no longer available because the YouTube account associated with this video has been terminated.`, ReasonUnavailable},
		{"removed by uploader", `ERROR: [youtube] abcdefghijk: Video unavailable. This video has been removed by the uploader`, ReasonUnavailable},
		{"generic 404", `ERROR: [generic] missing: Unable to download webpage: HTTP Error 404: Not Found (caused by <HTTPError 404: Not Found>)`, ReasonUnavailable},
		{"direct 410", `ERROR: unable to download video data: HTTP Error 410: Gone`, ReasonUnavailable},
		{"no formats", `ERROR: [vimeo] 123456: No video formats found!; please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template.`, ReasonUnavailable},
		{"private video", `ERROR: [youtube] abcdefghijk: Private video. Sign in if you've been granted access to this video. Use --cookies-from-browser or --cookies for the authentication. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually pass cookies. Also see  https://github.com/yt-dlp/yt-dlp/wiki/Extractors#exporting-youtube-cookies  for tips on effectively exporting YouTube cookies`, ReasonPrivate},
		{"instagram private account", `ERROR: [instagram:user] someone: This account is private`, ReasonPrivate},
		{"geo youtube", `ERROR: [youtube] abcdefghijk: Video unavailable. The uploader has not made this video available in your country`, ReasonGeoBlocked},
		{"geo generic", `ERROR: [BBC] p0abc: This video is not available from your location due to geo restriction`, ReasonGeoBlocked},
		{"geo blocked it", `ERROR: [youtube] abcdefghijk: Video unavailable. This video contains content from SME, who has blocked it in your country on copyright grounds`, ReasonGeoBlocked},
		{"age gate", `ERROR: [youtube] abcdefghijk: Sign in to confirm your age. This video may be inappropriate for some users. Use --cookies-from-browser or --cookies for the authentication.`, ReasonLoginRequired},
		{"instagram login", `ERROR: [Instagram] C1a2b3c4d5: Requested content is not available, rate-limit reached or login required. Use --cookies, --cookies-from-browser, --username and --password, --netrc-cmd, or --netrc (instagram) to provide account credentials. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually pass cookies`, ReasonLoginRequired},
		{"members only", `ERROR: [youtube] abcdefghijk: Join this channel to get access to members-only content like this video, and other exclusive perks.`, ReasonLoginRequired},
		{"bot check curly apostrophe", `ERROR: [youtube] dQw4w9WgXcQ: Sign in to confirm you’re not a bot. Use --cookies-from-browser or --cookies for the authentication. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually pass cookies.`, ReasonBotCheck},
		{"bot check straight apostrophe", `ERROR: [youtube] dQw4w9WgXcQ: Sign in to confirm you're not a bot. This helps protect our community. Learn more`, ReasonBotCheck},
		{"unsupported", `ERROR: Unsupported URL: https://example.com/about`, ReasonUnsupportedURL},
		{"generic disabled", `ERROR: No suitable extractor found for URL http://127.0.0.1:18765/video.mp4`, ReasonUnsupportedURL},
		// Before anything started: not a "network error" (issue 19).
		{"connection refused", `ERROR: [generic] x: Unable to download webpage: [Errno 111] Connection refused (caused by TransportError('[Errno 111] Connection refused'))`, ReasonConnectionRefused},
		{"dns", `ERROR: [generic] x: Unable to download webpage: [Errno -2] Name or service not known (caused by TransportError('[Errno -2] Name or service not known'))`, ReasonHostNotFound},
		{"dns through the egress proxy, https", `ERROR: [generic] x: Unable to download webpage: ('Unable to connect to proxy', OSError('Tunnel connection failed: 502 could not resolve host')) (caused by ProxyError("('Unable to connect to proxy', OSError('Tunnel connection failed: 502 could not resolve host'))"))`, ReasonHostNotFound},
		{"dns through the egress proxy, http", `ERROR: [generic] x: Unable to download webpage: HTTP Error 502: could not resolve host (caused by <HTTPError 502: could not resolve host>)`, ReasonHostNotFound},
		{"refused through the egress proxy", `ERROR: [generic] x: Unable to download webpage: ('Unable to connect to proxy', OSError('Tunnel connection failed: 502 connection refused'))`, ReasonConnectionRefused},
		{"upstream proxy down", `ERROR: [generic] x: Unable to download webpage: ('Unable to connect to proxy', OSError('Tunnel connection failed: 502 upstream proxy failed'))`, ReasonProxyFailed},
		{"egress 502 for another cause stays network", `ERROR: [generic] x: Unable to download webpage: HTTP Error 502: bad gateway`, ReasonNetwork},
		{"timeout", `ERROR: [youtube] abcdefghijk: Unable to download API page: The read operation timed out (caused by TransportError('The read operation timed out'))`, ReasonNetwork},
		{"503", `ERROR: unable to download video data: HTTP Error 503: Service Unavailable`, ReasonNetwork},
		{"429", `ERROR: [youtube] abcdefghijk: Unable to download webpage: HTTP Error 429: Too Many Requests (caused by <HTTPError 429: Too Many Requests>)`, ReasonRateLimited},
		{"fragment", `ERROR: fragment 3 not found, unable to continue`, ReasonUnknown},
		{"disk full", `ERROR: unable to write data: [Errno 28] No space left on device`, ReasonDiskFull},
		{"disk full in postprocessing", `ERROR: Postprocessing: Conversion failed! [Errno 28] No space left on device`, ReasonDiskFull},
		{"quota", `ERROR: unable to open for writing: [Errno 122] Disk quota exceeded: '/data/tmp/jobs/j/part/j.mp4.part'`, ReasonDiskFull},
		{"egress CONNECT", `ERROR: [generic] x: Unable to download webpage: <urlopen error Tunnel connection failed: 403 blocked destination: link-local> (caused by ProxyError('<urlopen error Tunnel connection failed: 403 blocked destination: link-local>')); please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template. Confirm you are on the latest version using  yt-dlp -U`, ReasonBlockedDestination},
		{"egress forward", `ERROR: [generic] x: Unable to download webpage: HTTP Error 403: blocked destination: private (caused by <HTTPError 403: blocked destination: private>)`, ReasonBlockedDestination},
		{"CONNECT 403 from any proxy", `ERROR: [generic] x: Unable to download webpage: ('Unable to connect to proxy', OSError('Tunnel connection failed: 403 Forbidden')) (caused by ProxyError("('Unable to connect to proxy', OSError('Tunnel connection failed: 403 Forbidden'))"))`, ReasonBlockedDestination},
		{"site's own 403 is not the proxy", `ERROR: unable to download video data: HTTP Error 403: Forbidden`, ReasonMediaForbidden},
		{"postprocessing", `ERROR: Postprocessing: audio conversion failed: Error opening output files: Invalid argument`, ReasonUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := classify(1, "", []string{tt.line}, "stderr tail")
			if e.Reason != tt.want {
				t.Fatalf("reason = %s, want %s for %q", e.Reason, tt.want, tt.line)
			}
			if e.Code != 1 || e.Stderr != "stderr tail" || e.SafeMessage == "" {
				t.Errorf("ExitError = %+v", e)
			}
			checkSafe(t, e.SafeMessage)
		})
	}
}

// checkSafe fails when a user-facing message leaks a path, a URL or
// credentials.
func checkSafe(t *testing.T, msg string) {
	t.Helper()
	for _, bad := range []string{"://", "/data/", "/tmp/", "/home/", "password", "secret", "caused by", "please report"} {
		if strings.Contains(msg, bad) {
			t.Errorf("safe message %q contains %q", msg, bad)
		}
	}
}

func TestClassifyPicksMostSpecificLine(t *testing.T) {
	t.Parallel()
	lines := []string{
		`ERROR: [generic] x: Unable to download webpage: HTTP Error 404: Not Found`,
		`ERROR: unable to write data: [Errno 28] No space left on device`,
	}
	if e := classify(1, "", lines, ""); e.Reason != ReasonDiskFull {
		t.Errorf("reason = %s, want disk_full", e.Reason)
	}
}

func TestClassifyWithoutErrorLines(t *testing.T) {
	t.Parallel()
	if e := classify(-1, "killed", nil, ""); e.Reason != ReasonUnknown || !strings.Contains(e.SafeMessage, "killed") {
		t.Errorf("got %+v", e)
	}
	if e := classify(2, "", nil, "Usage: yt-dlp [OPTIONS] URL"); e.Reason != ReasonUnknown || !strings.Contains(e.SafeMessage, "exit code 2") {
		t.Errorf("got %+v", e)
	}
}

func TestSanitizeUnknownError(t *testing.T) {
	t.Parallel()
	line := `ERROR: [vendor] 42: Weird failure fetching https://user:hunter2@cdn.example.com/a/b?token=abc for /data/library/u1/secret.mp4 (caused by Exception('x')); please report this issue on https://github.com/yt-dlp/yt-dlp/issues`
	e := classify(1, "", []string{line}, "")
	if e.Reason != ReasonUnknown {
		t.Fatalf("reason %s", e.Reason)
	}
	want := "yt-dlp failed: [vendor] 42: Weird failure fetching <cdn.example.com> for …"
	if e.SafeMessage != want {
		t.Errorf("safe message\n got %q\nwant %q", e.SafeMessage, want)
	}
	checkSafe(t, e.SafeMessage)
	if strings.Contains(e.Error(), "hunter2") || strings.Contains(e.Error(), "token") {
		t.Errorf("Error() leaks: %s", e.Error())
	}
}

func TestBlockedReasonInMessage(t *testing.T) {
	t.Parallel()
	e := classify(1, "", []string{`ERROR: [generic] x: Unable to download webpage: HTTP Error 403: blocked destination: metadata (caused by <HTTPError 403: blocked destination: metadata>)`}, "")
	if e.Reason != ReasonBlockedDestination || !strings.HasSuffix(e.SafeMessage, "(metadata).") {
		t.Errorf("got %s %q", e.Reason, e.SafeMessage)
	}
}

func TestNetworkDetail(t *testing.T) {
	t.Parallel()
	e := classify(1, "", []string{`ERROR: [youtube] x: Unable to download webpage: HTTP Error 429: Too Many Requests`}, "")
	if e.Reason != ReasonRateLimited || !strings.Contains(e.SafeMessage, "rate limiting") {
		t.Errorf("got %s %q", e.Reason, e.SafeMessage)
	}
	e = classify(1, "", []string{`ERROR: [generic] x: Unable to download webpage: [Errno 104] Connection reset by peer`}, "")
	if !strings.Contains(e.SafeMessage, "connection reset") {
		t.Errorf("got %q", e.SafeMessage)
	}
	for _, line := range []string{
		`ERROR: [generic] x: Unable to download webpage: [Errno 111] Connection refused`,
		`ERROR: [generic] x: Unable to download webpage: [Errno -3] Temporary failure in name resolution`,
		`ERROR: [generic] x: Unable to download webpage: HTTP Error 502: upstream proxy failed`,
	} {
		if e := classify(1, "", []string{line}, ""); strings.Contains(strings.ToLower(e.SafeMessage), "network error") {
			t.Errorf("%q reads %q: a failure before anything started is not a network error", line, e.SafeMessage)
		}
	}
}

func TestExitErrorUnwrapsCancel(t *testing.T) {
	t.Parallel()
	var err error = &ExitError{Reason: ReasonCanceled, cause: context.Canceled}
	if !errors.Is(err, context.Canceled) {
		t.Error("errors.Is(err, context.Canceled) = false")
	}
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Reason != ReasonCanceled {
		t.Error("errors.As failed")
	}
}

// recordedErrors returns every ERROR line of a recording in
// testdata/errors, as yt-dlp printed it (a quoting prefix such as
// "DownloadError: " or "Stderr: " dropped; Python's escaped bytes decoded).
func recordedErrors(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "errors", name))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), `\xe2\x80\x99`, "’")
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, "ERROR: "); i >= 0 {
			l = l[i:]
			l, _, _ = strings.Cut(l, `\n`)
			out = append(out, l)
		}
	}
	return out
}

// The reason table on real yt-dlp output quoted in 2022–2026 issues.
func TestClassifyRecorded(t *testing.T) {
	tests := []struct {
		file    string
		contain string // picks the ERROR line
		want    Reason
	}{
		{"rate_limited_content_unavailable_2025-2026.txt", "Your account has been rate-limited", ReasonRateLimited},
		{"rate_limited_content_unavailable_2025-2026.txt", "isn’t available.", ReasonUnavailable},
		{"rate_limited_content_unavailable_2025-2026.txt", "HTTP Error 403: Forbidden", ReasonMediaForbidden},
		{"sign_in_bot_2025-2026.txt", "HcOc7P5BMi4", ReasonBotCheck},
		{"sign_in_bot_2025-2026.txt", "5i4ViUKFNLA", ReasonBotCheck},
		{"sign_in_bot_2025-2026.txt", "tpUr8xVxj-w", ReasonBotCheck},
		{"drm_2025_and_older.txt", "DRM protected", ReasonDRM},
		{"http403_media_issue15727_2026.txt", "HTTP Error 403", ReasonMediaForbidden},
		{"instagram_login_rate_limit_2025.txt", "DS2wGuCEfg1", ReasonLoginRequired},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.contain, func(t *testing.T) {
			var line string
			for _, l := range recordedErrors(t, tt.file) {
				if strings.Contains(l, tt.contain) {
					line = l
					break
				}
			}
			if line == "" {
				t.Fatalf("no ERROR line with %q in %s", tt.contain, tt.file)
			}
			e := classify(1, "", []string{line}, line)
			if e.Reason != tt.want {
				t.Fatalf("reason = %s, want %s for %q", e.Reason, tt.want, line)
			}
			checkSafe(t, e.SafeMessage)
		})
	}
	// The DRM warning before a "no format" error names the cause.
	stderr := "WARNING: [youtube] wcb8RhEkyoo: Some web client https formats have been skipped as they are DRM protected. The current session may have an experiment that applies DRM to all videos on the tv client.\n" +
		"ERROR: [youtube] wcb8RhEkyoo: Requested format is not available. Use --list-formats for a list of available formats\n"
	if e := classify(1, "", []string{strings.Split(stderr, "\n")[1]}, stderr); e.Reason != ReasonDRM {
		t.Errorf("DRM warning then no format: %s", e.Reason)
	}
	if e := classify(1, "", []string{"ERROR: [youtube] abcdefghijk: Requested format is not available. Use --list-formats for a list of available formats"}, ""); e.Reason != ReasonFormatUnavailable {
		t.Errorf("requested format: %s", e.Reason)
	}
}

// TestTechnicalDetails: the tail of stderr a failed download shows, with
// no server paths, no query strings and no credentials.
func TestTechnicalDetails(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "[generic] line %d\n", i)
	}
	b.WriteString("[debug] Command-line config: secret\n")
	b.WriteString("WARNING: [generic] Falling back on generic information extractor\n")
	b.WriteString("ERROR: [generic] x: Unable to download webpage: https://user:pw@media.example.org/v.mp4?token=abc (caused by X); please report this issue\n")
	b.WriteString("ERROR: unable to open for writing: '/var/lib/downlink/tmp/jobs/j/part/x.part'\n")
	got := TechnicalDetails(b.String())
	lines := strings.Split(got, "\n")
	if len(lines) != maxDetailLines {
		t.Fatalf("%d lines, want the last %d:\n%s", len(lines), maxDetailLines, got)
	}
	if !strings.HasPrefix(lines[len(lines)-2], "ERROR: ") || !strings.Contains(lines[len(lines)-2], "<media.example.org>") {
		t.Errorf("error line %q", lines[len(lines)-2])
	}
	if !strings.HasPrefix(lines[len(lines)-3], "WARNING: ") {
		t.Errorf("warning line %q", lines[len(lines)-3])
	}
	for _, secret := range []string{"token=abc", "pw@", "/var/lib/downlink", "[debug]", "please report"} {
		if strings.Contains(got, secret) {
			t.Errorf("details contain %q:\n%s", secret, got)
		}
	}
	if TechnicalDetails("\n\n") != "" {
		t.Error("details of an empty stderr")
	}
}
