package settings

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// YouTubeOptions are defaults for new YouTube downloads.
type YouTubeOptions struct {
	AutoCaptions           bool     `json:"auto_captions"`
	SponsorBlockCategories []string `json:"sponsorblock_categories"`
	SubtitleLanguages      []string `json:"subtitle_languages"`
	// RemoteComponents lets yt-dlp fetch its YouTube challenge solver
	// scripts from npm or GitHub (ytdlp.RemoteComponentNames) when the
	// installed ones are missing or stale: code from outside run at every
	// YouTube download, so off unless an admin turns it on.
	RemoteComponents []string `json:"remote_components"`
	// ExtractorArgs are YouTube --extractor-args from an allow-list
	// (ytdlp.YouTubeExtractorArgKeys): player_client, po_token, … for PO
	// tokens and player clients. Empty: none.
	ExtractorArgs map[string]string `json:"extractor_args,omitempty"`
	// POTokenProviderURL is a PO-token provider's base URL (a
	// bgutil-ytdlp-pot-provider sidecar); the egress guard lets yt-dlp
	// reach it, and only it, even on a private address. Needs the plugin
	// in DOWNLINK_YTDLP_PLUGIN_DIR.
	POTokenProviderURL string `json:"po_token_provider_url,omitempty"`
}

// SpotifyOptions are the Spotify Web API credentials, the endpoints and
// the matching choice.
type SpotifyOptions struct {
	APIBaseURL      string  `json:"api_base_url"`
	ClientID        *string `json:"client_id"`
	ClientSecret    *string `json:"client_secret,omitempty"` // write-only
	ClientSecretSet bool    `json:"client_secret_set"`
	SearchBackend   string  `json:"search_backend"`
	TokenURL        string  `json:"token_url"`
	// EmbedBaseURL is where the public embed pages are read (no
	// credentials needed).
	EmbedBaseURL string `json:"embed_base_url"`
}

// InstagramOptions are where Instagram's post data is read.
type InstagramOptions struct {
	// BaseURL stands in for https://www.instagram.com (tests, a mirror);
	// its host receives the cookies set for instagram.com.
	BaseURL string `json:"base_url"`
}

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
	// MinStartIntervalSeconds is the pacing: the least time between two
	// job starts of the platform on a node.
	MinStartIntervalSeconds float64         `json:"min_start_interval_seconds"`
	Proxy                   *string         `json:"proxy"`
	CookiesSet              bool            `json:"cookies_set"`
	CookiesExpireAt         *time.Time      `json:"cookies_expire_at"`
	CookiesWarning          *string         `json:"cookies_warning"`
	Options                 PlatformOptions `json:"options"`
	Limits                  *PlatformLimits `json:"limits"`
	UpdatedAt               *time.Time      `json:"updated_at"`
}

// PlatformLimits override the global per-download limits for one
// platform; null takes the global value, 0 means no limit.
type PlatformLimits struct {
	MaxDownloadSeconds *int   `json:"max_download_seconds"`
	MaxDownloadBytes   *int64 `json:"max_download_bytes"`
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
	// MinStartIntervalSeconds: nil keeps the stored pacing.
	MinStartIntervalSeconds *float64        `json:"min_start_interval_seconds"`
	Proxy                   *string         `json:"proxy"`
	Cookies                 *string         `json:"cookies"`
	Options                 PlatformOptions `json:"options"`
	// Limits: nil keeps the current overrides.
	Limits *PlatformLimits `json:"limits"`
}

// platformDoc is what the settings row holds for a platform.
type platformDoc struct {
	Enabled         bool              `json:"enabled"`
	DefaultPreset   ytdlp.Preset      `json:"default_preset"`
	AudioFormat     ytdlp.AudioFormat `json:"audio_format"`
	MaxConcurrent   int               `json:"max_concurrent"`
	RateLimit       *int64            `json:"rate_limit"`
	Sleep           float64           `json:"sleep"`
	StartInterval   float64           `json:"start_interval"`
	ProxySealed     string            `json:"proxy_sealed,omitempty"`
	CookiesSealed   string            `json:"cookies_sealed,omitempty"`
	CookiesExpireAt *time.Time        `json:"cookies_expire_at,omitempty"`
	YouTube         *YouTubeOptions   `json:"youtube,omitempty"`
	Spotify         *spotifyDoc       `json:"spotify,omitempty"`
	Instagram       *InstagramOptions `json:"instagram,omitempty"`
	Limits          *PlatformLimits   `json:"limits,omitempty"`
}

