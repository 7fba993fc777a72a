package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gorilla/securecookie"
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/users"
)

// Provider is one login button.
type Provider struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	LoginURL string `json:"login_url"`
}

// Pre-login cookie: state, nonce and PKCE verifier of one login attempt,
// bound to the browser that started it.
const (
	preLoginCookie = "downlink_prelogin"
	preLoginPath   = "/api/v1/auth/oidc"
	preLoginTTL    = 10 * time.Minute
)

// Errors of the OIDC flow. None of them creates a session.
var (
	ErrUnknownProvider = problem.New(http.StatusNotFound, "Unknown login provider")
	ErrOIDCFailed      = problem.New(http.StatusBadRequest, "OIDC login failed")
	ErrProviderDown    = problem.New(http.StatusBadGateway, "Identity provider unreachable").
				WithDetail("The identity provider did not answer; try again later.")
)

type providerKind int

const (
	kindOIDC providerKind = iota
	kindGitHub
)

// providerEntry is one configured provider; an OIDC provider is discovered
// on first use (discovery needs the issuer up).
type providerEntry struct {
	id, name     string
	kind         providerKind
	issuer       string
	clientID     string
	clientSecret string
	// GitHub: its web and API addresses, and the organisations whose
	// members may sign up.
	webURL, apiURL string
	orgs           []string

	mu         sync.Mutex
	discovered goth.Provider // kindOIDC, once discovered
	verifier   *oidc.IDTokenVerifier
}

type oidcProviders struct {
	cfg     *config.Config
	log     *slog.Logger
	codec   securecookie.Codec
	entries map[string]*providerEntry
	order   []string
	isTLS   func(*http.Request) bool
}

func newOIDCProviders(cfg *config.Config, keys *secrets.Keys, log *slog.Logger) *oidcProviders {
	codec := securecookie.New(keys.Derive("downlink prelogin hmac v1", 64), keys.Derive("downlink prelogin aes v1", 32))
	codec.MaxAge(int(preLoginTTL.Seconds()))
	p := &oidcProviders{cfg: cfg, log: log, codec: codec, entries: map[string]*providerEntry{}, isTLS: isHTTPS(cfg.TrustedPeer, cfg.BaseURL)}
	add := func(e *providerEntry) {
		p.entries[e.id] = e
		p.order = append(p.order, e.id)
	}
	if cfg.OIDCIssuer != "" {
		add(&providerEntry{id: "oidc", name: cfg.OIDCName, kind: kindOIDC, issuer: strings.TrimRight(cfg.OIDCIssuer, "/"),
			clientID: cfg.OIDCClientID, clientSecret: cfg.OIDCClientSecret})
	}
	if cfg.GoogleClientID != "" {
		add(&providerEntry{id: "google", name: "Google", kind: kindOIDC, issuer: "https://accounts.google.com",
			clientID: cfg.GoogleClientID, clientSecret: cfg.GoogleClientSecret})
	}
	if cfg.GitHubClientID != "" {
		add(&providerEntry{id: "github", name: "GitHub", kind: kindGitHub, issuer: "github",
			clientID: cfg.GitHubClientID, clientSecret: cfg.GitHubClientSecret, orgs: cfg.GitHubOrgs,
			webURL: cmp.Or(cfg.GitHubURL, "https://github.com"), apiURL: cmp.Or(cfg.GitHubAPIURL, "https://api.github.com")})
	}
	return p
}

func (p *oidcProviders) list() []Provider {
	out := make([]Provider, 0, len(p.order))
	for _, id := range p.order {
		e := p.entries[id]
		out = append(out, Provider{ID: e.id, Name: e.name, LoginURL: preLoginPath + "/" + e.id + "/login"})
	}
	return out
}

func (p *oidcProviders) callbackURL(r *http.Request, id string) string {
	base := p.cfg.BaseURL
	if base == "" {
		scheme := "http"
		if p.isTLS(r) {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + preLoginPath + "/" + id + "/callback"
}

// gothProvider returns the provider for a login that comes back to
// callback. Without a base URL the callback follows the request's Host, so
// nothing is kept per callback (a stream of made-up Hosts used to cost a
// discovery fetch and a cached provider each): GitHub's provider is a plain
// struct built per call, and the OIDC provider is discovered once, with the
// callback set per request as redirect_uri in the authorization URL and
// the code exchange.
func (e *providerEntry) gothProvider(callback string) (goth.Provider, error) {
	if e.kind == kindGitHub {
		scopes := []string{"read:user", "user:email"}
		if len(e.orgs) > 0 {
			scopes = append(scopes, "read:org") // to see private memberships
		}
		return github.NewCustomisedURL(e.clientID, e.clientSecret, callback, e.webURL+"/login/oauth/authorize",
			e.webURL+"/login/oauth/access_token", e.apiURL+"/user", e.apiURL+"/user/emails", scopes...), nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.discovered != nil {
		return e.discovered, nil
	}
	op, err := openidConnect.New(e.clientID, e.clientSecret, "", e.issuer+"/.well-known/openid-configuration", "openid", "email", "profile")
	if err != nil {
		return nil, err
	}
	e.discovered = op
	return op, nil
}

// idVerifier checks ID tokens: signature against the issuer's keys,
// issuer, audience, expiry (the nonce is checked by the caller).
func (e *providerEntry) idVerifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.verifier != nil {
		return e.verifier, nil
	}
	prov, err := oidc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), http.DefaultClient), e.issuer)
	if err != nil {
		return nil, err
	}
	e.verifier = prov.Verifier(&oidc.Config{ClientID: e.clientID})
	return e.verifier, nil
}

