package spotify

import (
	"net/url"
	"regexp"
	"strings"
)

// idPattern: Spotify ids are 22 base-62 characters.
var idPattern = regexp.MustCompile(`^[0-9A-Za-z]{22}$`)

// ParseURL recognises open.spotify.com links (with or without an
// /intl-xx/ or /embed/ prefix and ?si= tracking) and spotify: URIs, and
// returns what they point at. Short links (spotify.link) are not followed:
// they redirect through a web page and are refused with ErrInvalidURL.
func ParseURL(raw string) (Kind, string, error) {
	raw = strings.TrimSpace(raw)
	var parts []string
	if rest, ok := strings.CutPrefix(raw, "spotify:"); ok {
		parts = strings.Split(rest, ":")
	} else {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return "", "", ErrInvalidURL.WithDetail("expected an open.spotify.com link or a spotify: URI")
		}
		host := strings.ToLower(u.Hostname())
		if host != "open.spotify.com" && host != "play.spotify.com" {
			return "", "", ErrInvalidURL.WithDetail("expected an open.spotify.com link or a spotify: URI")
		}
		parts = strings.Split(strings.Trim(u.Path, "/"), "/")
	}
	// Drop prefixes: intl-de, embed, user/<name> (old playlist links).
	for len(parts) > 2 {
		switch {
		case strings.HasPrefix(parts[0], "intl-"), parts[0] == "embed":
			parts = parts[1:]
		case parts[0] == "user" && len(parts) >= 4:
			parts = parts[2:]
		default:
			return "", "", ErrInvalidURL.WithDetail("unrecognised Spotify link path")
		}
	}
	if len(parts) != 2 {
		return "", "", ErrInvalidURL.WithDetail("unrecognised Spotify link path")
	}
	kind, id := Kind(parts[0]), parts[1]
	switch kind {
	case KindTrack, KindAlbum, KindPlaylist, KindArtist:
	default:
		return "", "", ErrInvalidURL.WithDetail("Spotify %q links are not supported", parts[0])
	}
	if !idPattern.MatchString(id) {
		return "", "", ErrInvalidURL.WithDetail("malformed Spotify id")
	}
	return kind, id, nil
}

// OpenURL returns the canonical open.spotify.com link of an item.
func OpenURL(kind Kind, id string) string {
	return "https://open.spotify.com/" + string(kind) + "/" + id
}
