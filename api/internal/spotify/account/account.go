// Package account keeps the Spotify account an admin connected (the
// authorization-code flow with PKCE): the pending authorization attempts,
// and the account's refresh and access tokens, sealed at rest with the
// secrets key. It is the spotify.TokenSource through which playlists the
// account owns or collaborates on (private ones too) are read.
//
// One account per installation: connecting another replaces it. Tokens
// live in the database, not in memory, so every node uses (and refreshes)
// the same grant; a refresh happens under the row's lock, because Spotify
// may rotate the refresh token with each use.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/spotify"
	"github.com/downlink/downlink/api/internal/store"
)

// Errors owned by this package; their titles are safe to show.
var (
	// ErrNoClientID: connecting needs the Spotify app's client id.
	ErrNoClientID = problem.New(http.StatusConflict, "Set the Spotify app's client id first")
	// ErrBadState: the callback's state matches no pending attempt (expired,
	// used, or forged).
	ErrBadState = problem.New(http.StatusBadRequest, "This Spotify authorization is unknown or expired; start again")
	// ErrDenied: the user declined on Spotify's page.
	ErrDenied = problem.New(http.StatusBadRequest, "Spotify access was not granted")
	// ErrNotConnected: no account is connected.
	ErrNotConnected = problem.New(http.StatusNotFound, "No Spotify account is connected")
)

// attemptTTL is how long a started authorization may take.
const attemptTTL = 10 * time.Minute

// accessMargin renews an access token this long before it expires.
const accessMargin = time.Minute

// AppConfig is what the flow needs of the Spotify settings: the app's
// client id (and secret, if set), the token URL and the Web API base.
type AppConfig = settings.SpotifyConfig

// Settings gives the current Spotify settings (settings.Service).
type Settings interface {
	Spotify(ctx context.Context) settings.SpotifyConfig
}

// Deps are the account service's collaborators.
type Deps struct {
	DB       *gorm.DB
	Keys     *secrets.Keys
	Settings Settings
	// HTTPClient carries token and profile requests (default: 30 s
	// timeout). The accounts service's address is the admin's setting.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now defaults to time.Now.
	Now func() time.Time
}

// Service keeps the connected account.
type Service struct {
	db       *gorm.DB
	keys     *secrets.Keys
	settings Settings
	http     *http.Client
	log      *slog.Logger
	audit    *slog.Logger
	now      func() time.Time
}

var _ spotify.TokenSource = (*Service)(nil)

// New returns the service.
func New(d Deps) *Service {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := d.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &Service{db: d.DB, keys: d.Keys, settings: d.Settings, http: hc, now: now,
		log: log.With("source", "settings"), audit: log.With("source", "audit", "audit", true)}
}

// Status is the connected account as the settings page shows it.
type Status struct {
	Connected   bool       `json:"connected"`
	UserID      *string    `json:"user_id"`
	DisplayName *string    `json:"display_name"`
	Product     *string    `json:"product"`
	Scopes      []string   `json:"scopes"`
	ConnectedAt *time.Time `json:"connected_at"`
	// ClientMismatch: the app's client id changed since the account was
	// connected; its grant belongs to the old app and must be renewed.
	ClientMismatch bool `json:"client_mismatch"`
}

// accountRow is the spotify_accounts table (one row, id 1).
type accountRow struct {
	ID              int `gorm:"primaryKey;autoIncrement:false"`
	SpotifyUserID   string
	DisplayName     string
	Product         string
	Scopes          string
	ClientID        string
	RefreshSealed   string
	AccessSealed    *string
	AccessExpiresAt *time.Time
	ConnectedBy     *uuid.UUID `gorm:"type:uuid"`
	ConnectedAt     time.Time
	UpdatedAt       time.Time
}

func (accountRow) TableName() string { return "spotify_accounts" }

// requestRow is the spotify_auth_requests table.
type requestRow struct {
	StateHash      string `gorm:"primaryKey"`
	VerifierSealed string
	RedirectURI    string
	ClientID       string
	CreatedBy      uuid.UUID `gorm:"type:uuid"`
	ExpiresAt      time.Time
}

func (requestRow) TableName() string { return "spotify_auth_requests" }

// Seal contexts: a sealed value opens only for what it was sealed as.
const (
	sealRefresh  = "spotify:account:refresh"
	sealAccess   = "spotify:account:access"
	sealVerifier = "spotify:account:verifier"
)

func (s *Service) oauth(app AppConfig, redirectURI string) *spotify.OAuth {
	return spotify.NewOAuth(spotify.OAuthConfig{ClientID: app.ClientID, ClientSecret: app.ClientSecret,
		TokenURL: app.TokenURL, RedirectURI: redirectURI, HTTPClient: s.http})
}

