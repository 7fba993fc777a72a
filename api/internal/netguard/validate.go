package netguard

import (
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/downlink/downlink/api/internal/problem"
)

// MaxURLLength is the longest URL ValidateURL accepts, in bytes.
const MaxURLLength = 4096

// Kind says what sort of URL ValidateURL accepted.
type Kind int

// Kinds of accepted URLs.
const (
	KindUnknown    Kind = iota
	KindWeb             // http or https, with a host
	KindSpotifyURI      // spotify:track:…, spotify:album:…, …
)

// URLKind returns the kind of a URL that ValidateURL accepted.
func URLKind(u *url.URL) Kind {
	switch {
	case u == nil:
		return KindUnknown
	case u.Scheme == "http" || u.Scheme == "https":
		return KindWeb
	case u.Scheme == "spotify" && u.Opaque != "":
		return KindSpotifyURI
	}
	return KindUnknown
}

// spotifyURI accepts spotify:<type>:<id> and the legacy
// spotify:user:<name>:playlist:<id>; platforms checks the ID itself.
var spotifyURI = regexp.MustCompile(`^(?:(?:track|album|playlist|artist|episode|show):[A-Za-z0-9]{1,64}|user:[A-Za-z0-9._-]{1,64}(?::playlist:[A-Za-z0-9]{1,64})?)$`)

// smuggleMarker is how yt-dlp passes data between its own extractors inside a
// URL (smuggle_url); from outside it can set arbitrary extractor options.
const smuggleMarker = "__youtubedl_smuggle"

// ValidateURL checks a submitted URL before anything else looks at it: only
// http(s) URLs with a host and spotify: URIs pass. Input that yt-dlp could
// read as an option, smuggled extractor data, credentials and odd characters
// are refused. Errors are 422 problems naming the "url" field.
//
// The input is used as given: callers trim surrounding whitespace first if
// they want to be lenient with pasted text. Hand yt-dlp the string that
// passed rather than u.String(), which percent-encodes non-ASCII host names.
func ValidateURL(raw string) (*url.URL, error) {
	if msg := checkRaw(raw); msg != "" {
		return nil, problem.Invalid("url", msg)
	}
	if strings.Contains(rawAuthority(raw), "%") {
		// url.Parse would decode it, so the host checked would not be the
		// host as written; nothing legitimate needs it.
		return nil, problem.Invalid("url", "The URL's host must not be percent-encoded.")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, problem.Invalid("url", "The URL is not valid.").WithCause(err)
	}
	switch u.Scheme {
	case "http", "https":
		if msg := checkWeb(u); msg != "" {
			return nil, problem.Invalid("url", msg)
		}
	case "spotify":
		if u.Opaque == "" || !spotifyURI.MatchString(u.Opaque) || u.RawQuery != "" || u.Fragment != "" {
			return nil, problem.Invalid("url", "The Spotify URI is not valid (expected spotify:track:ID, spotify:album:ID, spotify:playlist:ID or spotify:artist:ID).")
		}
	case "":
		return nil, problem.Invalid("url", "The URL must start with http:// or https://.")
	default:
		return nil, problem.Invalid("url", "Only http and https URLs (and spotify: URIs) are allowed.")
	}
	return u, nil
}

// checkRaw applies the rules that do not need a parsed URL.
func checkRaw(raw string) string {
	switch {
	case raw == "":
		return "A URL is required."
	case len(raw) > MaxURLLength:
		return "The URL is too long (at most " + strconv.Itoa(MaxURLLength) + " bytes)."
	case !utf8.ValidString(raw):
		return "The URL is not valid UTF-8."
	case strings.HasPrefix(raw, "-"):
		return "The URL must not start with '-'."
	case strings.ContainsRune(raw, '\\'):
		return "The URL must not contain backslashes."
	}
	for _, r := range raw {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "The URL must not contain spaces or control characters."
		}
	}
	if containsSmuggle(raw) {
		return "The URL carries smuggled yt-dlp data, which is not allowed."
	}
	return ""
}

// containsSmuggle looks for the smuggle marker anywhere in s, in any case and
// under any number of percent-encodings.
func containsSmuggle(s string) bool {
	for range 8 {
		if strings.Contains(strings.ToLower(s), smuggleMarker) {
			return true
		}
		d := percentDecode(s)
		if d == s {
			return false
		}
		s = d
	}
	return true // still decoding after 8 rounds: nobody writes URLs like that
}

// percentDecode decodes every valid %XX and leaves anything else as is, so a
// stray '%' cannot stop the smuggle check the way url.PathUnescape would.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := digitValue(s[i+1])
			lo, ok2 := digitValue(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(byte(hi<<4 | lo))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkWeb applies the rules for http(s) URLs.
func checkWeb(u *url.URL) string {
	switch {
	case u.Opaque != "":
		return "The URL must start with http:// or https://."
	case u.User != nil:
		return "The URL must not contain a user name or password."
	case u.Host == "":
		return "The URL has no host."
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "The URL's port is not valid."
		}
	}
	if !validHost(u) {
		return "The URL's host is not valid."
	}
	return ""
}

// rawAuthority returns the authority of an http(s) URL as written.
func rawAuthority(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// validHost accepts DNS names (IDN letters included), IPv4 literals and
// bracketed IPv6 literals without a zone.
func validHost(u *url.URL) bool {
	host := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(host)
		return err == nil && a.Is6() && a.Zone() == ""
	}
	name := strings.TrimSuffix(host, ".")
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			ok := r == '-' || r == '_' ||
				r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') ||
				r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r))
			if !ok {
				return false
			}
		}
	}
	return true
}
