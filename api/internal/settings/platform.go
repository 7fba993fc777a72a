package settings

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Platforms in the order the API lists them.
var Platforms = []string{"youtube", "spotify", "instagram", "generic"}

// YouTubeOptions are defaults for new YouTube downloads.
type YouTubeOptions struct {
	AutoCaptions           bool     `json:"auto_captions"`
	SponsorBlockCategories []string `json:"sponsorblock_categories"`
	SubtitleLanguages      []string `json:"subtitle_languages"`
}

// SpotifyOptions are the Spotify Web API credentials and matching choice.
type SpotifyOptions struct {
	APIBaseURL      string  `json:"api_base_url"`
	ClientID        *string `json:"client_id"`
	ClientSecret    *string `json:"client_secret,omitempty"` // write-only
	ClientSecretSet bool    `json:"client_secret_set"`
	SearchBackend   string  `json:"search_backend"`
	TokenURL        string  `json:"token_url"`
}

// InstagramOptions has nothing yet.
type InstagramOptions struct{}

// PlatformOptions holds the options of the platform itself only.
type PlatformOptions struct {
	YouTube   *YouTubeOptions   `json:"youtube,omitempty"`
	Spotify   *SpotifyOptions   `json:"spotify,omitempty"`
	Instagram *InstagramOptions `json:"instagram,omitempty"`
}

// Platform is one platform's settings as the API shows them (no secrets).
type Platform struct {
	Platform                    string            `json:"platform"`
	Enabled                     bool              `json:"enabled"`
	DefaultPreset               ytdlp.Preset      `json:"default_preset"`
	AudioFormat                 ytdlp.AudioFormat `json:"audio_format"`
	MaxConcurrent               int               `json:"max_concurrent"`
	RateLimitBytesPerSecond     *int64            `json:"rate_limit_bytes_per_second"`
	SleepBetweenRequestsSeconds float64           `json:"sleep_between_requests_seconds"`
	Proxy                       *string           `json:"proxy"`
	CookiesSet                  bool              `json:"cookies_set"`
	CookiesExpireAt             *time.Time        `json:"cookies_expire_at"`
	CookiesWarning              *string           `json:"cookies_warning"`
	Options                     PlatformOptions   `json:"options"`
	UpdatedAt                   *time.Time        `json:"updated_at"`
}

// PlatformUpdate is a PUT body. Secrets: nil keeps the stored value, ""
// clears it, anything else replaces it.
type PlatformUpdate struct {
	Enabled                     bool              `json:"enabled"`
	DefaultPreset               ytdlp.Preset      `json:"default_preset"`
	AudioFormat                 ytdlp.AudioFormat `json:"audio_format"`
	MaxConcurrent               int               `json:"max_concurrent"`
	RateLimitBytesPerSecond     *int64            `json:"rate_limit_bytes_per_second"`
	SleepBetweenRequestsSeconds float64           `json:"sleep_between_requests_seconds"`
	Proxy                       *string           `json:"proxy"`
	Cookies                     *string           `json:"cookies"`
	Options                     PlatformOptions   `json:"options"`
}

// platformDoc is what the settings row holds for a platform.
type platformDoc struct {
	Enabled         bool              `json:"enabled"`
	DefaultPreset   ytdlp.Preset      `json:"default_preset"`
	AudioFormat     ytdlp.AudioFormat `json:"audio_format"`
	MaxConcurrent   int               `json:"max_concurrent"`
	RateLimit       *int64            `json:"rate_limit"`
	Sleep           float64           `json:"sleep"`
	ProxySealed     string            `json:"proxy_sealed,omitempty"`
	CookiesSealed   string            `json:"cookies_sealed,omitempty"`
	CookiesExpireAt *time.Time        `json:"cookies_expire_at,omitempty"`
	YouTube         *YouTubeOptions   `json:"youtube,omitempty"`
	Spotify         *spotifyDoc       `json:"spotify,omitempty"`
}