// preLogin is what the pre-login cookie holds.
type preLogin struct {
	Provider string    `json:"p"`
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	ReturnTo string    `json:"r"`
	Created  time.Time `json:"t"`
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// safeReturnTo keeps only same-site paths ("/x", not "//evil" or "http:").
func safeReturnTo(s string) string {
	if s == "" || len(s) > 2048 || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return s
}

// BeginOIDC starts a login with provider id: it remembers state, nonce
// and PKCE verifier in the pre-login cookie and returns the provider's
// authorization URL.
func (s *Service) BeginOIDC(w http.ResponseWriter, r *http.Request, id, returnTo string) (string, error) {
	e, ok := s.oidc.entries[id]
	if !ok {
		return "", ErrUnknownProvider.WithDetail("No login provider %q is configured.", id)
	}
	callback := s.oidc.callbackURL(r, id)
	gp, err := e.gothProvider(callback)
	if err != nil {
		s.log.Error("identity provider discovery failed", "provider", id, "err", err)
		return "", ErrProviderDown.WithCause(err)
	}
	pl := preLogin{Provider: id, State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		ReturnTo: safeReturnTo(returnTo), Created: time.Now().UTC()}
	sess, err := gp.BeginAuth(pl.State)
	if err != nil {
		return "", ErrProviderDown.WithCause(err)
	}
	authURL, err := sess.GetAuthURL()
	if err != nil {
		return "", err
	}
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("redirect_uri", callback)
	q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(pl.Verifier))
	q.Set("code_challenge_method", "S256")
	if e.kind == kindOIDC {
		q.Set("nonce", pl.Nonce)
	}
	u.RawQuery = q.Encode()
	raw, _ := json.Marshal(pl)
	enc, err := s.oidc.codec.Encode(preLoginCookie, raw)
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: preLoginCookie, Value: enc, Path: preLoginPath, MaxAge: int(preLoginTTL.Seconds()),
		HttpOnly: true, Secure: s.oidc.isTLS(r), SameSite: http.SameSiteLaxMode})
	return u.String(), nil
}

// FinishOIDC completes a login at the callback: state against the
// pre-login cookie, code exchange with the PKCE verifier, ID token
// verification (signature, issuer, audience, expiry, nonce), then the user
// is found or created and a session starts. It returns where to send the
// browser.
func (s *Service) FinishOIDC(ctx context.Context, w http.ResponseWriter, r *http.Request, id string) (string, error) {
	e, ok := s.oidc.entries[id]
	if !ok {
		return "", ErrUnknownProvider.WithDetail("No login provider %q is configured.", id)
	}
	// The pre-login cookie is single-use: cleared whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: preLoginCookie, Value: "", Path: preLoginPath, MaxAge: -1,
		HttpOnly: true, Secure: s.oidc.isTLS(r), SameSite: http.SameSiteLaxMode})
	ident, pl, member, err := s.verifyCallback(ctx, r, e)
	if err != nil {
		s.metrics.AuthFailures.WithLabelValues("oidc").Inc()
		s.audit.WarnContext(ctx, "oidc login failed", "action", "auth.login_failed", "provider", id, "ip", clientIP(ctx, r), "reason", problemText(err))
		return "", err
	}
	if ident.AvatarURL != "" && !users.AvatarAllowed(ident.AvatarURL, s.cfg.AvatarHosts()...) {
		ident.AvatarURL = "" // not a provider's avatar host: not stored, never loaded by admins' browsers
	}
	rules := users.SignupRules{Open: s.cfg.OpenSignup, AdminEmails: s.cfg.AdminEmails, Emails: s.cfg.SignupEmails,
		Domains: s.cfg.SignupDomains, Member: member}
	u, created, err := s.users.SignInOIDC(ctx, ident, rules)
	if err != nil {
		s.audit.WarnContext(ctx, "oidc login refused", "action", "auth.login_failed", "provider", id, "email", ident.Email,
			"email_verified", ident.EmailVerified, "ip", clientIP(ctx, r), "reason", problemText(err))
		return "", err
	}
	if created {
		s.audit.InfoContext(ctx, "user created by first oidc login", "action", "user.created", "actor_id", u.ID, "target", "user:"+u.ID.String(), "email", u.Email, "role", u.Role, "provider", id)
	}
	if err := s.startSession(ctx, w, r, u); err != nil {
		return "", err
	}
	s.audit.InfoContext(ctx, "login", "action", "auth.login", "actor_id", u.ID, "email", u.Email, "ip", clientIP(ctx, r), "method", "oidc", "provider", id)
	return pl.ReturnTo, nil
}

