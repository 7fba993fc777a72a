package settings

import (
	"context"
	"net/url"
	"time"

	"github.com/downlink/downlink/api/internal/downloads"
)

// Policy is the downloads service's view of the settings.
type Policy struct{ S *Service }

var _ downloads.Policy = Policy{}

// Platform implements downloads.Policy.
func (p Policy) Platform(ctx context.Context, platform string) downloads.PlatformPolicy {
	d, _, err := p.S.doc(ctx, platform)
	if err != nil {
		return downloads.PlatformPolicy{Enabled: false, DisabledReason: "Unknown platform."}
	}
	pp := downloads.PlatformPolicy{Enabled: d.Enabled, DefaultPreset: d.DefaultPreset, AudioFormat: d.AudioFormat,
		MaxConcurrent: d.MaxConcurrent, SleepRequests: time.Duration(d.Sleep * float64(time.Second))}
	if d.RateLimit != nil {
		pp.RateLimit = *d.RateLimit
	}
	if d.CookiesSealed != "" {
		if raw, err := p.S.keys.Open(d.CookiesSealed, sealContext(platform, "cookies")); err == nil {
			pp.Cookies = raw
		} else {
			p.S.log.Error("stored cookies cannot be decrypted (was DOWNLINK_SECRET_KEY changed?)", "platform", platform)
		}
	}
	if d.ProxySealed != "" {
		if raw, err := p.S.keys.Open(d.ProxySealed, sealContext(platform, "proxy")); err == nil {
			if u, err := url.Parse(string(raw)); err == nil {
				pp.Proxy = u
			}
		}
	}
	if y := d.YouTube; y != nil {
		pp.SubtitleLanguages, pp.AutoCaptions, pp.SponsorBlock = y.SubtitleLanguages, y.AutoCaptions, y.SponsorBlockCategories
	}
	return pp
}

// GenericEnabled implements downloads.Policy.
func (p Policy) GenericEnabled(ctx context.Context) bool { return p.S.Global(ctx).GenericSitesEnabled }

// MinFreeDisk implements downloads.Policy.
func (p Policy) MinFreeDisk(ctx context.Context) int64 { return p.S.Global(ctx).MinFreeDiskBytes }

// AllowPrivateNetworks implements downloads.Policy.
func (p Policy) AllowPrivateNetworks(ctx context.Context) bool {
	return p.S.Global(ctx).AllowPrivateNetworks
}

// RetentionDays returns the file retention (nil: keep forever).
func (s *Service) RetentionDays(ctx context.Context) *int { return s.Global(ctx).RetentionDays }

// LogRetentionDays returns how long log rows are kept.
func (s *Service) LogRetentionDays(ctx context.Context) int { return s.Global(ctx).LogRetentionDays }

// SessionTimeouts returns the idle and absolute session timeouts.
func (s *Service) SessionTimeouts(ctx context.Context) (idle, absolute time.Duration) {
	g := s.Global(ctx)
	return time.Duration(g.SessionIdleTimeoutSeconds) * time.Second, time.Duration(g.SessionAbsoluteTimeoutSeconds) * time.Second
}

// KeyExpiry returns the default and maximum API key lifetimes in days.
func (s *Service) KeyExpiry(ctx context.Context) (def, max *int) {
	g := s.Global(ctx)
	return g.APIKeyDefaultExpiryDays, g.APIKeyMaxExpiryDays
}

// SpotifyConfig is what the Spotify integration needs.
type SpotifyConfig struct {
	ClientID, ClientSecret string
	APIBaseURL, TokenURL   string
	SearchBackend          string
}

// Spotify returns the Spotify credentials and endpoints.
func (s *Service) Spotify(ctx context.Context) SpotifyConfig {
	d, _, _ := s.doc(ctx, "spotify")
	sp := d.Spotify
	if sp == nil {
		sp = defaultDoc("spotify").Spotify
	}
	c := SpotifyConfig{APIBaseURL: sp.APIBaseURL, TokenURL: sp.TokenURL, SearchBackend: sp.SearchBackend}
	if sp.ClientID != nil {
		c.ClientID = *sp.ClientID
	}
	if sp.SecretSealed != "" {
		if raw, err := s.keys.Open(sp.SecretSealed, sealContext("spotify", "client_secret")); err == nil {
			c.ClientSecret = string(raw)
		}
	}
	return c
}

// EnabledPlatforms lists the platforms accepting new downloads.
func (s *Service) EnabledPlatforms(ctx context.Context) []string {
	out := []string{}
	for _, name := range Platforms {
		if d, _, err := s.doc(ctx, name); err == nil && d.Enabled {
			out = append(out, name)
		}
	}
	return out
}
