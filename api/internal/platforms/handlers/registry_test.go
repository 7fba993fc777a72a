package handlers_test

import (
	"testing"

	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
)

// Handlers are keyed by the registry's names: none for a platform that
// does not exist. A platform without one takes the plain yt-dlp path
// (downloads.HandlerDefaults); "other sites" must have its own, which lets
// yt-dlp use its generic extractor.
func TestHandlersBelongToPlatforms(t *testing.T) {
	hs := handlers.ByPlatform(handlers.Config{Spotify: handlers.SpotifyConfig{Settings: &staticSettings{}}})
	for name := range hs {
		if !platforms.Known(name) {
			t.Errorf("handler for %q, which is no platform of the registry", name)
		}
	}
	if hs[string(platforms.Generic)] == nil {
		t.Error("other sites have no handler: their downloads could not use yt-dlp's generic extractor")
	}
}
