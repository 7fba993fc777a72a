package handlers_test

import (
	"slices"
	"testing"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/platforms/handlers"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// The platform rules the engine used to hard-code, now each platform's
// handler's: YouTube's default subtitles and SponsorBlock, Spotify's
// audio, which platform may use yt-dlp's generic extractor.
func TestPlatformRules(t *testing.T) {
	ytPol := downloads.PlatformPolicy{SubtitleLanguages: []string{"en", "de"}, AutoCaptions: true,
		SponsorBlock: []string{"sponsor"}}
	hs := handlers.ByPlatform(handlers.Config{Spotify: handlers.SpotifyConfig{Settings: &staticSettings{}}})

	t.Run("youtube fills unset subtitles and sponsorblock", func(t *testing.T) {
		o := ytdlp.Options{Preset: ytdlp.PresetBest}
		c := hs["youtube"].Prepare(&o, ytPol)
		if !c.SponsorBlock || o.Subtitles == nil || !slices.Equal(o.Subtitles.Languages, []string{"en", "de"}) ||
			!o.Subtitles.Auto || !o.Subtitles.Embed || !slices.Equal(o.SponsorBlockRemove, []string{"sponsor"}) {
			t.Fatalf("prepared %+v (subtitles %+v), constraints %+v", o, o.Subtitles, c)
		}
	})
	t.Run("youtube keeps what the user chose", func(t *testing.T) {
		o := ytdlp.Options{Preset: ytdlp.PresetAudio, Subtitles: &ytdlp.Subtitles{Languages: []string{"fr"}},
			SponsorBlockRemove: []string{"intro"}}
		hs["youtube"].Prepare(&o, ytPol)
		if o.Subtitles.Languages[0] != "fr" || o.SponsorBlockRemove[0] != "intro" {
			t.Fatalf("prepared %+v", o)
		}
	})
	t.Run("spotify is always audio", func(t *testing.T) {
		o := ytdlp.Options{Preset: ytdlp.Preset1080p}
		c := hs["spotify"].Prepare(&o, downloads.PlatformPolicy{})
		if o.Preset != ytdlp.PresetAudio || o.AudioFormat != ytdlp.AudioMP3 || c.SponsorBlock {
			t.Fatalf("prepared %+v, %+v", o, c)
		}
		o = ytdlp.Options{AudioFormat: ytdlp.AudioFLAC}
		hs["spotify"].Prepare(&o, downloads.PlatformPolicy{})
		if o.AudioFormat != ytdlp.AudioFLAC {
			t.Fatalf("the chosen format was replaced: %+v", o)
		}
	})
	for _, tc := range []struct {
		platform               string
		pol                    downloads.PlatformPolicy
		generic, sponsorBlocks bool
	}{
		{"youtube", downloads.PlatformPolicy{GenericEnabled: true}, false, true},
		{"instagram", downloads.PlatformPolicy{GenericEnabled: true}, false, false},
		{"generic", downloads.PlatformPolicy{}, true, false},
		{"spotify", downloads.PlatformPolicy{}, false, false},
		{"spotify", downloads.PlatformPolicy{GenericEnabled: true}, true, false},
	} {
		var st ytdlp.Settings
		hs[tc.platform].Tune(&st, tc.pol)
		if st.AllowGeneric != tc.generic || st.AllowSponsorBlock != tc.sponsorBlocks {
			t.Errorf("%s with generic sites %v: %+v", tc.platform, tc.pol.GenericEnabled, st)
		}
	}
}