type spotifyDoc struct {
	APIBaseURL    string  `json:"api_base_url"`
	TokenURL      string  `json:"token_url"`
	ClientID      *string `json:"client_id"`
	SecretSealed  string  `json:"secret_sealed,omitempty"`
	SearchBackend string  `json:"search_backend"`
}

// Spotify defaults.
const (
	DefaultSpotifyAPI   = "https://api.spotify.com"
	DefaultSpotifyToken = "https://accounts.spotify.com/api/token"
)

func defaultDoc(platform string) platformDoc {
	d := platformDoc{Enabled: true, DefaultPreset: ytdlp.PresetBest, AudioFormat: "mp3", MaxConcurrent: 2}
	switch platform {
	case "youtube":
		d.YouTube = &YouTubeOptions{SponsorBlockCategories: []string{}, SubtitleLanguages: []string{}}
	case "spotify":
		d.DefaultPreset = ytdlp.PresetAudio
		d.Spotify = &spotifyDoc{APIBaseURL: DefaultSpotifyAPI, TokenURL: DefaultSpotifyToken, SearchBackend: "auto"}
	case "instagram":
		d.MaxConcurrent = 1
	}
	return d
}

func platformKey(p string) string { return "platform:" + p }

func sealContext(platform, what string) string { return "platform:" + platform + ":" + what }

// doc returns a platform's stored document (defaults where unset).
func (s *Service) doc(ctx context.Context, platform string) (platformDoc, *time.Time, error) {
	if !slices.Contains(Platforms, platform) {
		return platformDoc{}, nil, ErrUnknownPlatform.WithDetail("Platforms are youtube, spotify, instagram and generic.")
	}
	d := defaultDoc(platform)
	r, ok := s.snapshot(ctx)[platformKey(platform)]
	if !ok {
		if platform == "generic" {
			d.Enabled = s.Global(ctx).GenericSitesEnabled
		}
		return d, nil, nil
	}
	if err := json.Unmarshal([]byte(r.Value), &d); err != nil {
		s.log.Error("stored platform settings do not decode; using defaults", "platform", platform, "err", err)
		return defaultDoc(platform), nil, nil
	}
	if platform == "generic" {
		d.Enabled = s.Global(ctx).GenericSitesEnabled // one switch
	}
	t := r.UpdatedAt.UTC()
	return d, &t, nil
}

// Platform returns one platform's settings.
func (s *Service) Platform(ctx context.Context, platform string) (Platform, error) {
	d, updated, err := s.doc(ctx, platform)
	if err != nil {
		return Platform{}, err
	}
	return s.view(platform, d, updated), nil
}

// AllPlatforms lists every platform's settings.
func (s *Service) AllPlatforms(ctx context.Context) []Platform {
	out := make([]Platform, 0, len(Platforms))
	for _, p := range Platforms {
		v, _ := s.Platform(ctx, p)
		out = append(out, v)
	}
	return out
}

func (s *Service) view(platform string, d platformDoc, updated *time.Time) Platform {
	v := Platform{Platform: platform, Enabled: d.Enabled, DefaultPreset: d.DefaultPreset, AudioFormat: d.AudioFormat,
		MaxConcurrent: d.MaxConcurrent, RateLimitBytesPerSecond: d.RateLimit, SleepBetweenRequestsSeconds: d.Sleep,
		CookiesSet: d.CookiesSealed != "", UpdatedAt: updated}
	if d.ProxySealed != "" {
		if raw, err := s.keys.Open(d.ProxySealed, sealContext(platform, "proxy")); err == nil {
			masked := maskProxy(string(raw))
			v.Proxy = &masked
		}
	}
	if v.CookiesSet {
		v.CookiesExpireAt = d.CookiesExpireAt
		if raw, err := s.keys.Open(d.CookiesSealed, sealContext(platform, "cookies")); err == nil {
			if cs, err := ParseCookies(string(raw)); err == nil {
				v.CookiesExpireAt, v.CookiesWarning = cookieStatus(platform, cs, time.Now().UTC())
			}
		}
	}
	switch platform {
	case "youtube":
		v.Options.YouTube = d.YouTube
		if v.Options.YouTube == nil {
			v.Options.YouTube = defaultDoc("youtube").YouTube
		}
	case "spotify":
		sp := d.Spotify
		if sp == nil {
			sp = defaultDoc("spotify").Spotify
		}
		v.Options.Spotify = &SpotifyOptions{APIBaseURL: sp.APIBaseURL, TokenURL: sp.TokenURL, ClientID: sp.ClientID,
			ClientSecretSet: sp.SecretSealed != "", SearchBackend: sp.SearchBackend}
	case "instagram":
		v.Options.Instagram = &InstagramOptions{}
	}
	return v
}