type spotifyDoc struct {
	APIBaseURL    string  `json:"api_base_url"`
	TokenURL      string  `json:"token_url"`
	EmbedBaseURL  string  `json:"embed_base_url,omitempty"`
	ClientID      *string `json:"client_id"`
	SecretSealed  string  `json:"secret_sealed,omitempty"`
	SearchBackend string  `json:"search_backend"`
}

// Spotify and Instagram defaults.
const (
	DefaultSpotifyAPI    = "https://api.spotify.com"
	DefaultSpotifyToken  = "https://accounts.spotify.com/api/token"
	DefaultSpotifyEmbed  = "https://open.spotify.com"
	DefaultInstagramBase = "https://www.instagram.com"
)

// defaultDoc is a platform's settings before an admin changes them: the
// registry's defaults, and the platform's own options block.
func defaultDoc(platform string) platformDoc {
	p, _ := platforms.Lookup(platform)
	d := platformDoc{Enabled: p.Defaults.Enabled, DefaultPreset: p.Defaults.Preset, AudioFormat: p.Defaults.AudioFormat,
		MaxConcurrent: p.Defaults.MaxConcurrent, StartInterval: p.Defaults.StartInterval.Seconds()}
	switch p.Name {
	case platforms.YouTube:
		d.YouTube = &YouTubeOptions{SponsorBlockCategories: []string{}, SubtitleLanguages: []string{}, RemoteComponents: []string{}}
	case platforms.Spotify:
		d.Spotify = &spotifyDoc{APIBaseURL: DefaultSpotifyAPI, TokenURL: DefaultSpotifyToken, EmbedBaseURL: DefaultSpotifyEmbed,
			SearchBackend: "auto"}
	case platforms.Instagram:
		d.Instagram = &InstagramOptions{BaseURL: DefaultInstagramBase}
	}
	return d
}

func platformKey(p string) string { return "platform:" + p }

func sealContext(platform, what string) string { return "platform:" + platform + ":" + what }

