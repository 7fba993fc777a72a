package spotify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/downlink/downlink/api/internal/clip"
)

// Default endpoints of the real service.
const (
	DefaultBaseURL  = "https://api.spotify.com"
	DefaultTokenURL = "https://accounts.spotify.com/api/token"
)

// maxBody bounds what is read from any Spotify response (a 100-track
// playlist page is ~300 KB).
const maxBody = 8 << 20

// Config configures a Client. Zero values take the defaults.
type Config struct {
	ClientID     string
	ClientSecret string
	// BaseURL of the Web API (tests point it at spotifytest).
	BaseURL string
	// TokenURL of the accounts service.
	TokenURL string
	// Account, when set, is a connected Spotify account: playlists are
	// read as that user (private and collaborative ones included), and
	// every call uses its token when no client secret is set.
	Account TokenSource
	// HTTPClient defaults to one with a 30 s timeout.
	HTTPClient *http.Client
	// MaxRetries bounds retries after a 429 (default 3; negative: none).
	MaxRetries int
	// MaxRetryWait: a Retry-After longer than this is not waited out; the
	// RateLimitError goes back to the caller at once (default 60 s).
	MaxRetryWait time.Duration
	// TokenMargin is how long before expiry a token is renewed (default 60 s).
	TokenMargin time.Duration
	// MaxTracks bounds how many tracks one album/playlist may yield (default 10000).
	MaxTracks int
	// SkipAlbumTrackDetails: album tracks come as simplified objects without
	// ISRC; by default each is then fetched in full (one request per track,
	// as the several-tracks endpoint is gone). Set to save requests.
	SkipAlbumTrackDetails bool
	// Sleep waits between retries; nil sleeps for real. Tests shorten it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now defaults to time.Now (token expiry).
	Now    func() time.Time
	Logger *slog.Logger
}

// Client talks to the Spotify Web API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http *http.Client
	log  *slog.Logger

	mu      sync.Mutex
	token   string
	expires time.Time
}

// New returns a client; it makes no request until used.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 60 * time.Second
	}
	if cfg.TokenMargin <= 0 {
		cfg.TokenMargin = 60 * time.Second
	}
	if cfg.MaxTracks <= 0 {
		cfg.MaxTracks = 10000
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, http: hc, log: log}
}

// TokenSource gives a connected account's access token; package
// spotify/account keeps it fresh.
type TokenSource interface {
	AccessToken(ctx context.Context) (string, error)
	// Expire drops a token Spotify rejected, so the next AccessToken
	// refreshes it.
	Expire(ctx context.Context, token string)
}

// HasCredentials reports whether app credentials (client id and secret)
// are set.
func (c *Client) HasCredentials() bool {
	return c.cfg.ClientID != "" && c.cfg.ClientSecret != ""
}

// HasAccount reports whether a connected account reads playlists.
func (c *Client) HasAccount() bool { return c.cfg.Account != nil }

// CanUseAPI reports whether the Web API can be called at all: with app
// credentials or a connected account. Without either, only the public
// embed pages are read.
func (c *Client) CanUseAPI() bool { return c.HasCredentials() || c.HasAccount() }

