package ytdlp

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Realistic ERROR lines, as yt-dlp prints them.
func TestClassify(t *testing.T) {
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
		{"connection refused", `ERROR: [generic] x: Unable to download webpage: [Errno 111] Connection refused (caused by TransportError('[Errno 111] Connection refused'))`, ReasonNetwork},
		{"dns", `ERROR: [generic] x: Unable to download webpage: [Errno -2] Name or service not known (caused by TransportError('[Errno -2] Name or service not known'))`, ReasonNetwork},
		{"timeout", `ERROR: [youtube] abcdefghijk: Unable to download API page: The read operation timed out (caused by TransportError('The read operation timed out'))`, ReasonNetwork},
		{"503", `ERROR: unable to download video data: HTTP Error 503: Service Unavailable`, ReasonNetwork},
		{"429", `ERROR: [youtube] abcdefghijk: Unable to download webpage: HTTP Error 429: Too Many Requests (caused by <HTTPError 429: Too Many Requests>)`, ReasonNetwork},
		{"fragment", `ERROR: fragment 3 not found, unable to continue`, ReasonUnknown},
		{"disk full", `ERROR: unable to write data: [Errno 28] No space left on device`, ReasonDiskFull},
		{"disk full in postprocessing", `ERROR: Postprocessing: Conversion failed! [Errno 28] No space left on device`, ReasonDiskFull},
		{"quota", `ERROR: unable to open for writing: [Errno 122] Disk quota exceeded: '/data/tmp/jobs/j/part/j.mp4.part'`, ReasonDiskFull},
		{"egress CONNECT", `ERROR: [generic] x: Unable to download webpage: <urlopen error Tunnel connection failed: 403 blocked destination: link-local> (caused by ProxyError('<urlopen error Tunnel connection failed: 403 blocked destination: link-local>')); please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template. Confirm you are on the latest version using  yt-dlp -U`, ReasonBlockedDestination},
		{"egress forward", `ERROR: [generic] x: Unable to download webpage: HTTP Error 403: blocked destination: private (caused by <HTTPError 403: blocked destination: private>)`, ReasonBlockedDestination},
		{"CONNECT 403 from any proxy", `ERROR: [generic] x: Unable to download webpage: ('Unable to connect to proxy', OSError('Tunnel connection failed: 403 Forbidden')) (caused by ProxyError("('Unable to connect to proxy', OSError('Tunnel connection failed: 403 Forbidden'))"))`, ReasonBlockedDestination},
		{"site's own 403 is not the proxy", `ERROR: unable to download video data: HTTP Error 403: Forbidden`, ReasonNetwork},
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
	lines := []string{
		`ERROR: [generic] x: Unable to download webpage: HTTP Error 404: Not Found`,
		`ERROR: unable to write data: [Errno 28] No space left on device`,
	}
	if e := classify(1, "", lines, ""); e.Reason != ReasonDiskFull {
		t.Errorf("reason = %s, want disk_full", e.Reason)
	}
}

func TestClassifyWithoutErrorLines(t *testing.T) {
	if e := classify(-1, "killed", nil, ""); e.Reason != ReasonUnknown || !strings.Contains(e.SafeMessage, "killed") {
		t.Errorf("got %+v", e)
	}
	if e := classify(2, "", nil, "Usage: yt-dlp [OPTIONS] URL"); e.Reason != ReasonUnknown || !strings.Contains(e.SafeMessage, "exit code 2") {
		t.Errorf("got %+v", e)
	}
}

func TestSanitizeUnknownError(t *testing.T) {
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
	e := classify(1, "", []string{`ERROR: [generic] x: Unable to download webpage: HTTP Error 403: blocked destination: metadata (caused by <HTTPError 403: blocked destination: metadata>)`}, "")
	if e.Reason != ReasonBlockedDestination || !strings.HasSuffix(e.SafeMessage, "(metadata).") {
		t.Errorf("got %s %q", e.Reason, e.SafeMessage)
	}
}

func TestNetworkDetail(t *testing.T) {
	e := classify(1, "", []string{`ERROR: [youtube] x: Unable to download webpage: HTTP Error 429: Too Many Requests`}, "")
	if !strings.Contains(e.SafeMessage, "HTTP 429") {
		t.Errorf("got %q", e.SafeMessage)
	}
	e = classify(1, "", []string{`ERROR: [generic] x: Unable to download webpage: [Errno 111] Connection refused`}, "")
	if !strings.Contains(e.SafeMessage, "connection refused") {
		t.Errorf("got %q", e.SafeMessage)
	}
}

func TestExitErrorUnwrapsCancel(t *testing.T) {
	var err error = &ExitError{Reason: ReasonCanceled, cause: context.Canceled}
	if !errors.Is(err, context.Canceled) {
		t.Error("errors.Is(err, context.Canceled) = false")
	}
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Reason != ReasonCanceled {
		t.Error("errors.As failed")
	}
}
