package users

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// Identity is who an identity provider says signed in.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	AvatarURL     string
}

// ErrEmailUsedLocally refuses an OIDC sign-in whose e-mail belongs to a
// local account: accounts are never linked by e-mail alone.
var ErrEmailUsedLocally = problem.New(http.StatusForbidden, "E-mail used by another account").
	WithDetail("An account with this e-mail already exists; ask an administrator to remove it or sign in with its password.")

// SignInOIDC finds the user by issuer and subject, or creates one. A new
// user whose e-mail is in adminEmails becomes an admin. Profile fields are
// refreshed from the provider on every sign-in.
func (s *Service) SignInOIDC(ctx context.Context, id Identity, adminEmails []string) (User, bool, error) {
	if id.Issuer == "" || id.Subject == "" {
		return User{}, false, errors.New("users: identity without issuer or subject")
	}
	email := strings.ToLower(strings.TrimSpace(id.Email))
	var r row
	err := s.db.WithContext(ctx).Where("oidc_issuer = ? AND oidc_subject = ?", id.Issuer, id.Subject).Take(&r).Error
	now := time.Now().UTC()
	switch {
	case err == nil:
		if r.Disabled {
			return User{}, false, ErrDisabled
		}
		updates := map[string]any{"last_login_at": now, "updated_at": now}
		if email != "" && email != r.Email {
			updates["email"] = email
		}
		if id.AvatarURL != "" {
			updates["avatar_url"] = id.AvatarURL
		}
		if err := s.db.WithContext(ctx).Model(&row{}).Where("id = ?", r.ID).Updates(updates).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return User{}, false, ErrEmailUsedLocally
			}
			return User{}, false, err
		}
		u, err := s.Get(ctx, r.ID)
		return u, false, err
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return User{}, false, err
	}
	if email == "" {
		return User{}, false, problem.New(http.StatusBadRequest, "OIDC login failed").
			WithDetail("The identity provider did not send an e-mail address; allow the email scope.")
	}
	role := authz.RoleUser
	if id.EmailVerified && slices.Contains(adminEmails, email) {
		role = authz.RoleAdmin
	}
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if len(name) > 100 {
		name = name[:100]
	}
	issuer, subject := id.Issuer, id.Subject
	r = row{ID: newID(), Email: email, Name: name, Role: string(role), AuthSource: SourceOIDC,
		OIDCIssuer: &issuer, OIDCSubject: &subject, LastLoginAt: &now, CreatedAt: now, UpdatedAt: now}
	if id.AvatarURL != "" {
		r.AvatarURL = &id.AvatarURL
	}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return User{}, false, ErrEmailUsedLocally
		}
		return User{}, false, err
	}
	return r.user(), true, nil
}