// problemText is what the audit log says about a refused login: the
// problem's detail, and its cause when the answer hides it.
func problemText(err error) string {
	var p *problem.Problem
	if errors.As(err, &p) {
		text := cmp.Or(p.Detail, p.Title)
		if p.Cause != nil {
			text += " (" + p.Cause.Error() + ")"
		}
		return text
	}
	return err.Error()
}

// memberFunc reports whether the signed-in identity belongs to an
// allowed organisation (GitHub only).
type memberFunc = func(ctx context.Context) (bool, error)

func (s *Service) verifyCallback(ctx context.Context, r *http.Request, e *providerEntry) (users.Identity, preLogin, memberFunc, error) {
	q := r.URL.Query()
	fail := func(format string, args ...any) (users.Identity, preLogin, memberFunc, error) {
		return users.Identity{}, preLogin{}, nil, ErrOIDCFailed.WithDetail(format, args...)
	}
	c, err := r.Cookie(preLoginCookie)
	if err != nil {
		return fail("This browser has no login in progress (it expired, or was already used). Start again.")
	}
	var raw []byte
	if err := s.oidc.codec.Decode(preLoginCookie, c.Value, &raw); err != nil {
		return fail("The login attempt expired or was altered. Start again.")
	}
	var pl preLogin
	if err := json.Unmarshal(raw, &pl); err != nil || pl.Provider != e.id {
		return fail("The login attempt does not belong to this provider. Start again.")
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(pl.State)) != 1 {
		return fail("The state parameter does not match this browser's login attempt. Start again.")
	}
	if perr := q.Get("error"); perr != "" {
		return fail("The identity provider refused the login (%s).", clip.String(perr, 100))
	}
	code := q.Get("code")
	if code == "" {
		return fail("The identity provider sent no authorization code.")
	}
	callback := s.oidc.callbackURL(r, e.id)
	gp, err := e.gothProvider(callback)
	if err != nil {
		return users.Identity{}, pl, nil, ErrProviderDown.WithCause(err)
	}
	sess, err := gp.BeginAuth(pl.State)
	if err != nil {
		return users.Identity{}, pl, nil, ErrProviderDown.WithCause(err)
	}
	params := url.Values{"code": {code}, "code_verifier": {pl.Verifier}, "redirect_uri": {callback}}
	if _, err := sess.Authorize(gp, params); err != nil {
		s.log.Warn("code exchange failed", "provider", e.id, "err", err)
		return fail("The authorization code was refused by the identity provider.")
	}
	if e.kind == kindGitHub {
		gu, err := gp.FetchUser(sess)
		if err != nil {
			return users.Identity{}, pl, nil, ErrProviderDown.WithCause(err)
		}
		var member memberFunc
		if len(e.orgs) > 0 {
			member = func(ctx context.Context) (bool, error) { return e.inOrgs(ctx, gu.AccessToken, s.log) }
		}
		return users.Identity{Issuer: "github", Subject: gu.UserID, Email: gu.Email, EmailVerified: gu.Email != "",
			Name: cmp.Or(strings.TrimSpace(gu.Name), strings.TrimSpace(gu.NickName)), AvatarURL: gu.AvatarURL}, pl, member, nil
	}
	os, ok := sess.(*openidConnect.Session)
	if !ok || os.IDToken == "" {
		return fail("The identity provider sent no ID token.")
	}
	verifier, err := e.idVerifier(ctx)
	if err != nil {
		return users.Identity{}, pl, nil, ErrProviderDown.WithCause(err)
	}
	tok, err := verifier.Verify(ctx, os.IDToken)
	if err != nil {
		s.log.Warn("id token rejected", "provider", e.id, "err", err)
		return fail("The ID token is not valid (%s).", idTokenReason(err))
	}
	if subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(pl.Nonce)) != 1 {
		return fail("The ID token's nonce does not match this login attempt.")
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"email_verified"`
		Name          string `json:"name"`
		PreferredName string `json:"preferred_username"`
		Picture       string `json:"picture"`
	}
	if err := tok.Claims(&claims); err != nil {
		return fail("The ID token's claims cannot be read.")
	}
	// Only an explicit email_verified=true vouches for the address: an
	// issuer that does not say must not make someone an admin by e-mail.
	verified := claims.EmailVerified != nil && *claims.EmailVerified
	return users.Identity{Issuer: tok.Issuer, Subject: tok.Subject, Email: claims.Email, EmailVerified: verified,
		Name: cmp.Or(strings.TrimSpace(claims.Name), strings.TrimSpace(claims.PreferredName)), AvatarURL: claims.Picture}, pl, nil, nil
}

func idTokenReason(err error) string {
	var expired *oidc.TokenExpiredError
	switch msg := err.Error(); {
	case errors.As(err, &expired):
		return "expired"
	case strings.Contains(msg, "signature"):
		return "bad signature"
	case strings.Contains(msg, "issuer"), strings.Contains(msg, "different provider"):
		return "wrong issuer"
	case strings.Contains(msg, "audience"):
		return "wrong audience"
	}
	return "rejected"
}

// Providers lists the configured login buttons.
func (s *Service) Providers() []Provider { return s.oidc.list() }
