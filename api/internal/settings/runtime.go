package settings

import (
	"cmp"
	"context"
	"github.com/downlink/downlink/api/internal/files"
	"net/url"
	"time"

	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Effective is a platform's settings as the download engine follows
// them: secrets opened, units converted.
type Effective struct {
	Enabled       bool
	DefaultPreset ytdlp.Preset
	AudioFormat   ytdlp.AudioFormat
	MaxConcurrent int
	// RateLimit is bytes per second (0: none).
	RateLimit     int64
	SleepRequests time.Duration
	// StartInterval is the pacing between job starts (0: none).
	StartInterval time.Duration
	// Cookies is the Netscape cookies.txt, decrypted (nil: none).
	Cookies []byte
	// Proxy is the platform's upstream proxy (nil: none).
	Proxy *url.URL
	// YouTube holds YouTube's defaults for new downloads (nil elsewhere).
	YouTube *YouTubeOptions
	// MaxDuration and MaxBytes bound one download (0: no limit): the
	// platform's override, else the global limit.
	MaxDuration time.Duration
	MaxBytes    int64
	// LiveAllowed lets live streams be downloaded.
	LiveAllowed bool
}

// Effective returns a platform's settings for the engine. An unknown
// platform is an error (ErrUnknownPlatform).
func (s *Service) Effective(ctx context.Context, platform string) (Effective, error) {
	d, _, err := s.doc(ctx, platform)
	if err != nil {
		return Effective{}, err
	}
	e := Effective{Enabled: d.Enabled, DefaultPreset: d.DefaultPreset, AudioFormat: d.AudioFormat,
		MaxConcurrent: d.MaxConcurrent, SleepRequests: time.Duration(d.Sleep * float64(time.Second)), YouTube: d.YouTube,
		StartInterval: time.Duration(d.StartInterval * float64(time.Second))}
	if d.RateLimit != nil {
		e.RateLimit = *d.RateLimit
	}
	l := s.Limits(ctx)
	e.MaxDuration, e.MaxBytes, e.LiveAllowed = time.Duration(l.MaxDownloadSeconds)*time.Second, l.MaxDownloadBytes, l.LiveStreamsAllowed
	if o := d.Limits; o != nil {
		if o.MaxDownloadSeconds != nil {
			e.MaxDuration = time.Duration(*o.MaxDownloadSeconds) * time.Second
		}
		if o.MaxDownloadBytes != nil {
			e.MaxBytes = *o.MaxDownloadBytes
		}
	}
	if d.CookiesSealed != "" {
		if raw, err := s.keys.Open(d.CookiesSealed, sealContext(platform, "cookies")); err == nil {
			e.Cookies = raw
		} else {
			s.log.Error("stored cookies cannot be decrypted (was DOWNLINK_SECRET_KEY changed?)", "platform", platform)
		}
	}
	if d.ProxySealed != "" {
		if raw, err := s.keys.Open(d.ProxySealed, sealContext(platform, "proxy")); err == nil {
			if u, err := url.Parse(string(raw)); err == nil {
				e.Proxy = u
			}
		}
	}
	return e, nil
}

// Layout is how downloads are filed in the library now.
func (s *Service) Layout(ctx context.Context) files.Layout {
	if l := s.Global(ctx).Library; l != nil {
		return files.Layout{Mode: l.Layout, VideoTemplate: l.VideoTemplate, MusicTemplate: l.MusicTemplate}
	}
	return files.Layout{Mode: files.LayoutDefault}
}

// Limits returns the per-download and per-user limits.
func (s *Service) Limits(ctx context.Context) Limits {
	if l := s.Global(ctx).Limits; l != nil {
		return *l
	}
	return DefaultLimits()
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
	EmbedBaseURL           string
	SearchBackend          string
}

// Spotify returns the Spotify credentials and endpoints.
func (s *Service) Spotify(ctx context.Context) SpotifyConfig {
	d, _, _ := s.doc(ctx, string(platforms.Spotify))
	sp := d.Spotify
	if sp == nil {
		sp = defaultDoc(string(platforms.Spotify)).Spotify
	}
	c := SpotifyConfig{APIBaseURL: sp.APIBaseURL, TokenURL: sp.TokenURL, SearchBackend: sp.SearchBackend,
		EmbedBaseURL: cmp.Or(sp.EmbedBaseURL, DefaultSpotifyEmbed)}
	if sp.ClientID != nil {
		c.ClientID = *sp.ClientID
	}
	if sp.SecretSealed != "" {
		if raw, err := s.keys.Open(sp.SecretSealed, sealContext(string(platforms.Spotify), "client_secret")); err == nil {
			c.ClientSecret = string(raw)
		}
	}
	return c
}

// InstagramBaseURL is where Instagram's post data is read
// (https://www.instagram.com unless an admin points it elsewhere).
func (s *Service) InstagramBaseURL(ctx context.Context) string {
	d, _, _ := s.doc(ctx, "instagram")
	return instagramBase(d)
}

// EnabledPlatforms lists the platforms accepting new downloads.
func (s *Service) EnabledPlatforms(ctx context.Context) []string {
	out := []string{}
	for _, name := range platforms.Names() {
		if d, _, err := s.doc(ctx, name); err == nil && d.Enabled {
			out = append(out, name)
		}
	}
	return out
}