// Begin starts connecting an account: it records the attempt (state hash,
// sealed PKCE verifier) and returns the Spotify page the admin's browser
// opens. redirectURI is Downlink's callback, which must be registered
// with the Spotify app.
func (s *Service) Begin(ctx context.Context, actor uuid.UUID, redirectURI string) (string, error) {
	app := s.settings.Spotify(ctx)
	if app.ClientID == "" {
		return "", ErrNoClientID.WithDetail("Create an app at developer.spotify.com, add %s as its redirect URI, and enter its client id in Settings → Platforms → Spotify.", redirectURI)
	}
	state := randomToken()
	verifier := spotify.NewVerifier()
	now := s.now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", now).Delete(&requestRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&requestRow{StateHash: hashState(state), VerifierSealed: s.keys.Seal([]byte(verifier), sealVerifier),
			RedirectURI: redirectURI, ClientID: app.ClientID, CreatedBy: actor, ExpiresAt: now.Add(attemptTTL)}).Error
	})
	if err != nil {
		return "", err
	}
	return s.oauth(app, redirectURI).AuthCodeURL(state, verifier), nil
}

// Complete finishes an attempt from Spotify's callback: it exchanges the
// code, reads the account's profile and stores the grant sealed. An
// attempt is used once, by the admin who started it. errParam is the
// callback's "error" (the user declined).
func (s *Service) Complete(ctx context.Context, actor uuid.UUID, state, code, errParam string) (Status, error) {
	var req requestRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := store.ForUpdate(tx).Where("state_hash = ?", hashState(state)).Take(&req).Error; err != nil {
			return err
		}
		return tx.Where("state_hash = ?", req.StateHash).Delete(&requestRow{}).Error
	})
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return Status{}, ErrBadState
	case err != nil:
		return Status{}, err
	case req.CreatedBy != actor || s.now().After(req.ExpiresAt):
		return Status{}, ErrBadState
	case errParam != "":
		return Status{}, ErrDenied.WithDetail("Spotify answered %q.", errParam)
	case code == "":
		return Status{}, ErrBadState
	}
	verifier, err := s.keys.Open(req.VerifierSealed, sealVerifier)
	if err != nil {
		return Status{}, fmt.Errorf("spotify account: open verifier: %w", err)
	}
	app := s.settings.Spotify(ctx)
	if app.ClientID != req.ClientID {
		return Status{}, ErrBadState.WithDetail("The client id changed while connecting; start again.")
	}
	tok, err := s.oauth(app, req.RedirectURI).Exchange(ctx, code, string(verifier))
	if err != nil {
		return Status{}, err
	}
	me, err := s.profile(ctx, app, tok.AccessToken)
	if err != nil {
		return Status{}, err
	}
	now := s.now().UTC()
	access, expires := s.keys.Seal([]byte(tok.AccessToken), sealAccess), now.Add(tok.Lifetime)
	row := accountRow{ID: 1, SpotifyUserID: me.ID, DisplayName: me.DisplayName, Product: me.Product, Scopes: tok.Scope,
		ClientID: app.ClientID, RefreshSealed: s.keys.Seal([]byte(tok.RefreshToken), sealRefresh),
		AccessSealed: &access, AccessExpiresAt: &expires, ConnectedBy: &actor, ConnectedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", 1).Delete(&accountRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return Status{}, err
	}
	s.audit.InfoContext(ctx, "spotify account connected", "action", "settings.spotify_account_connected",
		"actor_id", actor, "target", "settings:spotify", "spotify_user", me.ID)
	return s.view(row, app), nil
}

// profile reads GET /v1/me with a fresh access token.
func (s *Service) profile(ctx context.Context, app AppConfig, access string) (*spotify.User, error) {
	c := spotify.New(spotify.Config{BaseURL: app.APIBaseURL, HTTPClient: s.http, MaxRetries: 1,
		Account: staticToken(access), Logger: s.log})
	return c.Me(ctx)
}

// Status returns the connected account.
func (s *Service) Status(ctx context.Context) (Status, error) {
	var row accountRow
	err := s.db.WithContext(ctx).Where("id = ?", 1).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Status{Scopes: []string{}}, nil
	}
	if err != nil {
		return Status{}, err
	}
	return s.view(row, s.settings.Spotify(ctx)), nil
}

