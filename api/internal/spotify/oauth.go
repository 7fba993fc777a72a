package spotify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/downlink/downlink/api/internal/clip"
)

// AccountScopes are what a connected account grants Downlink: reading
// the playlists it owns or collaborates on (private ones included), and
// its profile, to show whose account is connected.
var AccountScopes = []string{"playlist-read-private", "playlist-read-collaborative", "user-read-private"}

// ErrAccountRevoked: the accounts service refused the stored refresh
// token (the user removed the app's access, or the client id changed).
var ErrAccountRevoked = errors.New("spotify: the connected account's authorization is no longer valid")

// AuthorizeURL is the accounts service's authorization page next to its
// token endpoint: https://accounts.spotify.com/api/token gives
// https://accounts.spotify.com/authorize (a stand-in's likewise).
func AuthorizeURL(tokenURL string) string {
	u, err := url.Parse(tokenURL)
	if err != nil || u.Host == "" {
		return ""
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/token") + "/authorize"
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// OAuth is the authorization-code flow with PKCE against Spotify's
// accounts service, for connecting a user's own account.
type OAuth struct {
	cfg  *oauth2.Config
	http *http.Client
}

// OAuthConfig configures OAuth.
type OAuthConfig struct {
	// ClientID is the app's; ClientSecret may be empty (PKCE needs none).
	ClientID, ClientSecret string
	// TokenURL is the accounts service's token endpoint; the authorization
	// page is found next to it (AuthorizeURL).
	TokenURL string
	// RedirectURI is Downlink's callback, registered with the app.
	RedirectURI string
	// HTTPClient carries the token requests (default: 30 s timeout).
	HTTPClient *http.Client
}

// NewOAuth returns the flow for cfg.
func NewOAuth(cfg OAuthConfig) *OAuth {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	return &OAuth{http: hc, cfg: &oauth2.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURI, Scopes: AccountScopes,
		Endpoint: oauth2.Endpoint{AuthURL: AuthorizeURL(tokenURL), TokenURL: tokenURL, AuthStyle: authStyle(cfg.ClientSecret)},
	}}
}

// authStyle: with a secret the client authenticates with Basic auth; a
// PKCE-only client sends its id in the form.
func authStyle(secret string) oauth2.AuthStyle {
	if secret == "" {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// AuthCodeURL is where the admin's browser goes to grant access: state
// ties the callback to this attempt, verifier is the PKCE secret kept
// until the exchange (its S256 challenge goes in the URL).
func (o *OAuth) AuthCodeURL(state, verifier string) string {
	return o.cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

// NewVerifier returns a fresh PKCE code verifier.
func NewVerifier() string { return oauth2.GenerateVerifier() }

// UserToken is what the accounts service grants a connected account.
type UserToken struct {
	AccessToken  string
	RefreshToken string
	// Lifetime is how long the access token is valid from its issue.
	Lifetime time.Duration
	Scope    string
}

// Exchange trades the callback's code (and the attempt's verifier) for
// the account's tokens.
func (o *OAuth) Exchange(ctx context.Context, code, verifier string) (*UserToken, error) {
	tok, err := o.cfg.Exchange(o.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenError("code exchange", err)
	}
	return userToken(tok, ""), nil
}

// Refresh renews the access token. Spotify may rotate the refresh token:
// the returned one is to be stored in place of the old.
func (o *OAuth) Refresh(ctx context.Context, refreshToken string) (*UserToken, error) {
	src := o.cfg.TokenSource(o.ctx(ctx), &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)})
	tok, err := src.Token()
	if err != nil {
		return nil, tokenError("refresh", err)
	}
	return userToken(tok, refreshToken), nil
}

func (o *OAuth) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, o.http)
}

func userToken(t *oauth2.Token, oldRefresh string) *UserToken {
	ut := &UserToken{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, Lifetime: time.Duration(t.ExpiresIn) * time.Second}
	if ut.Lifetime <= 0 && !t.Expiry.IsZero() {
		ut.Lifetime = time.Until(t.Expiry)
	}
	if ut.RefreshToken == "" {
		ut.RefreshToken = oldRefresh
	}
	if s, ok := t.Extra("scope").(string); ok {
		ut.Scope = s
	}
	return ut
}

// tokenError maps the accounts service's answers: invalid_grant is a
// revoked or expired grant, invalid_client bad credentials, 429 a rate
// limit, anything else the service not answering properly.
func tokenError(what string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		switch {
		case re.ErrorCode == "invalid_grant":
			return fmt.Errorf("spotify: %s: %w: %s", what, ErrAccountRevoked, re.ErrorDescription)
		case re.ErrorCode == "invalid_client" || re.Response.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("spotify: %s: %w", what, ErrUnauthorized)
		case re.Response.StatusCode == http.StatusTooManyRequests:
			return &RateLimitError{RetryAfter: retryAfter(re.Response.Header), Message: clip.Body(re.Body)}
		}
		return fmt.Errorf("spotify: %s: HTTP %d: %w", what, re.Response.StatusCode, ErrUnavailable)
	}
	return fmt.Errorf("spotify: %s: %w: %w", what, ErrUnavailable, err)
}
