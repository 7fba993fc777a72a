package platforms

import (
	"net/url"
	"testing"
)

// FuzzDetect: Detect never panics, a platform is only ever named for its own
// hosts, and a named item's canonical URL detects as the same item.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
		"https://youtu.be/dQw4w9WgXcQ?si=x",
		"https://open.spotify.com/intl-de/track/4cOdK2wGLETKBW3PvgPWqT?si=x",
		"spotify:user:spotify:playlist:37i9dQZF1DXcBWIGoYBM5M",
		"https://www.instagram.com/natgeo/reel/Cx3KbvmLz3Y/",
		"https://open.spotify.com@evil.example/track/4cOdK2wGLETKBW3PvgPWqT",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d := DetectString(raw)
		if d.Platform == "" || d.Kind == "" {
			t.Fatalf("empty platform or kind: %+v", d)
		}
		if d.Kind == KindUnknown {
			if d.ID != "" || d.PlaylistID != "" {
				t.Fatalf("unknown kind with an ID: %+v", d)
			}
			return
		}
		if d.Platform == Generic || d.ID == "" {
			t.Fatalf("known kind without platform or ID: %+v", d)
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("unparseable input detected as %+v", d)
		}
		if u.Scheme != "spotify" {
			host, ok := platformHost(u)
			if !ok || byHost[host].Name != d.Platform {
				t.Fatalf("%q on host %q detected as %s", raw, u.Host, d.Platform)
			}
		}
		again := DetectString(d.Canonical)
		if again.Platform != d.Platform || again.Kind != d.Kind || again.ID != d.ID {
			t.Fatalf("canonical %q of %q detects as %+v, want %+v", d.Canonical, raw, again, d)
		}
	})
}
