package spotify

import (
	"regexp"
	"strings"

	"github.com/downlink/downlink/api/internal/platforms"
)

// idPattern: Spotify ids are 22 base-62 characters.
var idPattern = regexp.MustCompile(`^[0-9A-Za-z]{22}$`)

// ParseURL says what a Spotify link or spotify: URI points at, as the
// platform registry reads it (platforms.Detect: /intl-xx/ and /embed/
// prefixes, ?si= tracking, legacy user playlists). Short links
// (spotify.link) are not followed: they redirect through a web page and are
// refused with ErrInvalidURL, as are episodes, shows and other sites.
func ParseURL(raw string) (Kind, string, error) {
	d := platforms.DetectString(strings.TrimSpace(raw))
	if d.Platform != platforms.Spotify {
		return "", "", ErrInvalidURL.WithDetail("expected an open.spotify.com link or a spotify: URI")
	}
	switch d.Kind {
	case KindTrack, KindAlbum, KindPlaylist, KindArtist:
		return d.Kind, d.ID, nil
	}
	return "", "", ErrInvalidURL.WithDetail("unrecognised Spotify link: only tracks, albums, playlists and artists")
}

// OpenURL returns the canonical open.spotify.com link of an item.
func OpenURL(kind Kind, id string) string {
	return "https://open.spotify.com/" + string(kind) + "/" + id
}
