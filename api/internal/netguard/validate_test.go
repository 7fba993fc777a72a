package netguard

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/problem"
)

func TestValidateURLRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, want string // want: fragment of the field message
	}{
		{"empty", "", "required"},
		{"too long", "https://example.com/" + strings.Repeat("a", 100<<10), "too long"},
		{"just over the limit", "https://example.com/" + strings.Repeat("a", MaxURLLength-19), "too long"},
		{"exec option", "--exec=touch /tmp/pwned", "start with '-'"},
		{"exec option with url", "--exec=rm -rf ~ https://youtube.com/watch?v=x", "start with '-'"},
		{"batch file", "--batch-file=/etc/passwd", "start with '-'"},
		{"short option", "-o/etc/cron.d/x", "start with '-'"},
		{"file", "file:///etc/passwd", "Only http"},
		{"file host", "file://localhost/etc/passwd", "Only http"},
		{"ftp", "ftp://x", "Only http"},
		{"data", "data:text/html,<script>alert(1)</script>", "Only http"},
		{"javascript", "javascript:alert(1)", "Only http"},
		{"gopher", "gopher://127.0.0.1:25/_HELO", "Only http"},
		{"dict", "dict://127.0.0.1:11211/stat", "Only http"},
		{"ytsearch", "ytsearch:never gonna", "spaces"},
		{"ytsearch no space", "ytsearch10:rick", "Only http"},
		{"no scheme", "youtube.com/watch?v=dQw4w9WgXcQ", "must start with http"},
		{"scheme relative", "//youtube.com/watch?v=dQw4w9WgXcQ", "must start with http"},
		{"opaque http", "http:example.com", "must start with http"},
		{"no host", "http:///path", "no host"},
		{"smuggle fragment", "https://example.com/v#__youtubedl_smuggle=%7B%22http_headers%22%3A%7B%7D%7D", "smuggled"},
		{"smuggle upper", "https://example.com/v#__YOUTUBEDL_SMUGGLE={}", "smuggled"},
		{"smuggle encoded", "https://example.com/v#%5F%5Fyoutubedl%5Fsmuggle={}", "smuggled"},
		{"smuggle double encoded", "https://example.com/v#%255F%255Fyoutubedl_smuggle={}", "smuggled"},
		{"smuggle in query", "https://example.com/v?x=%23__youtubedl_smuggle%3D1", "smuggled"},
		{"smuggle mid fragment", "https://example.com/v#a__youtubedl_smugglez", "smuggled"},
		{"userinfo", "https://user:pass@example.com/", "user name"},
		{"user only", "https://user@example.com/", "user name"},
		{"userinfo trick", "https://open.spotify.com@evil.example/track/x", "user name"},
		{"space", "https://example.com/a b", "spaces"},
		{"leading space", " https://example.com/", "spaces"},
		{"newline", "https://example.com/\n--exec=id", "spaces"},
		{"tab", "https://example.com/\t", "spaces"},
		{"nul", "https://example.com/\x00", "spaces"},
		{"del", "https://example.com/\x7f", "spaces"},
		{"bidi override", "https://example.com/\u202egpj.exe", "spaces"},
		{"zero width", "https://you\u200btube.com/", "spaces"},
		{"nbsp", "https://example.com/\u00a0", "spaces"},
		{"invalid utf8", "https://example.com/\xff", "UTF-8"},
		{"backslash", "https://evil.example\\@youtube.com/", "backslashes"},
		{"percent host", "http://%6c%6fcalhost/", "percent-encoded"},
		{"bad port", "http://example.com:99999/", "port"},
		{"zero port", "http://example.com:0/", "port"},
		{"ipv6 zone", "http://[fe80::1%25eth0]/", "percent-encoded"},
		{"bad ipv6", "http://[not-ipv6]/", ""},
		{"bad host chars", "http://exa*mple.com/", ""},
		{"empty label", "http://example..com/", "host"},
		{"spotify garbage", "spotify:foo:bar", "Spotify URI"},
		{"spotify query", "spotify:track:6rqhFgbbKwnb9MLmUQDhG6?x=1", "Spotify URI"},
		{"spotify slashes", "spotify://track/6rqhFgbbKwnb9MLmUQDhG6", "Spotify URI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ValidateURL(tt.raw)
			if err == nil {
				t.Fatalf("ValidateURL(%.80q) = %v, want refusal", tt.raw, u)
			}
			var pr *problem.Problem
			if !errors.As(err, &pr) {
				t.Fatalf("error %T is not a *problem.Problem", err)
			}
			if pr.Status != http.StatusUnprocessableEntity || !errors.Is(err, problem.ErrValidation) {
				t.Errorf("status = %d, want 422 validation problem", pr.Status)
			}
			if len(pr.Errors) != 1 || pr.Errors[0].Field != "url" {
				t.Fatalf("field errors = %+v, want one for \"url\"", pr.Errors)
			}
			if !strings.Contains(pr.Errors[0].Message, tt.want) {
				t.Errorf("message = %q, want it to contain %q", pr.Errors[0].Message, tt.want)
			}
		})
	}
}

func TestValidateURLAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		kind Kind
	}{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", KindWeb},
		{"http://example.com", KindWeb},
		{"HTTPS://Example.COM./Path?q=1#t=10", KindWeb},
		{"https://youtu.be/dQw4w9WgXcQ?si=abc&t=42", KindWeb},
		{"https://example.com:8443/a/b", KindWeb},
		{"http://127.0.0.1:8080/video.mp4", KindWeb}, // shape only: the Guard decides about addresses
		{"http://[2001:db8::1]:8080/", KindWeb},
		{"https://例え.jp/パス", KindWeb},
		{"https://xn--r8jz45g.jp/", KindWeb},
		{"https://my_host.example.com/", KindWeb},
		{"https://example.com/a%20b", KindWeb},
		{"https://example.com/page#section-2", KindWeb},
		{"https://example.com/" + strings.Repeat("a", MaxURLLength-20), KindWeb},
		{"spotify:track:6rqhFgbbKwnb9MLmUQDhG6", KindSpotifyURI},
		{"spotify:album:1DFixLWuPkv3KT3TnV35m3", KindSpotifyURI},
		{"spotify:playlist:37i9dQZF1DXcBWIGoYBM5M", KindSpotifyURI},
		{"spotify:artist:0OdUWJ0sBjDrqHygGUXeCF", KindSpotifyURI},
		{"spotify:user:spotify:playlist:37i9dQZF1DXcBWIGoYBM5M", KindSpotifyURI},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := ValidateURL(tt.raw)
			if err != nil {
				t.Fatalf("ValidateURL(%q): %v", tt.raw, err)
			}
			if got := URLKind(u); got != tt.kind {
				t.Errorf("URLKind = %v, want %v", got, tt.kind)
			}
		})
	}
}

func TestContainsSmuggle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"https://example.com/100%25%20off?q=%2541", false},
		{"https://example.com/%zz%", false},
		{"https://example.com/%", false},
		{"https://example.com/#__youtubedl_smuggle", true},
		// Layer upon layer of encoding is refused rather than decoded forever.
		{"https://example.com/%" + strings.Repeat("25", 10) + "41", true},
	}
	for _, tt := range tests {
		if got := containsSmuggle(tt.s); got != tt.want {
			t.Errorf("containsSmuggle(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
