package handlers

import (
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms"
)

// Config configures the handlers that need more than the defaults.
type Config struct {
	Spotify   SpotifyConfig
	Instagram InstagramConfig
	Generic   GenericConfig
}

// ByPlatform returns every platform's handler, keyed by its name in the
// platform registry (platforms.All); a test checks none is missing.
func ByPlatform(cfg Config) map[string]downloads.PlatformHandler {
	return map[string]downloads.PlatformHandler{
		string(platforms.YouTube):   YouTube{},
		string(platforms.Spotify):   NewSpotify(cfg.Spotify),
		string(platforms.Instagram): NewInstagram(cfg.Instagram),
		string(platforms.Generic):   NewGeneric(cfg.Generic),
	}
}
