package platforms

import (
	"net/url"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

const instagramWWW = "www.instagram.com"

// instagram: posts (carousels of photos and videos), reels, stories.
var instagram = Descriptor{
	Name:        Instagram,
	Label:       "Instagram",
	Description: "Posts (every photo and video of a carousel), reels and stories; cookies of a signed-in account avoid Instagram's limits.",
	Hosts:       []string{"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am", "www.instagr.am"},
	Schemes:     []string{},
	// Instagram sends a server to its login page after a few requests.
	Defaults: Defaults{Enabled: true, Preset: ytdlp.PresetCompatible, AudioFormat: ytdlp.AudioMP3, MaxConcurrent: 1,
		StartInterval: 20 * time.Second},
	SessionCookies: []string{"sessionid", "ds_user_id"},
	CookieDomains:  []string{"instagram.com"},
	detect:         func(u *url.URL, _ string) Detection { return detectInstagram(u) },
}

// instagramMedia maps the path word before a shortcode to its kind.
var instagramMedia = map[string]Kind{
	"p":     KindPost,
	"reel":  KindReel,
	"reels": KindReel,
	"tv":    KindTV,
}

// instagramReserved are first path words that are pages, not user names.
var instagramReserved = set("explore", "accounts", "direct", "stories", "about", "legal",
	"developer", "web", "share", "s", "reels", "p", "reel", "tv", "audio")

func detectInstagram(u *url.URL) Detection {
	segs := segments(u.Path)
	if len(segs) >= 2 {
		if kind, ok := instagramMedia[strings.ToLower(segs[0])]; ok {
			return igMedia(u, kind, segs[1])
		}
		// /{user}/p/{shortcode}/ and /{user}/reel/{shortcode}/
		if len(segs) >= 3 && !instagramReserved[strings.ToLower(segs[0])] && isInstagramUser(segs[0]) {
			if kind, ok := instagramMedia[strings.ToLower(segs[1])]; ok {
				return igMedia(u, kind, segs[2])
			}
		}
	}
	if len(segs) >= 2 && strings.EqualFold(segs[0], "stories") {
		return igStory(u, segs[1:])
	}
	return unknown(Instagram, u)
}

func igMedia(u *url.URL, kind Kind, code string) Detection {
	if !isShortcode(code) || strings.EqualFold(code, "audio") { // /reels/audio/… is a sound page
		return unknown(Instagram, u)
	}
	word := map[Kind]string{KindPost: "p", KindReel: "reel", KindTV: "tv"}[kind]
	return Detection{Platform: Instagram, Kind: kind, ID: code,
		Canonical: canonical(instagramWWW, "/"+word+"/"+code+"/", nil)}
}

// igStory handles /stories/{user}/{id}/, /stories/{user}/ and
// /stories/highlights/{id}/.
func igStory(u *url.URL, rest []string) Detection {
	owner := rest[0]
	switch {
	case strings.EqualFold(owner, "highlights"):
		if len(rest) >= 2 && isNumeric(rest[1]) {
			return Detection{Platform: Instagram, Kind: KindStory, ID: rest[1],
				Canonical: canonical(instagramWWW, "/stories/highlights/"+rest[1]+"/", nil)}
		}
	case !isInstagramUser(owner):
	case len(rest) >= 2 && isNumeric(rest[1]):
		return Detection{Platform: Instagram, Kind: KindStory, ID: rest[1],
			Canonical: canonical(instagramWWW, "/stories/"+owner+"/"+rest[1]+"/", nil)}
	case len(rest) == 1:
		return Detection{Platform: Instagram, Kind: KindStory, ID: owner,
			Canonical: canonical(instagramWWW, "/stories/"+owner+"/", nil)}
	}
	return unknown(Instagram, u)
}

// isShortcode: Instagram media codes use the URL-safe base64 alphabet;
// public ones are 11 characters, private ones longer.
func isShortcode(s string) bool { return len(s) >= 5 && len(s) <= 64 && idChars(s) }

// isInstagramUser: 1-30 of a-z 0-9 . _ (any case in URLs).
func isInstagramUser(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func isNumeric(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
