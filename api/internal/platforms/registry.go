package platforms

import (
	"net/url"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Descriptor is one platform as everything in Downlink sees it: its name
// (also its download queue and its settings key), how people call it, the
// hosts whose URLs are its own, and the settings it starts with. What a
// platform does at run time (Spotify matching, Instagram carousels) is its
// handler's, in platforms/handlers, keyed by the same name.
type Descriptor struct {
	Name Platform `json:"name"`
	// Label is how the dashboard names it.
	Label string `json:"label"`
	// Description says what it downloads (the settings page shows it).
	Description string `json:"description"`
	// Hosts are the exact hosts (lower case) whose URLs belong to it; a
	// look-alike never matches.
	Hosts []string `json:"hosts"`
	// Schemes are URI schemes that belong to it (spotify:track:…).
	Schemes []string `json:"schemes"`
	// Defaults are its settings until an admin changes them.
	Defaults Defaults `json:"-"`
	// UnknownKind is what a download of a URL it does not recognise
	// records ("": other).
	UnknownKind Kind `json:"-"`
	// SessionCookies are the cookies that keep a sign-in alive (their
	// expiry is watched), CookieDomains the domains its cookies are for.
	SessionCookies []string `json:"-"`
	CookieDomains  []string `json:"-"`

	// detect classifies a URL on one of Hosts (host "" for a URI of one of
	// Schemes).
	detect func(u *url.URL, host string) Detection
}

// Defaults are a platform's settings before an admin changes them.
type Defaults struct {
	Enabled       bool
	Preset        ytdlp.Preset
	AudioFormat   ytdlp.AudioFormat
	MaxConcurrent int
	// StartInterval is the least time between two job starts of the
	// platform on a node (pacing), so a long playlist spreads out instead
	// of spending the site's budget for guests in minutes; 0: none.
	StartInterval time.Duration
}

// registry is every platform, in the order the API and the dashboard list
// them. Adding a platform is a file like youtube.go with its Descriptor,
// one line here, and its name in openapi.yaml's Platform enum.
var registry = []Descriptor{youtube, spotify, instagram, generic}

// generic is every site yt-dlp knows that is not a platform of its own:
// off until an admin enables it.
var generic = Descriptor{
	Name:        Generic,
	Label:       "Other sites",
	Description: "Any other site yt-dlp supports.",
	Hosts:       []string{},
	Schemes:     []string{},
	Defaults:    Defaults{Enabled: false, Preset: ytdlp.PresetCompatible, AudioFormat: ytdlp.AudioMP3, MaxConcurrent: 2},
	UnknownKind: KindVideo,
}

var (
	byName   = map[Platform]Descriptor{}
	byHost   = map[string]Descriptor{}
	byScheme = map[string]Descriptor{}
)

func init() {
	for _, d := range registry {
		byName[d.Name] = d
		for _, h := range d.Hosts {
			byHost[h] = d
		}
		for _, s := range d.Schemes {
			byScheme[s] = d
		}
	}
}

// All returns every platform, in the registry's order.
func All() []Descriptor { return append([]Descriptor(nil), registry...) }

// Names returns every platform's name, in the registry's order.
func Names() []string {
	out := make([]string, len(registry))
	for i, d := range registry {
		out[i] = string(d.Name)
	}
	return out
}

// Lookup returns the platform called name.
func Lookup(name string) (Descriptor, bool) {
	d, ok := byName[Platform(name)]
	return d, ok
}

// Known reports whether name is a platform's.
func Known(name string) bool {
	_, ok := byName[Platform(name)]
	return ok
}

// List joins the names as prose: "youtube, spotify, instagram or generic".
func List(conj string) string {
	n := Names()
	if len(n) < 2 {
		return strings.Join(n, "")
	}
	return strings.Join(n[:len(n)-1], ", ") + " " + conj + " " + n[len(n)-1]
}

// Labels joins the labels of the named platforms (Generic left out) as
// prose: "YouTube, Spotify or Instagram".
func Labels(conj string) string {
	var l []string
	for _, d := range registry {
		if d.Name != Generic {
			l = append(l, d.Label)
		}
	}
	if len(l) < 2 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " " + conj + " " + l[len(l)-1]
}
