package platforms

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

const (
	youtubeWWW   = "www.youtube.com"
	youtubeMusic = "music.youtube.com"
)

// youtube: videos, shorts, playlists, channels, YouTube Music albums and
// artists.
var youtube = Descriptor{
	Name:        YouTube,
	Label:       "YouTube",
	Description: "youtube.com, youtu.be and YouTube Music.",
	Hosts: []string{"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
		"youtube-nocookie.com", "www.youtube-nocookie.com", "youtu.be"},
	Schemes: []string{},
	// YouTube lets a guest IP fetch roughly 300 videos an hour: one job at a
	// time, a few seconds apart.
	Defaults: Defaults{Enabled: true, Preset: ytdlp.PresetCompatible, AudioFormat: ytdlp.AudioMP3, MaxConcurrent: 1,
		StartInterval: 6 * time.Second},
	SessionCookies: []string{"SID", "HSID", "SSID", "APISID", "SAPISID", "__Secure-1PSID", "__Secure-3PSID",
		"LOGIN_INFO"},
	CookieDomains: []string{"youtube.com", "google.com"},
	detect:        detectYouTube,
}

// channelTabs are the channel pages that select what a channel download
// fetches; they are kept in the canonical URL. Other pages (about, …) are
// dropped.
var channelTabs = set("videos", "shorts", "streams", "live", "playlists", "featured", "releases", "podcasts")

func detectYouTube(u *url.URL, host string) Detection {
	return detectYouTubeDepth(u, host, 0)
}

func detectYouTubeDepth(u *url.URL, host string, depth int) Detection {
	q := u.Query()
	segs := segments(u.Path)
	list := q.Get("list")
	if host == "youtu.be" {
		if len(segs) == 1 && isVideoID(segs[0]) {
			return ytVideo(KindVideo, segs[0], list)
		}
		return unknown(YouTube, u)
	}
	if len(segs) == 0 {
		return unknown(YouTube, u)
	}
	first := strings.ToLower(segs[0])
	second := ""
	if len(segs) > 1 {
		second = segs[1]
	}
	switch first {
	case "watch":
		if v := q.Get("v"); isVideoID(v) {
			return ytVideo(KindVideo, v, list)
		}
		if isPlaylistID(list) {
			return ytPlaylist(list)
		}
	case "shorts":
		if isVideoID(second) {
			return ytVideo(KindShort, second, "")
		}
	case "live", "v", "e":
		if isVideoID(second) {
			return ytVideo(KindVideo, second, list)
		}
	case "embed":
		// "videoseries" happens to be eleven letters long: check it first.
		if (second == "" || second == "videoseries") && isPlaylistID(list) {
			return ytPlaylist(list)
		}
		if second != "videoseries" && isVideoID(second) {
			return ytVideo(KindVideo, second, list)
		}
	case "playlist":
		if isPlaylistID(list) {
			return ytPlaylist(list)
		}
	case "channel":
		if isChannelID(second) {
			return ytChannel(host, "channel/"+second, second, segs[2:])
		}
	case "c", "user":
		if isChannelName(second) {
			return ytChannel(host, first+"/"+second, second, segs[2:])
		}
	case "browse":
		if d, ok := ytBrowse(second); ok {
			return d
		}
	case "attribution_link":
		// Old share links carry the real path in u=.
		if inner, err := url.Parse(q.Get("u")); err == nil && depth == 0 && inner.Host == "" && inner.Scheme == "" {
			if d := detectYouTubeDepth(inner, youtubeWWW, depth+1); d.Kind != KindUnknown {
				return d
			}
		}
	default:
		if handle, ok := strings.CutPrefix(segs[0], "@"); ok && isHandle(handle) {
			return ytChannel(host, segs[0], segs[0], segs[1:])
		}
	}
	return unknown(YouTube, u)
}

// ytVideo names a video by its watch URL, a short by its /shorts/ URL so
// the canonical form keeps the kind. Both are the same ID to yt-dlp.
func ytVideo(kind Kind, id, list string) Detection {
	if kind == KindShort {
		return Detection{Platform: YouTube, Kind: kind, ID: id,
			Canonical: canonical(youtubeWWW, "/shorts/"+id, nil)}
	}
	d := Detection{Platform: YouTube, Kind: kind, ID: id,
		Canonical: canonical(youtubeWWW, "/watch", url.Values{"v": {id}})}
	if isPlaylistID(list) {
		d.PlaylistID = list
	}
	return d
}

func ytPlaylist(list string) Detection {
	kind := KindPlaylist
	if strings.HasPrefix(list, "OLAK5uy_") { // YouTube Music album playlists
		kind = KindAlbum
	}
	return Detection{Platform: YouTube, Kind: kind, ID: list,
		Canonical: canonical(youtubeWWW, "/playlist", url.Values{"list": {list}})}
}

// ytChannel keeps YouTube Music channels on music.youtube.com (the artist
// page: songs and albums) and the tab that picks what to download.
func ytChannel(host, path, id string, rest []string) Detection {
	if host != youtubeMusic {
		host = youtubeWWW
	}
	if len(rest) > 0 && channelTabs[strings.ToLower(rest[0])] {
		path += "/" + strings.ToLower(rest[0])
	}
	return Detection{Platform: YouTube, Kind: KindChannel, ID: id, Canonical: canonical(host, "/"+path, nil)}
}

// ytBrowse handles music.youtube.com/browse/…: MPREb… albums, VL… playlists
// and UC… channels.
func ytBrowse(id string) (Detection, bool) {
	switch {
	case strings.HasPrefix(id, "MPREb") && idChars(id) && len(id) <= 64:
		return Detection{Platform: YouTube, Kind: KindAlbum, ID: id,
			Canonical: canonical(youtubeMusic, "/browse/"+id, nil)}, true
	case strings.HasPrefix(id, "VL") && isPlaylistID(id[2:]):
		return ytPlaylist(id[2:]), true
	case isChannelID(id):
		return ytChannel(youtubeMusic, "channel/"+id, id, nil), true
	}
	return Detection{}, false
}

// isVideoID: eleven characters of the URL-safe base64 alphabet.
func isVideoID(s string) bool { return len(s) == 11 && idChars(s) }

// isPlaylistID: PL…, UU…, OLAK5uy_…, RD… mixes, and the two-letter WL/LL.
func isPlaylistID(s string) bool { return len(s) >= 2 && len(s) <= 80 && idChars(s) }

// isChannelID: UC followed by 22 characters.
func isChannelID(s string) bool { return len(s) == 24 && strings.HasPrefix(s, "UC") && idChars(s) }

// isChannelName covers legacy /c/ and /user/ names.
func isChannelName(s string) bool { return len(s) <= 100 && nameChars(s) }

// isHandle: YouTube handles are 3-30 characters, letters of any script
// included.
func isHandle(s string) bool {
	n := len([]rune(s))
	return n >= 3 && n <= 30 && nameChars(s)
}

func nameChars(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.' || unicode.IsMark(r)) {
			return false
		}
	}
	return true
}
