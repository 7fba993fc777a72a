package platforms

import (
	"net/url"
	"testing"
)

// detectCase is one row of the detection tables: the URL and what Detect
// must say. Canonical "" means "the URL as given" for unknown kinds.
type detectCase struct {
	raw        string
	platform   Platform
	kind       Kind
	id         string
	canonical  string
	playlistID string
}

func runDetectCases(t *testing.T, cases []detectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			got := DetectString(tc.raw)
			want := Detection{Platform: tc.platform, Kind: tc.kind, ID: tc.id, Canonical: tc.canonical, PlaylistID: tc.playlistID}
			if tc.kind == KindUnknown && tc.canonical == "" {
				if u, err := url.Parse(tc.raw); err == nil {
					want.Canonical = u.String()
				}
			}
			if got != want {
				t.Fatalf("DetectString(%q)\n got %+v\nwant %+v", tc.raw, got, want)
			}
			if got.Kind == KindUnknown {
				return
			}
			// The canonical URL means the same thing.
			again := DetectString(got.Canonical)
			if again.Platform != got.Platform || again.Kind != got.Kind || again.ID != got.ID || again.Canonical != got.Canonical {
				t.Errorf("canonical %q detects as %+v", got.Canonical, again)
			}
		})
	}
}

func TestDetectLookalikesAreGeneric(t *testing.T) {
	for _, raw := range []string{
		"https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
		"https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
		"https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
		"https://www-youtube.com/watch?v=dQw4w9WgXcQ",
		"https://youtube.co/watch?v=dQw4w9WgXcQ",
		"https://youtu.be.evil/dQw4w9WgXcQ",
		"https://youtu.be.evil.example/dQw4w9WgXcQ",
		"https://m.youtube.com.evil/watch?v=dQw4w9WgXcQ",
		"https://music.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
		"https://open.spotify.com@evil.example/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://open.spotify.com:443@evil.example/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://www.youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
		"https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
		"https://open.spotify.com.evil/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://open.spotify.co/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://open-spotify.com/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://instagram.com.evil/p/C0VJ9oYMFqz/",
		"https://www.instagram.com.evil.example/p/C0VJ9oYMFqz/",
		"https://wwwinstagram.com/p/C0VJ9oYMFqz/",
		"https://instagram.co/p/C0VJ9oYMFqz/",
		"https://xn--yutube-wqf.com/watch?v=dQw4w9WgXcQ", // punycode homograph
		"https://y\u043eutube.com/watch?v=dQw4w9WgXcQ",   // Cyrillic o
		"https://www.y\u043eutube.com/watch?v=dQw4w9WgXcQ",
		"https://\uff59\uff4f\uff55\uff54\uff55\uff42\uff45.com/watch?v=dQw4w9WgXcQ", // fullwidth
		"https://xn--nstagram-u9a.com/p/C0VJ9oYMFqz/",
		"https://\u0456nstagram.com/p/C0VJ9oYMFqz/", // Cyrillic i
		"https://open.sp\u043etify.com/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://www.youtube.com:8080/watch?v=dQw4w9WgXcQ",
		"https://open.spotify.com:8443/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://evil.example/https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"https://evil.example/?u=https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT",
		"https://evil.example/#https://www.instagram.com/p/C0VJ9oYMFqz/",
		"ftp://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"file:///www.youtube.com/watch?v=dQw4w9WgXcQ",
		"javascript:alert('youtube.com')",
		"www.youtube.com/watch?v=dQw4w9WgXcQ", // no scheme: a path, not a host
		"https://www.youtube.com\\@evil.example/",
		"https://www.youtube.co.uk/watch?v=dQw4w9WgXcQ",
		"",
		"::::",
	} {
		t.Run(raw, func(t *testing.T) {
			got := DetectString(raw)
			if got.Platform != Generic || got.Kind != KindUnknown || got.ID != "" {
				t.Fatalf("DetectString(%q) = %+v, want generic", raw, got)
			}
		})
	}
}

func TestDetectNil(t *testing.T) {
	if got := Detect(nil); got.Platform != Generic || got.Kind != KindUnknown {
		t.Errorf("Detect(nil) = %+v", got)
	}
}

func TestIsSpotifyID(t *testing.T) {
	for s, want := range map[string]bool{
		"4cOdK2wGLETKBW3PvgPWqT":  true,
		"37i9dQZF1DXcBWIGoYBM5M":  true,
		"4cOdK2wGLETKBW3PvgPWq":   false,
		"4cOdK2wGLETKBW3PvgPWqTx": false,
		"4cOdK2wGLETKBW3PvgPW_T":  false,
		"4cOdK2wGLETKBW3PvgPW-T":  false,
		"":                        false,
	} {
		if got := IsSpotifyID(s); got != want {
			t.Errorf("IsSpotifyID(%q) = %v", s, got)
		}
	}
}
