package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/users"
)

// setupTokenKey is the kv row holding the sealed setup token.
const setupTokenKey = "setup_token"

// setupTokenTTL is how long a printed setup token stays valid.
const setupTokenTTL = 24 * time.Hour

type kvRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (kvRow) TableName() string { return "kv" }

// setupToken is the one-time secret that lets the first admin be created.
// It is sealed in the database, so every node of a cluster prints and
// accepts the same one while no account exists.
type setupToken struct {
	db   *gorm.DB
	keys *secrets.Keys
}

// ErrBadSetupToken is a wrong setup token.
var ErrBadSetupToken = problem.New(http.StatusForbidden, "Invalid setup token").
	WithDetail("The setup token does not match the one printed in the server log.")

// ensure returns the current token, making a new one when none is valid.
func (t *setupToken) ensure(ctx context.Context) (string, error) {
	var tok string
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One node at a time reads and replaces the token, so all print
		// the same one. (SQLite transactions are IMMEDIATE: they already
		// hold the write lock.)
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('downlink setup token'))").Error; err != nil {
				return err
			}
		}
		var r kvRow
		err := tx.Where("key = ?", setupTokenKey).Take(&r).Error
		if err == nil && time.Since(r.UpdatedAt) < setupTokenTTL {
			if plain, err := t.keys.Open(r.Value, setupTokenKey); err == nil {
				tok = string(plain)
				return nil
			}
		} else if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		tok = newSetupToken()
		r = kvRow{Key: setupTokenKey, Value: t.keys.Seal([]byte(tok), setupTokenKey), UpdatedAt: time.Now().UTC()}
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error
	})
	return tok, err
}

// check compares a candidate with the stored token in constant time.
func (t *setupToken) check(ctx context.Context, candidate string) error {
	var r kvRow
	if err := t.db.WithContext(ctx).Where("key = ?", setupTokenKey).Take(&r).Error; err != nil {
		return ErrBadSetupToken
	}
	plain, err := t.keys.Open(r.Value, setupTokenKey)
	if err != nil || time.Since(r.UpdatedAt) > setupTokenTTL {
		return ErrBadSetupToken
	}
	if subtle.ConstantTimeCompare(plain, []byte(strings.TrimSpace(candidate))) != 1 {
		return ErrBadSetupToken
	}
	return nil
}

func (t *setupToken) remove(ctx context.Context) error {
	return t.db.WithContext(ctx).Where("key = ?", setupTokenKey).Delete(&kvRow{}).Error
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func newSetupToken() string {
	var b strings.Builder
	b.WriteString("stp_")
	for range 24 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(base62))))
		b.WriteByte(base62[n.Int64()])
	}
	return b.String()
}

// SetupRequired reports whether no account exists yet.
func (s *Service) SetupRequired(ctx context.Context) (bool, error) {
	n, err := s.users.Count(ctx)
	return n == 0, err
}

// AnnounceSetup prints the setup token in the log when no account exists,
// with the address of the setup page (openURL, the dashboard's root) so the
// person reading the log knows where to paste it. Called at start.
func (s *Service) AnnounceSetup(ctx context.Context, openURL string) error {
	need, err := s.SetupRequired(ctx)
	if err != nil || !need {
		return err
	}
	tok, err := s.setup.ensure(ctx)
	if err != nil {
		return err
	}
	s.log.Warn("no accounts yet: open "+openURL+"/setup and create the first admin with this one-time setup token (or POST /api/v1/auth/setup)",
		"setup_token", tok, "open", openURL+"/setup", "valid_for", setupTokenTTL.String())
	return nil
}

// CompleteSetup creates the first admin with the setup token and signs
// them in. Guessing tokens is throttled like logins.
func (s *Service) CompleteSetup(ctx context.Context, w http.ResponseWriter, r *http.Request, token string, n users.NewLocal) (users.User, error) {
	need, err := s.SetupRequired(ctx)
	if err != nil {
		return users.User{}, err
	}
	if !need {
		return users.User{}, users.ErrSetupDone
	}
	ipKey := "setup-ip:" + clientIP(ctx, r)
	res, err := s.throttle.reserve(ctx, counter{ipKey, AccountPolicy})
	if err != nil {
		return users.User{}, err
	}
	if err := s.setup.check(ctx, token); err != nil {
		// The token is removed once the admin exists: a call that lost the
		// race to a right token is told setup is done, not that it was wrong.
		if need, nerr := s.SetupRequired(ctx); nerr == nil && !need {
			res.succeeded(ctx)
			return users.User{}, users.ErrSetupDone
		}
		_ = res.failed(ctx)
		s.audit.WarnContext(ctx, "setup refused: wrong token", "action", "auth.setup_failed", "ip", clientIP(ctx, r))
		return users.User{}, err
	}
	res.succeeded(ctx, ipKey)
	u, err := s.users.CreateFirstAdmin(ctx, n)
	if err != nil {
		return users.User{}, err
	}
	_ = s.setup.remove(ctx)
	if err := s.startSession(ctx, w, r, u); err != nil {
		return users.User{}, err
	}
	s.audit.InfoContext(ctx, "setup completed: first admin created", "action", "auth.setup", "actor_id", u.ID, "target", "user:"+u.ID.String(), "email", u.Email, "ip", clientIP(ctx, r))
	return s.users.Get(ctx, u.ID)
}