func (s *Service) view(r accountRow, app AppConfig) Status {
	at := r.ConnectedAt.UTC()
	st := Status{Connected: true, UserID: &r.SpotifyUserID, DisplayName: &r.DisplayName, ConnectedAt: &at,
		Scopes: splitScopes(r.Scopes), ClientMismatch: app.ClientID != r.ClientID}
	if r.Product != "" {
		st.Product = &r.Product
	}
	return st
}

// Connected reports whether an account is connected for the current app.
func (s *Service) Connected(ctx context.Context) bool {
	st, err := s.Status(ctx)
	return err == nil && st.Connected && !st.ClientMismatch
}

// Disconnect forgets the account (Spotify keeps listing the app under
// the user's account until they remove it there).
func (s *Service) Disconnect(ctx context.Context, actor uuid.UUID) error {
	res := s.db.WithContext(ctx).Where("id = ?", 1).Delete(&accountRow{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotConnected
	}
	s.audit.InfoContext(ctx, "spotify account disconnected", "action", "settings.spotify_account_disconnected",
		"actor_id", actor, "target", "settings:spotify")
	return nil
}

// AccessToken implements spotify.TokenSource: the stored access token
// while it is fresh, else a refreshed one, written back (with a rotated
// refresh token) under the row's lock so nodes never race a refresh.
func (s *Service) AccessToken(ctx context.Context) (string, error) {
	if tok, ok := s.freshAccess(ctx); ok {
		return tok, nil
	}
	var access string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row accountRow
		if err := store.ForUpdate(tx).Where("id = ?", 1).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotConnected
			}
			return err
		}
		if tok, ok := s.openAccess(row); ok {
			access = tok // another node refreshed meanwhile
			return nil
		}
		refresh, err := s.keys.Open(row.RefreshSealed, sealRefresh)
		if err != nil {
			return fmt.Errorf("spotify account: stored refresh token does not open (was DOWNLINK_SECRET_KEY changed?): %w", spotify.ErrAccountRevoked)
		}
		app := s.settings.Spotify(ctx)
		if app.ClientID != row.ClientID {
			return fmt.Errorf("spotify account: granted to client %s, not the configured one: %w", row.ClientID, spotify.ErrAccountRevoked)
		}
		tok, err := s.oauth(app, "").Refresh(ctx, string(refresh))
		if err != nil {
			return err
		}
		sealed, expires := s.keys.Seal([]byte(tok.AccessToken), sealAccess), s.now().UTC().Add(tok.Lifetime)
		row.AccessSealed, row.AccessExpiresAt = &sealed, &expires
		row.RefreshSealed = s.keys.Seal([]byte(tok.RefreshToken), sealRefresh)
		row.UpdatedAt = s.now().UTC()
		access = tok.AccessToken
		return tx.Save(&row).Error
	})
	if err != nil {
		return "", err
	}
	return access, nil
}

// Expire implements spotify.TokenSource: Spotify refused token, so the
// stored access token is dropped and the next call refreshes.
func (s *Service) Expire(ctx context.Context, token string) {
	if cur, ok := s.freshAccess(ctx); !ok || cur != token {
		return
	}
	err := s.db.WithContext(ctx).Model(&accountRow{}).Where("id = ?", 1).
		Updates(map[string]any{"access_sealed": nil, "access_expires_at": nil}).Error
	if err != nil {
		s.log.WarnContext(ctx, "cannot drop the Spotify account's access token", "err", err)
	}
}

func (s *Service) freshAccess(ctx context.Context) (string, bool) {
	var row accountRow
	if err := s.db.WithContext(ctx).Where("id = ?", 1).Take(&row).Error; err != nil {
		return "", false
	}
	return s.openAccess(row)
}

func (s *Service) openAccess(row accountRow) (string, bool) {
	if row.AccessSealed == nil || row.AccessExpiresAt == nil || !s.now().Add(accessMargin).Before(*row.AccessExpiresAt) {
		return "", false
	}
	raw, err := s.keys.Open(*row.AccessSealed, sealAccess)
	if err != nil {
		return "", false
	}
	return string(raw), true
}

// RedirectPath is Downlink's callback path, under the public base URL.
const RedirectPath = "/api/v1/settings/platforms/spotify/account/callback"

// RedirectURI is the callback URL for a public base URL.
func RedirectURI(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base + RedirectPath
	}
	u.Path = RedirectPath
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashState(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

func splitScopes(s string) []string {
	return append([]string{}, strings.Fields(s)...)
}

// staticToken is a TokenSource of one token (the profile read right
// after the exchange).
type staticToken string

func (t staticToken) AccessToken(context.Context) (string, error) { return string(t), nil }
func (staticToken) Expire(context.Context, string)                {}
