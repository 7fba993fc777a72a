package managed_test

import (
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// TestEmbeddedKeyIsYtdlps: the key compiled into Downlink parses and is
// the one yt-dlp publishes (fingerprint as printed in yt-dlp-signing-key.md
// and by `gpg --show-keys`).
func TestEmbeddedKeyIsYtdlps(t *testing.T) {
	t.Parallel()
	const published = "AC0C BBE6 848D 6A87 3464  AF4E 57CF 6593 3B5A 7581"
	fps := managed.YtdlpKeyring().Fingerprints()
	if len(fps) != 1 {
		t.Fatalf("embedded keyring holds %d keys, want yt-dlp's one", len(fps))
	}
	if want := strings.ReplaceAll(published, " ", ""); fps[0] != want || managed.YtdlpKeyFingerprint != want {
		t.Fatalf("embedded key fingerprint %s (constant %s), want %s", fps[0], managed.YtdlpKeyFingerprint, want)
	}
}
