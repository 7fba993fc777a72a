// Package platforms tells which platform a URL belongs to and what it points
// at (a video, a playlist, a Spotify album, an Instagram reel, …), with the
// item's ID and a canonical URL free of tracking parameters.
//
// Detection goes by exact host: a look-alike (youtube.com.evil.example,
// evilyoutube.com, open.spotify.com@evil.example, IDN homographs) is
// Generic, never the platform, so platform settings such as cookies are
// never handed to another site.
package platforms

import (
	"net/url"
	"slices"
	"strings"
)

// Platform names a site Downlink knows (the registry's entries, see
// All); every other site is Generic.
type Platform string

// Platform names.
const (
	YouTube   Platform = "youtube"
	Spotify   Platform = "spotify"
	Instagram Platform = "instagram"
	Generic   Platform = "generic"
)

// Kind says what a URL points at. The kinds a download records (the
// API's DownloadKind) are a subset: Download maps the others onto them.
type Kind string

// Kinds. Playlist is shared by YouTube and Spotify.
const (
	KindVideo    Kind = "video"
	KindAudio    Kind = "audio"
	KindShort    Kind = "short"
	KindPlaylist Kind = "playlist"
	KindChannel  Kind = "channel"
	KindTrack    Kind = "track"
	KindAlbum    Kind = "album"
	KindArtist   Kind = "artist"
	KindPost     Kind = "post"
	KindReel     Kind = "reel"
	KindTV       Kind = "tv"
	KindStory    Kind = "story"
	KindOther    Kind = "other"
	KindUnknown  Kind = "unknown"
)

// DownloadKinds are the kinds a download records, in the API's order.
var DownloadKinds = []Kind{KindVideo, KindAudio, KindTrack, KindAlbum, KindPlaylist, KindChannel, KindArtist,
	KindPost, KindReel, KindOther}

// Download is the kind a download of this URL records: shorts and
// Instagram TV are videos, stories and unknown pages other.
func (k Kind) Download() Kind {
	switch k {
	case KindShort, KindTV:
		return KindVideo
	case KindStory, KindUnknown, "":
		return KindOther
	}
	return k
}

// ParentKinds expand into one child download per item.
var ParentKinds = []Kind{KindPlaylist, KindChannel, KindAlbum, KindArtist}

// IsParent reports whether a download of this kind expands into one child
// per item (playlists, channels, albums, artists).
func (k Kind) IsParent() bool { return slices.Contains(ParentKinds, k) }

// Detection is what Detect found. For a known Kind, ID is the platform's
// identifier and Canonical the plain URL for it; for KindUnknown, ID is empty
// and Canonical is the URL as given.
type Detection struct {
	Platform  Platform
	Kind      Kind
	ID        string
	Canonical string

	// PlaylistID is the YouTube playlist a video was opened from
	// (watch?v=…&list=…); the video is what the URL means.
	PlaylistID string
}

// DownloadKind is the kind a download of the URL records: Kind.Download,
// or for a URL the platform does not recognise, what its pages usually
// are (a generic site's page is a video).
func (d Detection) DownloadKind() Kind {
	if d.Kind == KindUnknown {
		if p, ok := byName[d.Platform]; ok && p.UnknownKind != "" {
			return p.UnknownKind
		}
	}
	return d.Kind.Download()
}

// DetectString parses raw and detects it; input that does not parse is
// Generic and unknown.
func DetectString(raw string) Detection {
	u, err := url.Parse(raw)
	if err != nil {
		return Detection{Platform: Generic, Kind: KindUnknown}
	}
	return Detect(u)
}

// Detect classifies u. It never fails: what it does not recognise is
// Generic (another host) or KindUnknown (a known host, an unknown path).
func Detect(u *url.URL) Detection {
	if u == nil {
		return Detection{Platform: Generic, Kind: KindUnknown}
	}
	if d, ok := byScheme[strings.ToLower(u.Scheme)]; ok {
		return d.detect(u, "")
	}
	host, ok := platformHost(u)
	if !ok {
		return unknown(Generic, u)
	}
	if d, ok := byHost[host]; ok {
		return d.detect(u, host)
	}
	return unknown(Generic, u)
}

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

// platformHost returns u's host in the form the tables use (lower case, no
// trailing dot), or false when u cannot be a platform URL: not http(s),
// credentials in it, a non-default port, or non-ASCII letters (IDN
// homographs never match, and real platform hosts are ASCII).
func platformHost(u *url.URL) (string, bool) {
	if u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		return "", false
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return "", false
		}
	}
	return h, h != ""
}

// unknown is a URL Downlink passes on as given.
func unknown(p Platform, u *url.URL) Detection {
	return Detection{Platform: p, Kind: KindUnknown, Canonical: u.String()}
}

// segments splits a path into its non-empty parts.
func segments(path string) []string {
	var segs []string
	for s := range strings.SplitSeq(path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

// canonical builds https://host/path?query.
func canonical(host, path string, query url.Values) string {
	u := url.URL{Scheme: "https", Host: host, Path: path}
	if query != nil {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

// idChars reports whether s is 1+ characters of A-Z a-z 0-9 _ - (the
// alphabet of YouTube and Instagram IDs).
func idChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
