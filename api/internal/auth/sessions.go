package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/wader/gormstore/v2"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/secrets"
)

// Cookie names. Over TLS the __Host- prefix pins the cookie to this exact
// host, path / and Secure, so no sibling subdomain can set or shadow it.
const (
	CookieName       = "downlink_session"
	SecureCookieName = "__Host-downlink_session"
)

// Session is one signed-in browser as its owner sees it.
type Session struct {
	ID         uuid.UUID `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         *string   `json:"ip"`
	UserAgent  *string   `json:"user_agent"`
	Current    bool      `json:"current"`
}

// sessionRow is the sessions table: gormstore's columns plus ours.
type sessionRow struct {
	ID                string `gorm:"primaryKey"`
	Data              string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ExpiresAt         time.Time
	PublicID          *uuid.UUID `gorm:"type:uuid"`
	UserID            *uuid.UUID `gorm:"type:uuid"`
	IP                *string
	UserAgent         *string
	LastSeenAt        *time.Time
	AbsoluteExpiresAt *time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// Timeouts of sessions.
type Timeouts struct {
	Idle     time.Duration
	Absolute time.Duration
}

// sessionStore keeps sessions in the database through gormstore (which
// writes them and signs the cookie) and reads them back with one joined
// query per request.
type sessionStore struct {
	db       *gorm.DB
	gs       *gormstore.Store
	codecs   []securecookie.Codec
	timeouts func() Timeouts
	// isTLS says whether a request arrived over TLS (directly or through a
	// trusted proxy), which decides the cookie's name and Secure flag.
	isTLS func(*http.Request) bool
}

func newSessionStore(db *gorm.DB, keys *secrets.Keys, timeouts func() Timeouts, isTLS func(*http.Request) bool) *sessionStore {
	hashKey := keys.Derive("downlink session cookie hmac v1", 64)
	blockKey := keys.Derive("downlink session cookie aes v1", 32)
	gs := gormstore.NewOptions(db, gormstore.Options{TableName: "sessions", SkipCreateTable: true}, hashKey, blockKey)
	// The cookie is issued once, at login, and securecookie refuses values
	// older than 30 days by default: a longer DOWNLINK_SESSION_MAX_AGE was
	// silently cut to 30 days. The session row's timeouts decide.
	for _, c := range gs.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(0)
		}
	}
	return &sessionStore{db: db, gs: gs, codecs: gs.Codecs, timeouts: timeouts, isTLS: isTLS}
}

func (s *sessionStore) cookieName(r *http.Request) string {
	if s.isTLS(r) {
		return SecureCookieName
	}
	return CookieName
}

func (s *sessionStore) options(r *http.Request, maxAge int) *sessions.Options {
	return &sessions.Options{
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.isTLS(r),
		SameSite: http.SameSiteLaxMode,
	}
}

// sessionID decodes the signed cookie into the server-side session id.
func (s *sessionStore) sessionID(r *http.Request) (string, bool) {
	name := s.cookieName(r)
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return "", false
	}
	var id string
	if err := securecookie.DecodeMulti(name, c.Value, &id, s.codecs...); err != nil {
		return "", false
	}
	return id, true
}

// start ends whatever session the request carries and begins a new one for
// userID, with a fresh id (no session fixation).
func (s *sessionStore) start(ctx context.Context, w http.ResponseWriter, r *http.Request, userID uuid.UUID, ip, ua string) (uuid.UUID, error) {
	if old, ok := s.sessionID(r); ok {
		if err := s.db.WithContext(ctx).Where("id = ?", old).Delete(&sessionRow{}).Error; err != nil {
			return uuid.Nil, err
		}
	}
	t := s.timeouts()
	name := s.cookieName(r)
	// A request without the old cookie, so gormstore mints a new id.
	fresh := r.Clone(ctx)
	fresh.Header = r.Header.Clone()
	fresh.Header.Del("Cookie")
	sess := sessions.NewSession(s.gs, name)
	sess.IsNew = true
	sess.Options = s.options(r, int(t.Idle.Seconds()))
	sess.Values["uid"] = userID.String()
	// Let the cookie live as long as the session could; the server decides
	// when it really ends.
	rec := &cookieCapture{header: http.Header{}}
	if err := s.gs.Save(fresh, rec, sess); err != nil {
		return uuid.Nil, err
	}
	now := time.Now().UTC()
	abs := now.Add(t.Absolute)
	publicID := uuid.New()
	if len(ip) > 64 {
		ip = ip[:64]
	}
	if len(ua) > 512 {
		ua = ua[:512]
	}
	err := s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", sess.ID).Updates(map[string]any{
		"public_id": publicID, "user_id": userID, "ip": ip, "user_agent": ua,
		"last_seen_at": now, "absolute_expires_at": abs, "expires_at": now.Add(t.Idle),
	}).Error
	if err != nil {
		return uuid.Nil, err
	}
	for _, c := range rec.header.Values("Set-Cookie") {
		// Re-issue gormstore's cookie with the absolute lifetime.
		if parsed, err := http.ParseSetCookie(c); err == nil {
			parsed.MaxAge = int(t.Absolute.Seconds())
			parsed.Expires = abs
			http.SetCookie(w, parsed)
		}
	}
	http.SetCookie(w, s.hintCookie(r, "1", int(t.Absolute.Seconds())))
	return publicID, nil
}

// HintCookieName is a cookie the dashboard can read (not HttpOnly, no
// secret in it): set beside the session cookie and cleared with it, so a
// signed-out page load goes straight to the login page instead of asking
// GET /auth/me, whose 401 every browser prints as a console error. The
// session cookie alone decides who is signed in.
const HintCookieName = "downlink_signed_in"

// markSignedIn sets the hint for a session made before the hint existed.
func (s *sessionStore) markSignedIn(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(HintCookieName); err == nil {
		return
	}
	http.SetCookie(w, s.hintCookie(r, "1", int(s.timeouts().Absolute.Seconds())))
}

func (s *sessionStore) hintCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: HintCookieName, Value: value, Path: "/", MaxAge: maxAge,
		Secure: s.isTLS(r), SameSite: http.SameSiteLaxMode}
}

// cookieCapture is a ResponseWriter that only keeps headers.
type cookieCapture struct{ header http.Header }

func (c *cookieCapture) Header() http.Header         { return c.header }
func (c *cookieCapture) Write(b []byte) (int, error) { return len(b), nil }
func (c *cookieCapture) WriteHeader(int)             {}

// clearCookie tells the browser to forget the session cookie.
func (s *sessionStore) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, sessions.NewCookie(s.cookieName(r), "", s.options(r, -1)))
	http.SetCookie(w, s.hintCookie(r, "", -1))
}

// end deletes the request's session (logout).
func (s *sessionStore) end(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	if id, ok := s.sessionID(r); ok {
		if err := s.db.WithContext(ctx).Where("id = ?", id).Delete(&sessionRow{}).Error; err != nil {
			return err
		}
	}
	s.clearCookie(w, r)
	return nil
}

// current is the session a request carries, with its user's standing.
type current struct {
	SessionID string
	PublicID  uuid.UUID
	UserID    uuid.UUID
	Email     string
	Name      string
	Role      string
	Disabled  bool
	// MustChangePassword: the user's password is a temporary one.
	MustChangePassword bool
	LastSeenAt         *time.Time
}

// lookup finds the live session behind the request's cookie.
func (s *sessionStore) lookup(ctx context.Context, r *http.Request) (*current, error) {
	id, ok := s.sessionID(r)
	if !ok {
		return nil, nil
	}
	now := time.Now().UTC()
	// Scanned by hand (not by GORM's reflection): this runs on every
	// request a browser makes. Not cached: a session ends (logout, revoke,
	// password change, a disabled user, `downlink user set-password` from
	// another process) by its row going, and must stop working at once.
	var cur current
	var publicID *uuid.UUID
	err := s.db.WithContext(ctx).Raw("SELECT s.id, s.public_id, s.user_id, s.last_seen_at, u.email, u.name, u.role, u.disabled, u.must_change_password "+
		"FROM sessions AS s JOIN users u ON u.id = s.user_id "+
		"WHERE s.id = ? AND s.expires_at > ? AND s.absolute_expires_at > ? LIMIT 1", id, now, now).
		Row().Scan(&cur.SessionID, &publicID, &cur.UserID, &cur.LastSeenAt, &cur.Email, &cur.Name, &cur.Role, &cur.Disabled, &cur.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSessionEnded
	}
	if err != nil {
		return nil, err
	}
	if publicID != nil {
		cur.PublicID = *publicID
	}
	return &cur, nil
}

var errSessionEnded = problem.ErrUnauthorized.WithDetail("Your session has ended; sign in again.")

// touch slides the idle expiry and records the last request, at most once
// a minute per session so busy pages don't write on every request.
func (s *sessionStore) touch(ctx context.Context, cur *current, ip string) {
	now := time.Now().UTC()
	if cur.LastSeenAt != nil && now.Sub(*cur.LastSeenAt) < time.Minute {
		return
	}
	if len(ip) > 64 {
		ip = ip[:64]
	}
	s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", cur.SessionID).Updates(map[string]any{
		"last_seen_at": now, "expires_at": now.Add(s.timeouts().Idle), "ip": ip,
	})
}

// list returns a user's live sessions, most recently seen first.
func (s *sessionStore) list(ctx context.Context, userID uuid.UUID, currentID string) ([]Session, error) {
	now := time.Now().UTC()
	var rows []sessionRow
	err := s.db.WithContext(ctx).Where("user_id = ? AND expires_at > ? AND absolute_expires_at > ?", userID, now, now).
		Order("last_seen_at DESC").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(rows))
	for _, r := range rows {
		if r.PublicID == nil {
			continue
		}
		exp := r.ExpiresAt
		if r.AbsoluteExpiresAt != nil && r.AbsoluteExpiresAt.Before(exp) {
			exp = *r.AbsoluteExpiresAt
		}
		seen := r.CreatedAt
		if r.LastSeenAt != nil {
			seen = *r.LastSeenAt
		}
		out = append(out, Session{ID: *r.PublicID, CreatedAt: r.CreatedAt.UTC(), LastSeenAt: seen.UTC(),
			ExpiresAt: exp.UTC(), IP: r.IP, UserAgent: r.UserAgent, Current: r.ID == currentID})
	}
	return out, nil
}

// ErrSessionNotFound is a session id that is not one of yours.
var ErrSessionNotFound = problem.New(http.StatusNotFound, "Session not found")

// deleteOne ends one of the user's sessions by its public id.
func (s *sessionStore) deleteOne(ctx context.Context, userID, publicID uuid.UUID) error {
	res := s.db.WithContext(ctx).Where("user_id = ? AND public_id = ?", userID, publicID).Delete(&sessionRow{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrSessionNotFound
	}
	return nil
}

// deleteUser ends every session of a user, except keep (the caller's own
// session when they change their password), if given.
func (s *sessionStore) deleteUser(ctx context.Context, userID uuid.UUID, keep string) (int64, error) {
	q := s.db.WithContext(ctx).Where("user_id = ?", userID)
	if keep != "" {
		q = q.Where("id <> ?", keep)
	}
	res := q.Delete(&sessionRow{})
	return res.RowsAffected, res.Error
}

// EndUserSessions ends every session of a user straight on the database,
// for tools that run without the server (`downlink user set-password`).
func EndUserSessions(ctx context.Context, db *gorm.DB, userID uuid.UUID) (int64, error) {
	return (&sessionStore{db: db}).deleteUser(ctx, userID, "")
}

// cleanup deletes expired sessions (and gormstore rows never claimed by a
// user, older than a minute).
func (s *sessionStore) cleanup(ctx context.Context) (int64, error) {
	now := time.Now().UTC()
	res := s.db.WithContext(ctx).
		Where("expires_at <= ? OR absolute_expires_at <= ? OR (user_id IS NULL AND created_at < ?)", now, now, now.Add(-time.Minute)).
		Delete(&sessionRow{})
	return res.RowsAffected, res.Error
}

// principal builds the caller from a session.
func (cur *current) principal() *authz.Principal {
	return &authz.Principal{
		UserID: cur.UserID, Email: cur.Email, Name: cur.Name, Role: authz.Role(cur.Role),
		Method: authz.MethodSession, SessionID: cur.SessionID, MustChangePassword: cur.MustChangePassword,
	}
}

// isHTTPS reports whether the request came over TLS, trusting
// X-Forwarded-Proto only from a declared proxy.
func isHTTPS(trustedPeer func(remoteAddr string) bool, baseURL string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if r.TLS != nil {
			return true
		}
		if trustedPeer(r.RemoteAddr) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			return true
		}
		return strings.HasPrefix(baseURL, "https://")
	}
}

// errRoleChanged ends a long-lived request whose user's role changed since
// it authenticated.
var errRoleChanged = problem.ErrUnauthorized.WithDetail("Your role changed; sign in again.")

// Recheck reports whether a session principal made earlier (for a request
// that is still open, such as an event stream) still stands: the session
// has not ended or expired, its user is not disabled and keeps the same
// role. It never slides the session's expiry. Other principals pass.
func (s *Service) Recheck(ctx context.Context, p *authz.Principal) error {
	if p == nil || p.Method != authz.MethodSession {
		return nil
	}
	now := time.Now().UTC()
	var cur current
	res := s.db.WithContext(ctx).Table("sessions AS s").
		Select("s.id AS session_id, s.user_id, u.role, u.disabled").
		Joins("JOIN users u ON u.id = s.user_id").
		Where("s.id = ? AND s.expires_at > ? AND s.absolute_expires_at > ?", p.SessionID, now, now).
		Limit(1).Scan(&cur)
	switch {
	case res.Error != nil:
		return res.Error
	case res.RowsAffected == 0 || cur.Disabled || cur.UserID != p.UserID:
		return errSessionEnded
	case authz.Role(cur.Role) != p.Role:
		return errRoleChanged
	}
	return nil
}