// doc returns a platform's stored document (defaults where unset).
func (s *Service) doc(ctx context.Context, platform string) (platformDoc, *time.Time, error) {
	if !platforms.Known(platform) {
		return platformDoc{}, nil, ErrUnknownPlatform.WithDetail("Platforms are %s.", platforms.List("and"))
	}
	d := defaultDoc(platform)
	r, ok := s.snapshot(ctx)[platformKey(platform)]
	if !ok {
		if platform == string(platforms.Generic) {
			d.Enabled = s.Global(ctx).GenericSitesEnabled
		}
		return d, nil, nil
	}
	if err := json.Unmarshal([]byte(r.Value), &d); err != nil {
		s.log.Error("stored platform settings do not decode; using defaults", "platform", platform, "err", err)
		return defaultDoc(platform), nil, nil
	}
	if platform == string(platforms.Generic) {
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
	out := []Platform{}
	for _, p := range platforms.Names() {
		v, _ := s.Platform(ctx, p)
		out = append(out, v)
	}
	return out
}

func (s *Service) view(platform string, d platformDoc, updated *time.Time) Platform {
	v := Platform{Platform: platform, Enabled: d.Enabled, DefaultPreset: d.DefaultPreset, AudioFormat: d.AudioFormat,
		MaxConcurrent: d.MaxConcurrent, RateLimitBytesPerSecond: d.RateLimit, SleepBetweenRequestsSeconds: d.Sleep,
		MinStartIntervalSeconds: d.StartInterval,
		CookiesSet:              d.CookiesSealed != "", UpdatedAt: updated, Limits: &PlatformLimits{}}
	if d.Limits != nil {
		v.Limits = d.Limits
	}
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
	switch platforms.Platform(platform) {
	case platforms.YouTube:
		v.Options.YouTube = d.YouTube
		if v.Options.YouTube == nil {
			v.Options.YouTube = defaultDoc(platform).YouTube
		}
		if v.Options.YouTube.RemoteComponents == nil {
			y := *v.Options.YouTube
			y.RemoteComponents = []string{}
			v.Options.YouTube = &y
		}
	case platforms.Spotify:
		sp := d.Spotify
		if sp == nil {
			sp = defaultDoc(platform).Spotify
		}
		v.Options.Spotify = &SpotifyOptions{APIBaseURL: sp.APIBaseURL, TokenURL: sp.TokenURL, ClientID: sp.ClientID,
			ClientSecretSet: sp.SecretSealed != "", SearchBackend: sp.SearchBackend, EmbedBaseURL: cmp.Or(sp.EmbedBaseURL, DefaultSpotifyEmbed)}
	case platforms.Instagram:
		v.Options.Instagram = &InstagramOptions{BaseURL: instagramBase(d)}
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
	if err := s.checkEndpoints(ctx, u.Options); err != nil {
		return Platform{}, err
	}
	before := s.view(platform, d, nil)
	d.Enabled, d.DefaultPreset, d.AudioFormat, d.MaxConcurrent = u.Enabled, u.DefaultPreset, u.AudioFormat, u.MaxConcurrent
	d.RateLimit, d.Sleep = u.RateLimitBytesPerSecond, u.SleepBetweenRequestsSeconds
	if u.Limits != nil {
		d.Limits = u.Limits
	}
	if u.MinStartIntervalSeconds != nil {
		d.StartInterval = *u.MinStartIntervalSeconds
	}
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
	switch platforms.Platform(platform) {
	case platforms.YouTube:
		if u.Options.YouTube != nil {
			d.YouTube = u.Options.YouTube
		}
	case platforms.Instagram:
		if ig := u.Options.Instagram; ig != nil && ig.BaseURL != "" {
			d.Instagram = &InstagramOptions{BaseURL: ig.BaseURL}
		}
	case platforms.Spotify:
		if sp := u.Options.Spotify; sp != nil {
			cur := d.Spotify
			if cur == nil {
				cur = defaultDoc(platform).Spotify
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
			if sp.EmbedBaseURL != "" {
				cur.EmbedBaseURL = sp.EmbedBaseURL
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
	if platform == string(platforms.Generic) {
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
			// Keep the stored password, for the same proxy only: sent to
			// another host (or scheme) it would give it to whoever runs
			// that one. There the credentials are dropped, as if none were
			// given, unless the admin types a new password.
			if d.ProxySealed == "" {
				return problem.Invalid("proxy", "no password is stored to keep; type it")
			}
			old, err := s.keys.Open(d.ProxySealed, sealContext(platform, "proxy"))
			if err != nil {
				return problem.Invalid("proxy", "the stored password cannot be read; type it again")
			}
			user := u.User.Username()
			u.User = nil
			if ou, err := url.Parse(string(old)); err == nil && ou.User != nil && sameProxy(ou, u) {
				if opw, ok := ou.User.Password(); ok {
					u.User = url.UserPassword(user, opw)
				}
			}
		}
	}
	d.ProxySealed = s.keys.Seal([]byte(u.String()), sealContext(platform, "proxy"))
	return nil
}

// checkEndpoints refuses service URLs (Spotify's API, token and embed
// URLs, Instagram's base URL) whose host is an address or a local name the
// egress guard refuses with the current allow-private setting: a 422
// naming the field, and nothing saved. A name is checked again at every
// connection (Spotify's clients connect through the guard), so one that
// resolves to a refused address later is refused then.
func (s *Service) checkEndpoints(ctx context.Context, o PlatformOptions) error {
	var fields []struct{ name, v string }
	if sp := o.Spotify; sp != nil {
		fields = append(fields, struct{ name, v string }{"options.spotify.api_base_url", sp.APIBaseURL},
			struct{ name, v string }{"options.spotify.token_url", sp.TokenURL},
			struct{ name, v string }{"options.spotify.embed_base_url", sp.EmbedBaseURL})
	}
	if ig := o.Instagram; ig != nil {
		fields = append(fields, struct{ name, v string }{"options.instagram.base_url", ig.BaseURL})
	}
	p := problem.ErrValidation
	for _, f := range fields {
		if err := s.CheckEndpoint(ctx, f.v); err != nil {
			p = p.WithField(f.name, err.Error())
		}
	}
	if len(p.Errors) > 0 {
		return p
	}
	return nil
}

// CheckEndpoint says why the egress guard, as the settings stand, refuses
// the service URL raw ("" passes): its message is a field error's.
func (s *Service) CheckEndpoint(ctx context.Context, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return errors.New("must be an http(s) URL")
	}
	g := netguard.Guard{AllowPrivate: s.Global(ctx).AllowPrivateNetworks}
	if err := g.CheckHostName(u.Hostname()); err != nil {
		var be *netguard.BlockedError
		if errors.As(err, &be) && be.Reason == netguard.ReasonMetadata {
			return errors.New("points to a cloud metadata address, which is never allowed")
		}
		return errors.New("points to a private, loopback or reserved address, which is not allowed while private networks are off")
	}
	return nil
}

// sameProxy reports whether a and b name the same proxy: scheme, host and
// port (the default port spelled out or not).
func sameProxy(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		switch u.Scheme {
		case "https":
			return "443"
		case "socks5", "socks5h":
			return "1080"
		}
		return "80"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
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
	if l := u.Limits; l != nil {
		if v := l.MaxDownloadSeconds; v != nil && (*v < 0 || *v > 30*86400) {
			bad("limits.max_download_seconds", "must be 0 (no limit) to 2592000, or null for the global limit")
		}
		if v := l.MaxDownloadBytes; v != nil && *v < 0 {
			bad("limits.max_download_bytes", "must be 0 (no limit) or more, or null for the global limit")
		}
	}
	if i := u.MinStartIntervalSeconds; i != nil && (*i < 0 || *i > 3600) {
		bad("min_start_interval_seconds", "must be 0 to 3600")
	}
	o := u.Options
	others := map[platforms.Platform]bool{platforms.YouTube: o.YouTube != nil, platforms.Spotify: o.Spotify != nil,
		platforms.Instagram: o.Instagram != nil}
	for name, set := range others {
		if set && string(name) != platform {
			bad("options."+string(name), "belongs to the "+string(name)+" platform")
		}
	}
	if y := o.YouTube; y != nil {
		for i, c := range y.SponsorBlockCategories {
			if !slices.Contains(ytdlp.SponsorBlockCategories, c) {
				bad("options.youtube.sponsorblock_categories["+strconv.Itoa(i)+"]", "is not a SponsorBlock category")
			}
		}
		if err := ytdlp.ValidateYouTubeExtractorArgs(y.ExtractorArgs); err != nil {
			bad("options.youtube.extractor_args", err.Error())
		}
		if y.POTokenProviderURL != "" {
			if err := ytdlp.ValidatePOTProviderURL(y.POTokenProviderURL); err != nil {
				bad("options.youtube.po_token_provider_url", err.Error())
			}
		}
		for i, c := range y.RemoteComponents {
			if !slices.Contains(ytdlp.RemoteComponentNames, c) || slices.Index(y.RemoteComponents, c) != i {
				bad("options.youtube.remote_components["+strconv.Itoa(i)+"]", "must be ejs:npm or ejs:github, each once")
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
		for _, f := range []struct{ name, v string }{{"api_base_url", sp.APIBaseURL}, {"token_url", sp.TokenURL},
			{"embed_base_url", sp.EmbedBaseURL}} {
			if f.v != "" && !isHTTPURL(f.v) {
				bad("options.spotify."+f.name, "must be an http(s) URL")
			}
		}
		if b := sp.SearchBackend; b != "" && b != "auto" && b != "youtube_music" && b != "youtube" {
			bad("options.spotify.search_backend", "must be auto, youtube_music or youtube")
		}
	}
	if ig := o.Instagram; ig != nil && ig.BaseURL != "" && !isHTTPURL(ig.BaseURL) {
		bad("options.instagram.base_url", "must be an http(s) URL")
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

func isHTTPURL(v string) bool {
	pu, err := url.Parse(v)
	return err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != ""
}

func instagramBase(d platformDoc) string {
	if d.Instagram == nil {
		return DefaultInstagramBase
	}
	return cmp.Or(d.Instagram.BaseURL, DefaultInstagramBase)
}
