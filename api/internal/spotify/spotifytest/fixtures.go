// Package spotifytest runs a local stand-in for the Spotify Web API (token
// endpoint, tracks, albums, playlists, artists, the current user), the
// accounts service (authorize, token: client credentials, authorization
// code with PKCE, refresh) and the public embed pages, built from the
// recorded responses in testdata/recorded/spotify, plus synthetic items a
// test registers. It listens on 127.0.0.1 only.
package spotifytest

import (
	"embed"
	"io/fs"
	"testing"
)

// recorded holds the recorded Spotify, YouTube Music and YouTube responses
// (see testdata/recorded/SOURCE.md for where each came from and its
// license): part of the package, so a fresh clone's tests need nothing
// outside the repository.
//
//go:embed testdata/recorded
var recorded embed.FS

// Recorded returns the recorded responses: spotify/ (served by this
// stand-in), ytmusic/ and youtube/ (served by searchtest).
func Recorded() fs.FS {
	sub, err := fs.Sub(recorded, "testdata/recorded")
	if err != nil {
		panic(err) // the folder is embedded above
	}
	return sub
}

// ReadRecorded returns one recorded body by its path under
// testdata/recorded (e.g. "ytmusic/search_isrc_GB2LD2210007.json"),
// failing the test when there is none.
func ReadRecorded(t testing.TB, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(Recorded(), name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