// tokenFor is how a call authenticates: as the connected account when
// asked (and connected), else with the app's client-credentials token,
// else (no secret) as the account.
func (c *Client) tokenFor(asUser bool) (get func(context.Context) (string, error), drop func(context.Context, string)) {
	if c.cfg.Account != nil && (asUser || !c.HasCredentials()) {
		return c.cfg.Account.AccessToken, c.cfg.Account.Expire
	}
	return c.accessToken, func(_ context.Context, tok string) { c.dropToken(tok) }
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// accessToken returns a cached token or fetches a new one.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if !c.HasCredentials() {
		return "", ErrCredentialsRequired
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.cfg.Now().Before(c.expires) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("spotify: token request: %w", err)
	}
	req.SetBasicAuth(c.cfg.ClientID, c.cfg.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("spotify: token request: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", fmt.Errorf("spotify: token response: %w: %w", ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized:
		// invalid_client comes back as 400 from the accounts service.
		return "", fmt.Errorf("spotify: token request: HTTP %d %s: %w", resp.StatusCode, clip.Body(body), ErrUnauthorized)
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", &RateLimitError{RetryAfter: retryAfter(resp.Header), Message: errorMessage(body)}
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("spotify: token request: HTTP %d: %w", resp.StatusCode, ErrUnavailable)
	}
	var tok wireToken
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("spotify: token response unreadable: %w", ErrUnavailable)
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	margin := c.cfg.TokenMargin
	if margin > life/2 {
		// Short-lived tokens (tests) would otherwise never be cached.
		margin = life / 2
	}
	c.token, c.expires = tok.AccessToken, c.cfg.Now().Add(life-margin)
	return c.token, nil
}

func (c *Client) dropToken(stale string) {
	c.mu.Lock()
	if c.token == stale {
		c.token = ""
	}
	c.mu.Unlock()
}

// getJSON GETs an absolute API URL with the app's token (see tokenFor)
// and decodes a 200 body into out.
func (c *Client) getJSON(ctx context.Context, rawURL string, out any) error {
	return c.get(ctx, rawURL, out, false)
}

// get GETs an absolute API URL and decodes a 200 body into out, as the
// connected account when asUser. It renews the token once on 401 and
// waits out 429s (bounded).
func (c *Client) get(ctx context.Context, rawURL string, out any, asUser bool) error {
	token, drop := c.tokenFor(asUser)
	renewed := false
	for attempt := 0; ; attempt++ {
		tok, err := token(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return fmt.Errorf("spotify: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("spotify: GET %s: %w: %w", rawURL, ErrUnavailable, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("spotify: GET %s: %w: %w", rawURL, ErrUnavailable, err)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("spotify: GET %s: decoding: %w: %w", rawURL, ErrUnavailable, err)
			}
			return nil
		case http.StatusUnauthorized:
			if renewed {
				return statusError(resp.StatusCode, errorMessage(body), rawURL)
			}
			// Expired or revoked token: get a fresh one and try once more.
			c.log.DebugContext(ctx, "spotify token rejected, renewing", "url", rawURL)
			drop(ctx, tok)
			renewed = true
			continue
		case http.StatusTooManyRequests:
			rl := &RateLimitError{RetryAfter: retryAfter(resp.Header), Message: errorMessage(body)}
			if attempt >= c.cfg.MaxRetries || rl.RetryAfter > c.cfg.MaxRetryWait {
				return fmt.Errorf("spotify: GET %s: %w", rawURL, rl)
			}
			wait := rl.RetryAfter
			if wait <= 0 {
				wait = time.Duration(attempt+1) * time.Second
			}
			c.log.InfoContext(ctx, "spotify rate limited, waiting", "retry_after", wait, "attempt", attempt+1)
			if err := c.cfg.Sleep(ctx, wait); err != nil {
				return err
			}
			continue
		default:
			return statusError(resp.StatusCode, errorMessage(body), rawURL)
		}
	}
}

// retryAfter reads Retry-After in seconds (Spotify does not send dates).
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// errorMessage pulls Spotify's message out of a JSON error object, or
// returns the (bounded) plain-text body: 429s have come as both.
func errorMessage(body []byte) string {
	var we wireError
	if json.Unmarshal(body, &we) == nil && we.Error.Message != "" {
		if we.Error.Reason != "" {
			return we.Error.Message + " (" + we.Error.Reason + ")"
		}
		return we.Error.Message
	}
	return clip.Body(body)
}

// apiURL builds an absolute URL under the base.
func (c *Client) apiURL(path string, q url.Values) string {
	u := c.cfg.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// sameOrigin reports whether a "next" link points at our API base, so the
// bearer token is never sent elsewhere.
func (c *Client) sameOrigin(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	b, err := url.Parse(c.cfg.BaseURL)
	if err != nil {
		return false
	}
	return u.Scheme == b.Scheme && u.Host == b.Host
}

var errStopPaging = errors.New("stop paging")

// CheckTrackID is the track the connection test reads: Rick Astley's
// "Never Gonna Give You Up", in Spotify's catalogue since 2009.
const CheckTrackID = "4uLU6hMCjMI75M1A2tKUQC"

// CheckCredentials tests the app credentials as a download would use
// them: it fetches a token and reads one known track, so a Premium lapse
// of the app's owner (ErrPremiumRequired), which the token endpoint does
// not show, fails the check. A 404 passes: Spotify accepted the call.
func (c *Client) CheckCredentials(ctx context.Context) error {
	if !c.HasCredentials() {
		return ErrCredentialsRequired
	}
	var w wireTrack
	err := c.getJSON(ctx, c.apiURL("/v1/tracks/"+CheckTrackID, nil), &w)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Me reads the connected account's profile (GET /v1/me).
func (c *Client) Me(ctx context.Context) (*User, error) {
	if !c.HasAccount() {
		return nil, ErrCredentialsRequired
	}
	var w wireUser
	if err := c.get(ctx, c.apiURL("/v1/me", nil), &w, true); err != nil {
		return nil, err
	}
	return &User{ID: w.ID, DisplayName: w.DisplayName, Product: w.Product}, nil
}
