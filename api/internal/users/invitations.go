package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// Invitation is a pending invitation as the API shows it (never its
// token, which only the link holds).
type Invitation struct {
	ID        uuid.UUID  `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      authz.Role `json:"role"`
	ExpiresAt time.Time  `json:"expires_at"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy *uuid.UUID `json:"created_by"`
}

type invitationRow struct {
	ID             uuid.UUID `gorm:"primaryKey;type:uuid"`
	Email          string
	Name           string
	Role           string
	TokenHash      string
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
	AcceptedUserID *uuid.UUID `gorm:"type:uuid"`
	RevokedAt      *time.Time
	CreatedBy      *uuid.UUID `gorm:"type:uuid"`
	CreatedAt      time.Time
}

func (invitationRow) TableName() string { return "invitations" }

func (r invitationRow) invitation() Invitation {
	return Invitation{ID: r.ID, Email: r.Email, Name: r.Name, Role: authz.Role(r.Role), ExpiresAt: r.ExpiresAt.UTC(),
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
}

type resetRow struct {
	ID        uuid.UUID `gorm:"primaryKey;type:uuid"`
	UserID    uuid.UUID `gorm:"type:uuid"`
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedBy *uuid.UUID `gorm:"type:uuid"`
	CreatedAt time.Time
}

func (resetRow) TableName() string { return "password_resets" }

// Errors of invitations and reset links.
var (
	// ErrLinkInvalid is one answer for an unknown, expired, used or
	// revoked link, so a guesser learns nothing.
	ErrLinkInvalid = problem.New(http.StatusGone, "Link not valid").
			WithDetail("This link is unknown, expired or already used; ask an administrator for a new one.")
	ErrInvitationNotFound = problem.New(http.StatusNotFound, "Invitation not found")
	// ErrProviderAccount: a reset link for an account without a password.
	ErrProviderAccount = problem.New(http.StatusConflict, "Account signs in elsewhere").
				WithDetail("This account signs in through its identity provider and has no password here.")
)

// NewToken returns a random link token and the hash stored for it.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how a link token is stored (hex SHA-256: the token has 256
// random bits, so no slow hash is needed).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewInvitation describes an invitation to make.
type NewInvitation struct {
	Email     string
	Name      string
	Role      authz.Role
	TTL       time.Duration
	CreatedBy uuid.UUID
}

// Invite records an invitation and returns it with its token. An e-mail
// that has an account is ErrEmailTaken; earlier pending invitations of the
// same e-mail are revoked (only the newest link works).
func (s *Service) Invite(ctx context.Context, n NewInvitation) (Invitation, string, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return Invitation{}, "", err
	}
	if !n.Role.Valid() {
		return Invitation{}, "", problem.Invalid("role", "must be admin or user")
	}
	name := strings.TrimSpace(n.Name)
	if len(name) > 100 {
		return Invitation{}, "", problem.Invalid("name", "must be at most 100 characters")
	}
	token, hash := NewToken()
	now := time.Now().UTC()
	by := n.CreatedBy
	r := invitationRow{ID: store.NewID(), Email: email, Name: name, Role: string(n.Role), TokenHash: hash,
		ExpiresAt: now.Add(n.TTL), CreatedBy: &by, CreatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var taken int64
		if err := tx.Model(&row{}).Where("email = ?", email).Count(&taken).Error; err != nil {
			return err
		}
		if taken > 0 {
			return ErrEmailTaken
		}
		if err := tx.Model(&invitationRow{}).Where("email = ? AND accepted_at IS NULL AND revoked_at IS NULL", email).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		return tx.Create(&r).Error
	})
	if err != nil {
		return Invitation{}, "", err
	}
	return r.invitation(), token, nil
}

// Invitations lists the pending invitations, newest first.
func (s *Service) Invitations(ctx context.Context) ([]Invitation, error) {
	var rows []invitationRow
	err := s.db.WithContext(ctx).Where("accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", time.Now().UTC()).
		Order("created_at DESC").Limit(500).Find(&rows).Error
	out := make([]Invitation, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.invitation())
	}
	return out, err
}

