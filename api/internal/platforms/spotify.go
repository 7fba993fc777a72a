package platforms

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

const spotifyOpen = "open.spotify.com"

// spotify: tracks, albums and playlists, matched to audio on YouTube.
var spotify = Descriptor{
	Name:           Spotify,
	Label:          "Spotify",
	Description:    "Tracks, albums and playlists — with no setup — matched to audio on YouTube.",
	Hosts:          []string{"open.spotify.com", "play.spotify.com", "spotify.link"},
	Schemes:        []string{"spotify"},
	Defaults:       Defaults{Enabled: true, Preset: ytdlp.PresetAudio, AudioFormat: ytdlp.AudioMP3, MaxConcurrent: 2},
	SessionCookies: []string{"sp_dc", "sp_key"},
	CookieDomains:  []string{"spotify.com"},
	detect: func(u *url.URL, host string) Detection {
		switch host {
		case "":
			return detectSpotifyURI(u)
		case "spotify.link":
			return unknown(Spotify, u) // a share link; only following it says more
		}
		return detectSpotify(u)
	},
}

// spotifyKinds are the Spotify item types Downlink downloads (episodes and
// shows are not music and stay KindUnknown).
var spotifyKinds = map[string]Kind{
	"track":    KindTrack,
	"album":    KindAlbum,
	"playlist": KindPlaylist,
	"artist":   KindArtist,
}

// intlPrefix matches the locale segment Spotify puts in shared links
// (/intl-de/, /intl-pt/, /intl-es-419/…).
var intlPrefix = regexp.MustCompile(`^(?i)intl-[a-z]{2}(?:[-_][a-z0-9]{2,4})?$`)

func detectSpotify(u *url.URL) Detection {
	segs := segments(u.Path)
	if len(segs) > 0 && intlPrefix.MatchString(segs[0]) {
		segs = segs[1:]
	}
	if len(segs) > 0 && strings.EqualFold(segs[0], "embed") {
		segs = segs[1:]
	}
	// Legacy /user/{name}/playlist/{id}.
	if len(segs) >= 4 && strings.EqualFold(segs[0], "user") && strings.EqualFold(segs[2], "playlist") {
		segs = segs[2:]
	}
	if len(segs) >= 2 {
		if d, ok := spotifyItem(segs[0], segs[1]); ok {
			return d
		}
	}
	return unknown(Spotify, u)
}

// detectSpotifyURI handles spotify:track:ID and friends, including the
// legacy spotify:user:NAME:playlist:ID.
func detectSpotifyURI(u *url.URL) Detection {
	parts := strings.Split(u.Opaque, ":")
	if len(parts) == 4 && strings.EqualFold(parts[0], "user") && strings.EqualFold(parts[2], "playlist") {
		parts = parts[2:]
	}
	if len(parts) == 2 && u.RawQuery == "" && u.Fragment == "" {
		if d, ok := spotifyItem(parts[0], parts[1]); ok {
			return d
		}
	}
	return Detection{Platform: Spotify, Kind: KindUnknown, Canonical: u.String()}
}

func spotifyItem(typ, id string) (Detection, bool) {
	typ = strings.ToLower(typ)
	kind, ok := spotifyKinds[typ]
	if !ok || !IsSpotifyID(id) {
		return Detection{}, false
	}
	return Detection{Platform: Spotify, Kind: kind, ID: id,
		Canonical: canonical(spotifyOpen, "/"+typ+"/"+id, nil)}, true
}

// IsSpotifyID reports whether s is a Spotify ID: 22 base62 characters.
func IsSpotifyID(s string) bool {
	if len(s) != 22 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
