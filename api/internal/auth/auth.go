// Package auth signs people in: local accounts with passwords, any OIDC
// provider (and GitHub/Google) through goth with our own state, nonce and
// PKCE, server-side sessions with idle and absolute timeouts, login
// throttling, and the one-time setup of the first admin.
package auth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/users"
)

// Deps are the sign-in service's collaborators; all but Timeouts are
// required.
type Deps struct {
	Config  *config.Config
	DB      *gorm.DB
	Users   *users.Service
	Keys    *secrets.Keys
	Metrics *metrics.Registry
	Logger  *slog.Logger
	// Timeouts returns the current session timeouts (settings may change
	// them at runtime); nil: the configured ones.
	Timeouts func() Timeouts
	// Mail sends invitation and reset links.
	Mail Mailer
	// LinkTTLs are the lifetimes of invitation and reset links.
	LinkTTLs LinkTTLs
}

// Service is the sign-in service.
type Service struct {
	cfg      *config.Config
	db       *gorm.DB
	users    *users.Service
	sessions *sessionStore
	throttle *throttle
	keys     *secrets.Keys
	log      *slog.Logger
	audit    *slog.Logger
	metrics  *metrics.Registry
	oidc     *oidcProviders
	setup    *setupToken
	mail     Mailer
	linkTTLs LinkTTLs
}

// New builds the service.
func New(d Deps) *Service {
	cfg, db, keys := d.Config, d.DB, d.Keys
	if d.Timeouts == nil {
		d.Timeouts = func() Timeouts { return Timeouts{Idle: cfg.SessionIdleTimeout, Absolute: cfg.SessionMaxAge} }
	}
	s := &Service{
		cfg: cfg, db: db, users: d.Users, keys: keys, metrics: d.Metrics,
		log:      d.Logger.With("source", "auth"),
		audit:    d.Logger.With("source", "audit", "audit", true),
		throttle: &throttle{db: db},
		mail:     d.Mail, linkTTLs: d.LinkTTLs,
	}
	s.sessions = newSessionStore(db, keys, d.Timeouts, isHTTPS(cfg.TrustedPeer, cfg.BaseURL))
	s.oidc = newOIDCProviders(cfg, keys, s.log)
	s.setup = &setupToken{db: db, keys: keys}
	return s
}

// Authenticate implements the HTTP layer's Authenticator for the session
// cookie. A request without the cookie is anonymous (nil, nil); a cookie
// whose session ended, or whose user is disabled, is a 401.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (*authz.Principal, error) {
	cur, err := s.sessions.lookup(ctx, r)
	if err != nil || cur == nil {
		return nil, err
	}
	if cur.Disabled {
		_, _ = s.sessions.deleteUser(ctx, cur.UserID, "")
		return nil, errSessionEnded
	}
	s.sessions.touch(ctx, cur, clientIP(ctx, r))
	return cur.principal(), nil
}

// MarkSignedIn sets the dashboard's signed-in hint (HintCookieName) on a
// session request that lacks it.
func (s *Service) MarkSignedIn(w http.ResponseWriter, r *http.Request) { s.sessions.markSignedIn(w, r) }

// clientIP is the caller's address as the HTTP layer resolved it
// (honouring trusted proxies), or the connection's peer.
func clientIP(ctx context.Context, r *http.Request) string {
	if ip := authz.ClientIP(ctx); ip != "" {
		return ip
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = strings.Trim(host[:i], "[]")
	}
	return host
}

