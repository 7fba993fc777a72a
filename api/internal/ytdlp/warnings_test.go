package ytdlp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordedWarnings returns the WARNING lines of a recording (a quoting
// prefix such as "[ytdl_preload] " dropped).
func recordedWarnings(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "errors", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, "WARNING: "); i >= 0 {
			out = append(out, l[i:])
		}
	}
	return out
}

// The warnings that mean a worse result, on real 2025–2026 yt-dlp output.
func TestClassifyWarningRecorded(t *testing.T) {
	tests := []struct {
		file    string
		contain string
		want    string // "" for a warning that degrades nothing
	}{
		{"no_js_runtime_warnings_2025-2026.txt", "To silence this warning", DegradedNoJSRuntime},
		{"no_js_runtime_warnings_2025-2026.txt", "Only deno is enabled by default", DegradedNoJSRuntime},
		{"n_challenge_deno_error_ytdl-preload35_2026-03-19.txt", `Error solving n challenge request using "deno"`, DegradedChallengeFailed},
		{"n_challenge_deno_error_ytdl-preload35_2026-03-19.txt", "n challenge solving failed", DegradedChallengeFailed},
		{"n_challenge_failed_remote_components_aosc13626_2025-11-15.txt", "Remote components challenge solver script", DegradedChallengeFailed},
		{"n_challenge_failed_remote_components_aosc13626_2025-11-15.txt", "n challenge solving failed", DegradedChallengeFailed},
		{"n_challenge_sig_possibilities_issue15870_2026-02-07.txt", "found 0 sig function possibilities", DegradedChallengeFailed},
		{"drm_2025_and_older.txt", "only images are available", ""},
		{"sign_in_bot_2025-2026.txt", "falling back to title from initial data", ""},
		{"instagram_login_rate_limit_2025.txt", "General metadata extraction failed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.contain, func(t *testing.T) {
			var line string
			for _, l := range recordedWarnings(t, tt.file) {
				if strings.Contains(l, tt.contain) {
					line = l
					break
				}
			}
			if line == "" {
				t.Fatalf("no WARNING line with %q in %s", tt.contain, tt.file)
			}
			d, ok := ClassifyWarning(line)
			if d.Code != tt.want || ok != (tt.want != "") {
				t.Fatalf("%q: got %q, want %q", line, d.Code, tt.want)
			}
			if ok && (d.Message == "" || strings.Contains(d.Message, "http")) {
				t.Errorf("message %q", d.Message)
			}
		})
	}
	// yt-dlp 2026.10's own wordings (its YouTube extractor's source).
	for line, want := range map[string]string{
		"WARNING: [youtube] dQw4w9WgXcQ: ios client https formats require a GVS PO Token which was not provided. They will be skipped as they may yield HTTP Error 403.": DegradedPOTokenMissing,
		"WARNING: [youtube] dQw4w9WgXcQ: Some web client https formats have been skipped as they are missing a URL. YouTube is forcing SABR streaming for this client.":  DegradedFormatsMissing,
		`WARNING: [youtube] Skipping client "web_music" since it does not support cookies`:                                                                               DegradedClientFallback,
		"WARNING: [html5] page: Failed to download m3u8 information: HTTP Error 404: File not found":                                                                     DegradedFormatsMissing,
		"WARNING: [generic] Falling back on generic information extractor":                                                                                               "",
		"[youtube] dQw4w9WgXcQ: n challenge solving failed":                                                                                                              "",
	} {
		if d, _ := ClassifyWarning(line); d.Code != want {
			t.Errorf("%q: got %q, want %q", line, d.Code, want)
		}
	}
}