const maskedPassword = "********"

func maskProxy(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), maskedPassword)
	}
	return u.String()
}

// UpdatePlatform replaces a platform's settings.
func (s *Service) UpdatePlatform(ctx context.Context, actor uuid.UUID, platform string, u PlatformUpdate) (Platform, error) {
	d, _, err := s.doc(ctx, platform)
	if err != nil {
		return Platform{}, err
	}
	if err := validateUpdate(platform, u); err != nil {
		return Platform{}, err
	}
	before := s.view(platform, d, nil)
	d.Enabled, d.DefaultPreset, d.AudioFormat, d.MaxConcurrent = u.Enabled, u.DefaultPreset, u.AudioFormat, u.MaxConcurrent
	d.RateLimit, d.Sleep = u.RateLimitBytesPerSecond, u.SleepBetweenRequestsSeconds
	if err := s.applyProxy(platform, &d, u.Proxy); err != nil {
		return Platform{}, err
	}
	changedSecrets := []string{}
	if u.Cookies != nil {
		changedSecrets = append(changedSecrets, "cookies")
		if *u.Cookies == "" {
			d.CookiesSealed, d.CookiesExpireAt = "", nil
		} else {
			cs, err := ParseCookies(*u.Cookies)
			if err != nil {
				return Platform{}, err
			}
			d.CookiesSealed = s.keys.Seal([]byte(*u.Cookies), sealContext(platform, "cookies"))
			d.CookiesExpireAt, _ = cookieStatus(platform, cs, time.Now().UTC())
		}
	}
	switch platform {
	case "youtube":
		if u.Options.YouTube != nil {
			d.YouTube = u.Options.YouTube
		}
	case "spotify":
		if sp := u.Options.Spotify; sp != nil {
			cur := d.Spotify
			if cur == nil {
				cur = defaultDoc("spotify").Spotify
			}
			if sp.APIBaseURL != "" {
				cur.APIBaseURL = sp.APIBaseURL
			}
			if sp.TokenURL != "" {
				cur.TokenURL = sp.TokenURL
			}
			if sp.SearchBackend != "" {
				cur.SearchBackend = sp.SearchBackend
			}
			cur.ClientID = sp.ClientID
			if sp.ClientSecret != nil {
				changedSecrets = append(changedSecrets, "client_secret")
				if *sp.ClientSecret == "" {
					cur.SecretSealed = ""
				} else {
					cur.SecretSealed = s.keys.Seal([]byte(*sp.ClientSecret), sealContext(platform, "client_secret"))
				}
			}
			d.Spotify = cur
		}
	}
	if platform == "generic" {
		// One switch: the generic platform's enabled is the global setting.
		g := s.Global(ctx)
		if g.GenericSitesEnabled != u.Enabled {
			g.GenericSitesEnabled = u.Enabled
			if err := s.save(ctx, actor, globalKey, g); err != nil {
				return Platform{}, err
			}
		}
	}
	if err := s.save(ctx, actor, platformKey(platform), d); err != nil {
		return Platform{}, err
	}
	after, err := s.Platform(ctx, platform)
	if err != nil {
		return Platform{}, err
	}
	s.audit.InfoContext(ctx, "platform settings changed", "action", "settings.platform_updated", "actor_id", actor,
		"target", "settings:"+platform, "changes", diff(before, after), "secrets_changed", changedSecrets)
	return after, nil
}

