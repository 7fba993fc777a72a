package netguard

import (
	"strings"
	"testing"
)

// FuzzValidateURL: never panics, and whatever passes is an http(s) URL with
// a host or a spotify: URI, never option-like, never smuggling, never with
// credentials. Seeds live in testdata/fuzz/FuzzValidateURL.
func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"spotify:track:6rqhFgbbKwnb9MLmUQDhG6",
		"--exec=id",
		"http://0xa9fea9fe/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ValidateURL(raw)
		if err != nil {
			if u != nil {
				t.Fatalf("refusal came with a URL: %v", u)
			}
			return
		}
		switch {
		case u == nil:
			t.Fatal("nil URL without an error")
		case strings.HasPrefix(raw, "-") || strings.HasPrefix(u.String(), "-"):
			t.Fatalf("option-like input accepted: %q", raw)
		case len(raw) > MaxURLLength:
			t.Fatalf("over-long input accepted (%d bytes)", len(raw))
		case u.User != nil:
			t.Fatalf("userinfo accepted: %q", raw)
		case containsSmuggle(raw):
			t.Fatalf("smuggle accepted: %q", raw)
		case strings.ContainsAny(raw, " \t\r\n\x00\\"):
			t.Fatalf("whitespace, NUL or backslash accepted: %q", raw)
		}
		switch URLKind(u) {
		case KindWeb:
			if u.Hostname() == "" || u.Opaque != "" {
				t.Fatalf("web URL without a host accepted: %q", raw)
			}
		case KindSpotifyURI:
			if u.Scheme != "spotify" {
				t.Fatalf("spotify kind with scheme %q", u.Scheme)
			}
		default:
			t.Fatalf("accepted %q with scheme %q", raw, u.Scheme)
		}
		// ParseHost and Classify must cope with whatever host got through.
		if a, ok := ParseHost(u.Hostname()); ok {
			Classify(a)
		}
	})
}

// FuzzParseHost: never panics, and an accepted inet_aton form is IPv4.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "::ffff:1.2.3.4", "example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		a, ok := ParseHost(host)
		if !ok {
			return
		}
		if !a.IsValid() {
			t.Fatalf("ParseHost(%q) ok with an invalid address", host)
		}
		if !strings.Contains(host, ":") && !a.Is4() {
			t.Fatalf("ParseHost(%q) = %v, want IPv4", host, a)
		}
		Classify(a)
	})
}