// RevokeInvitation makes a pending invitation's link unusable.
func (s *Service) RevokeInvitation(ctx context.Context, id uuid.UUID) (Invitation, error) {
	var r invitationRow
	err := s.db.WithContext(ctx).Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Take(&r).Error
	if err != nil {
		return Invitation{}, store.NotFound(err, ErrInvitationNotFound)
	}
	now := time.Now().UTC()
	if err := s.db.WithContext(ctx).Model(&invitationRow{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
		return Invitation{}, err
	}
	return r.invitation(), nil
}

// claimInvitation marks the pending invitation matching where as accepted
// by userID inside tx: exactly one caller wins it.
func claimInvitation(tx *gorm.DB, r invitationRow, userID uuid.UUID, now time.Time) error {
	res := tx.Model(&invitationRow{}).Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", r.ID).
		Updates(map[string]any{"accepted_at": now, "accepted_user_id": userID})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return ErrLinkInvalid
	}
	return nil
}

// AcceptInvitation creates the local account an invitation's token
// stands for, with the password chosen (and the name, when given), and
// spends the invitation. A token that is unknown, expired, used or
// revoked is ErrLinkInvalid.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string) (User, Invitation, error) {
	var (
		u   User
		inv invitationRow
	)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		err := store.ForUpdate(tx.Where("token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
			HashToken(token), now)).Take(&inv).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrLinkInvalid
		} else if err != nil {
			return err
		}
		name = strings.TrimSpace(name)
		if name == "" {
			name = inv.Name
		}
		u, err = s.createLocal(ctx, tx, NewLocal{Email: inv.Email, Name: name, Role: authz.Role(inv.Role), Password: password})
		if err != nil {
			return err
		}
		return claimInvitation(tx, inv, u.ID, now)
	})
	return u, inv.invitation(), err
}

// pendingInvitation returns the newest pending invitation of email.
func pendingInvitation(tx *gorm.DB, email string) (invitationRow, bool, error) {
	var r invitationRow
	err := tx.Where("email = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", email, time.Now().UTC()).
		Order("created_at DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, false, nil
	}
	return r, err == nil, err
}

// NewReset creates a one-time password reset link for a local account
// (older unused links of the account stop working) and returns its token
// and expiry. createdBy is the admin who asked (nil: the user, by e-mail).
func (s *Service) NewReset(ctx context.Context, userID uuid.UUID, ttl time.Duration, createdBy *uuid.UUID) (string, time.Time, error) {
	token, hash := NewToken()
	now := time.Now().UTC()
	exp := now.Add(ttl)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u row
		if err := tx.Where("id = ?", userID).Take(&u).Error; err != nil {
			return store.NotFound(err, ErrNotFound)
		}
		if u.AuthSource != SourceLocal {
			return ErrProviderAccount
		}
		if err := tx.Model(&resetRow{}).Where("user_id = ? AND used_at IS NULL", userID).Update("used_at", now).Error; err != nil {
			return err
		}
		return tx.Create(&resetRow{ID: store.NewID(), UserID: userID, TokenHash: hash, ExpiresAt: exp, CreatedBy: createdBy, CreatedAt: now}).Error
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}

// Reset sets a new password with a reset link's token and spends the link.
// A token that is unknown, expired or used, or whose account is disabled,
// is ErrLinkInvalid.
func (s *Service) Reset(ctx context.Context, token, password string) (User, error) {
	var userID uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		var r resetRow
		err := store.ForUpdate(tx.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", HashToken(token), now)).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrLinkInvalid
		} else if err != nil {
			return err
		}
		var u row
		if err := tx.Where("id = ?", r.UserID).Take(&u).Error; err != nil || u.Disabled {
			return ErrLinkInvalid
		}
		if err := s.setPassword(ctx, tx, r.UserID, password); err != nil {
			return err
		}
		res := tx.Model(&resetRow{}).Where("id = ? AND used_at IS NULL", r.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrLinkInvalid
		}
		userID = r.UserID
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, userID)
}

// LocalForReset returns the enabled local account with this e-mail, for
// "forgot password" (ok false: none).
func (s *Service) LocalForReset(ctx context.Context, email string) (User, bool, error) {
	var r row
	err := s.db.WithContext(ctx).Where("email = ? AND auth_source = ? AND disabled = ?",
		strings.ToLower(strings.TrimSpace(email)), SourceLocal, false).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	return r.user(), true, nil
}