// Login checks an e-mail and password, honouring throttles, and starts a
// session on w.
func (s *Service) Login(ctx context.Context, w http.ResponseWriter, r *http.Request, email, password string) (users.User, error) {
	ip := clientIP(ctx, r)
	account := strings.ToLower(strings.TrimSpace(email))
	accountKey := "account:" + account
	pairKey := "account:" + account + "|ip:" + ip
	ipKey := "ip:" + ip
	// The attempt is counted before the password is checked, so parallel
	// guesses cannot all pass a check made before any of them counted.
	res, err := s.throttle.reserve(ctx, counter{pairKey, AccountPolicy}, counter{ipKey, IPPolicy})
	if err != nil {
		s.metrics.RateLimitRejected.WithLabelValues("login").Inc()
		s.audit.WarnContext(ctx, "login refused: throttled", "action", "auth.login_throttled", "email", email, "ip", ip)
		return users.User{}, err
	}
	if d := slowdown(s.throttle.failures(ctx, accountKey, accountWide.Window)); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			res.succeeded(ctx) // not checked: give the attempt back
			return users.User{}, ctx.Err()
		}
	}
	u, err := s.users.CheckLocalPassword(ctx, email, password)
	if err != nil {
		s.metrics.AuthFailures.WithLabelValues("password").Inc()
		s.audit.WarnContext(ctx, "login failed", "action", "auth.login_failed", "email", email, "ip", ip, "reason", "invalid credentials")
		if ferr := res.failed(ctx); ferr != nil {
			s.log.Error("count login failure", "err", ferr)
		}
		if ferr := s.throttle.fail(ctx, accountKey, accountWide); ferr != nil {
			s.log.Error("count login failure", "err", ferr)
		}
		return users.User{}, err
	}
	res.succeeded(ctx, pairKey)
	if err := s.startSession(ctx, w, r, u); err != nil {
		return users.User{}, err
	}
	s.audit.InfoContext(ctx, "login", "action", "auth.login", "actor_id", u.ID, "email", u.Email, "ip", ip, "method", "password")
	return s.users.Get(ctx, u.ID)
}

func (s *Service) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, u users.User) error {
	if _, err := s.sessions.start(ctx, w, r, u.ID, clientIP(ctx, r), r.UserAgent()); err != nil {
		return err
	}
	return s.users.TouchLogin(ctx, u.ID)
}

// Logout ends the request's session.
func (s *Service) Logout(ctx context.Context, w http.ResponseWriter, r *http.Request, p *authz.Principal) error {
	if err := s.sessions.end(ctx, w, r); err != nil {
		return err
	}
	if p != nil {
		s.audit.InfoContext(ctx, "logout", "action", "auth.logout", "actor_id", p.UserID, "ip", clientIP(ctx, r))
	}
	return nil
}

// Sessions lists the caller's sessions.
func (s *Service) Sessions(ctx context.Context, p *authz.Principal) ([]Session, error) {
	return s.sessions.list(ctx, p.UserID, p.SessionID)
}

// EndSession signs out one of the caller's sessions.
func (s *Service) EndSession(ctx context.Context, p *authz.Principal, id uuid.UUID) error {
	if err := s.sessions.deleteOne(ctx, p.UserID, id); err != nil {
		return err
	}
	s.audit.InfoContext(ctx, "session ended", "action", "auth.session_ended", "actor_id", p.UserID, "target", "session:"+id.String())
	return nil
}

// RevokeUserSessions ends every session of a user (admin action, or the
// user being disabled).
func (s *Service) RevokeUserSessions(ctx context.Context, userID uuid.UUID) (int64, error) {
	return s.sessions.deleteUser(ctx, userID, "")
}

// ChangePassword changes the caller's password and signs out their other
// sessions.
func (s *Service) ChangePassword(ctx context.Context, p *authz.Principal, current, next string) error {
	if err := s.users.ChangePassword(ctx, p.UserID, current, next); err != nil {
		return err
	}
	if _, err := s.sessions.deleteUser(ctx, p.UserID, p.SessionID); err != nil {
		return err
	}
	s.audit.InfoContext(ctx, "password changed", "action", "auth.password_changed", "actor_id", p.UserID, "target", "user:"+p.UserID.String())
	return nil
}

// Cleanup removes expired sessions and stale throttle counters.
func (s *Service) Cleanup(ctx context.Context) error {
	n, err := s.sessions.cleanup(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("expired sessions removed", "count", n)
	}
	return s.throttle.cleanup(ctx, 24*time.Hour)
}

// Users returns the account service.
func (s *Service) Users() *users.Service { return s.users }
