// Package spotifytest runs a local stand-in for the Spotify Web API (token
// endpoint, tracks, albums, playlists, artists, oEmbed) built from the
// recorded responses in shared/fixtures/spotify, plus synthetic items a test
// registers. It listens on 127.0.0.1 only.
package spotifytest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FixturesEnv names the environment variable that points at the shared
// fixtures folder (the one holding spotify/, ytmusic/, youtube/).
const FixturesEnv = "DOWNLINK_FIXTURES"

// FixturesDir finds the shared fixtures folder: $DOWNLINK_FIXTURES if set,
// else the first "shared/fixtures" found walking up from the working
// directory (the repo root sits next to shared/, and a test runs in its
// package folder).
func FixturesDir() (string, error) {
	if d := os.Getenv(FixturesEnv); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, nil
		}
		return "", errors.New("spotifytest: " + FixturesEnv + " does not name a folder: " + d)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		cand := filepath.Join(dir, "shared", "fixtures")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("spotifytest: no shared/fixtures above the working directory; set " + FixturesEnv)
		}
		dir = parent
	}
}

// MustFixturesDir is FixturesDir for tests: it fails the test when the
// folder cannot be found.
func MustFixturesDir(t testing.TB) string {
	t.Helper()
	d, err := FixturesDir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