func (s *Service) applyProxy(platform string, d *platformDoc, proxy *string) error {
	if proxy == nil || *proxy == "" {
		d.ProxySealed = ""
		return nil
	}
	u, err := url.Parse(*proxy)
	if err != nil || u.Host == "" {
		return problem.Invalid("proxy", "must be a URL like http://host:3128 or socks5://host:1080")
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return problem.Invalid("proxy", "the scheme must be http, https or socks5")
	}
	if u.User != nil {
		if pw, has := u.User.Password(); has && pw == maskedPassword {
			// Keep the stored password.
			if d.ProxySealed == "" {
				return problem.Invalid("proxy", "no password is stored to keep; type it")
			}
			old, err := s.keys.Open(d.ProxySealed, sealContext(platform, "proxy"))
			if err != nil {
				return problem.Invalid("proxy", "the stored password cannot be read; type it again")
			}
			if ou, err := url.Parse(string(old)); err == nil && ou.User != nil {
				if opw, ok := ou.User.Password(); ok {
					u.User = url.UserPassword(u.User.Username(), opw)
				}
			}
		}
	}
	d.ProxySealed = s.keys.Seal([]byte(u.String()), sealContext(platform, "proxy"))
	return nil
}

func validateUpdate(platform string, u PlatformUpdate) error {
	p := problem.ErrValidation
	bad := func(f, m string) { p = p.WithField(f, m) }
	if !slices.Contains(ytdlp.Presets, u.DefaultPreset) {
		bad("default_preset", "is not a known preset")
	}
	if !slices.Contains(ytdlp.AudioFormats, u.AudioFormat) {
		bad("audio_format", "must be mp3, m4a, opus or flac")
	}
	if u.MaxConcurrent < 1 || u.MaxConcurrent > 32 {
		bad("max_concurrent", "must be 1 to 32")
	}
	if r := u.RateLimitBytesPerSecond; r != nil && *r < 1 {
		bad("rate_limit_bytes_per_second", "must be at least 1, or null for no limit")
	}
	if u.SleepBetweenRequestsSeconds < 0 || u.SleepBetweenRequestsSeconds > 60 {
		bad("sleep_between_requests_seconds", "must be 0 to 60")
	}
	o := u.Options
	others := map[string]bool{"youtube": o.YouTube != nil, "spotify": o.Spotify != nil, "instagram": o.Instagram != nil}
	for name, set := range others {
		if set && name != platform {
			bad("options."+name, "belongs to the "+name+" platform")
		}
	}
	if y := o.YouTube; y != nil {
		for i, c := range y.SponsorBlockCategories {
			if !slices.Contains(ytdlp.SponsorBlockCategories, c) {
				bad("options.youtube.sponsorblock_categories["+itoa(i)+"]", "is not a SponsorBlock category")
			}
		}
		if len(y.SubtitleLanguages) > 20 {
			bad("options.youtube.subtitle_languages", "at most 20 languages")
		}
		if err := (ytdlp.Options{Subtitles: subtitlesOrNil(y.SubtitleLanguages)}).Validate(ytdlp.Constraints{}); err != nil {
			bad("options.youtube.subtitle_languages", "has a language code that is not valid")
		}
	}
	if sp := o.Spotify; sp != nil {
		for _, f := range []struct{ name, v string }{{"api_base_url", sp.APIBaseURL}, {"token_url", sp.TokenURL}} {
			if f.v == "" {
				continue
			}
			if pu, err := url.Parse(f.v); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				bad("options.spotify."+f.name, "must be an http(s) URL")
			}
		}
		if b := sp.SearchBackend; b != "" && b != "auto" && b != "youtube_music" && b != "youtube" {
			bad("options.spotify.search_backend", "must be auto, youtube_music or youtube")
		}
	}
	if len(p.Errors) > 0 {
		return p
	}
	return nil
}

func subtitlesOrNil(langs []string) *ytdlp.Subtitles {
	if len(langs) == 0 {
		return nil
	}
	return &ytdlp.Subtitles{Languages: langs}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
