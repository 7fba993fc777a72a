// Package releasetest is a local stand-in for yt-dlp's GitHub releases,
// for tests: the release API (GET /repos/{owner}/{repo}/releases/latest and
// /releases/tags/{tag}, in GitHub's JSON shape) and the file downloads
// (/{owner}/{repo}/releases/download/{tag}/{file}, the asset names yt-dlp
// publishes), on 127.0.0.1.
//
// The builds it serves really run: Build makes a zipapp of the yt_dlp
// package the installed yt-dlp runs from, with the version a test chooses,
// runnable as a file (a shebang naming the installed yt-dlp's Python).
// SHA2-256SUMS is computed and signed with a test key (Key), which tests
// configure in place of yt-dlp's real one. Faults (a bad signature, a
// checksum mismatch, a truncated or hanging download, a file that does not
// run, no size in the JSON) are set per release.
package releasetest

import "testing"

// TB is what the stand-in needs of a test; a *testing.T has it all. The
// standin command (a stand-in to try the dashboard against) brings its
// own.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

var _ TB = (testing.TB)(nil)
