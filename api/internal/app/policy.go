package app

import (
	"context"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// policy is the download engine's view of the settings (downloads.Policy):
// what the admin set, read at every use so a change applies without a
// restart. It lives here, where both are wired, so settings need not know
// the engine.
type policy struct {
	s *settings.Service
	// pluginDir is DOWNLINK_YTDLP_PLUGIN_DIR (YouTube jobs only).
	pluginDir string
}

var _ downloads.Policy = policy{}

// Platform implements downloads.Policy.
func (p policy) Platform(ctx context.Context, platform string) downloads.PlatformPolicy {
	e, err := p.s.Effective(ctx, platform)
	if err != nil {
		return downloads.PlatformPolicy{Enabled: false, DisabledReason: "Unknown platform."}
	}
	pp := downloads.PlatformPolicy{Enabled: e.Enabled, DefaultPreset: e.DefaultPreset, AudioFormat: e.AudioFormat,
		MaxConcurrent: e.MaxConcurrent, StartInterval: e.StartInterval, RateLimit: e.RateLimit, SleepRequests: e.SleepRequests, Cookies: e.Cookies,
		Proxy: e.Proxy, GenericEnabled: p.s.Global(ctx).GenericSitesEnabled,
		MaxDuration: e.MaxDuration, MaxBytes: e.MaxBytes, LiveAllowed: e.LiveAllowed}
	if y := e.YouTube; y != nil {
		pp.SubtitleLanguages, pp.AutoCaptions, pp.SponsorBlock = y.SubtitleLanguages, y.AutoCaptions, y.SponsorBlockCategories
		pp.RemoteComponents = y.RemoteComponents
		pp.PluginDir = p.pluginDir
		pp.ExtractorArgs = ytdlp.YouTubeExtractorArgs(y.ExtractorArgs, y.POTokenProviderURL)
	}
	return pp
}

// GenericEnabled implements downloads.Policy.
func (p policy) GenericEnabled(ctx context.Context) bool { return p.s.Global(ctx).GenericSitesEnabled }

// MinFreeDisk implements downloads.Policy.
func (p policy) MinFreeDisk(ctx context.Context) int64 { return p.s.Global(ctx).MinFreeDiskBytes }

// AllowPrivateNetworks implements downloads.Policy.
func (p policy) AllowPrivateNetworks(ctx context.Context) bool {
	return p.s.Global(ctx).AllowPrivateNetworks
}

// UserLimits implements downloads.Policy.
func (p policy) UserLimits(ctx context.Context) downloads.UserLimits {
	l := p.s.Limits(ctx)
	return downloads.UserLimits{MaxRunning: l.MaxRunningDownloadsPerUser, MaxProbes: l.MaxProbesPerUser,
		ProbePool: l.MaxConcurrentProbes}
}
