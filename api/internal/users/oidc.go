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

// ErrSignInRefused refuses a provider sign-in that may not have an
// account here: sign-up is closed to it, or its e-mail belongs to another
// account (accounts are never linked by e-mail alone). One answer for
// both, so a stranger learns nothing about which e-mails have accounts;
// the audit log says which it was.
var ErrSignInRefused = problem.New(http.StatusForbidden, "Sign-in not allowed").
	WithDetail("This identity has no account here and may not create one; ask an administrator for access.")

// ErrEmailUnverified refuses a new identity whose provider does not vouch
// for its e-mail address (no email_verified=true).
var ErrEmailUnverified = problem.New(http.StatusForbidden, "E-mail not verified").
	WithDetail("The identity provider has not verified this account's e-mail address; verify it there and sign in again.")

// Why a sign-in was refused, for the audit log (errors.Is works on these).
var (
	errSignupClosed = ErrSignInRefused.WithCause(errors.New("sign-up is closed to this identity"))
	errEmailTaken   = ErrSignInRefused.WithCause(errors.New("the e-mail belongs to another account"))
)

// SignupRules say which new identities may create an account at their
// first login. The zero value lets none: only existing accounts sign in.
type SignupRules struct {
	// Open lets every identity create an account (DOWNLINK_OPEN_SIGNUP).
	Open bool
	// AdminEmails become admins, and may sign up, when verified.
	AdminEmails []string
	// Emails (invitations) and Domains may sign up, when verified.
	Emails  []string
	Domains []string
	// Member, when set, admits a new identity the lists above do not:
	// it reports membership in an allowed GitHub organisation.
	Member func(ctx context.Context) (bool, error)
}

// allows reports whether a new identity with the verified e-mail email
// may create an account.
func (r SignupRules) allows(email string) bool {
	if r.Open {
		return true
	}
	if slices.Contains(r.AdminEmails, email) || slices.Contains(r.Emails, email) {
		return true
	}
	_, domain, ok := strings.Cut(email, "@")
	return ok && slices.Contains(r.Domains, domain)
}

// SignInOIDC finds the user by issuer and subject, or creates one when
// rules allow it. Only an e-mail the provider verified is stored: a new
// identity needs one, and an existing account takes a changed address
// only when it is verified and no other account has it. A new user whose
// e-mail is in the admin e-mails becomes an admin. The avatar and login
// time are refreshed on every sign-in.
func (s *Service) SignInOIDC(ctx context.Context, id Identity, rules SignupRules) (User, bool, error) {
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
		if id.AvatarURL != "" {
			updates["avatar_url"] = id.AvatarURL
		}
		if id.EmailVerified && email != "" && email != r.Email {
			updates["email"] = email
		}
		err := s.db.WithContext(ctx).Model(&row{}).Where("id = ?", r.ID).Updates(updates).Error
		if err != nil && store.IsUniqueViolation(err) {
			// Another account has the new address: sign in, keep the old one.
			delete(updates, "email")
			err = s.db.WithContext(ctx).Model(&row{}).Where("id = ?", r.ID).Updates(updates).Error
		}
		if err != nil {
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
	if !id.EmailVerified {
		return User{}, false, ErrEmailUnverified
	}
	// An admin's pending invitation of this e-mail admits it whatever the
	// rules say, with the invitation's role, and is spent by this login.
	inv, invited, err := pendingInvitation(s.db.WithContext(ctx), email)
	if err != nil {
		return User{}, false, err
	}
	if !invited && !rules.allows(email) {
		member := false
		if rules.Member != nil {
			if member, err = rules.Member(ctx); err != nil {
				return User{}, false, err
			}
		}
		if !member {
			return User{}, false, errSignupClosed
		}
	}
	role := authz.RoleUser
	if invited {
		role = authz.Role(inv.Role)
	}
	if slices.Contains(rules.AdminEmails, email) {
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
	r = row{ID: store.NewID(), Email: email, Name: name, Role: string(role), AuthSource: SourceOIDC,
		OIDCIssuer: &issuer, OIDCSubject: &subject, LastLoginAt: &now, CreatedAt: now, UpdatedAt: now}
	if id.AvatarURL != "" {
		r.AvatarURL = &id.AvatarURL
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if invited {
			return claimInvitation(tx, inv, r.ID, now)
		}
		return nil
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return User{}, false, errEmailTaken
		}
		if errors.Is(err, ErrLinkInvalid) {
			return User{}, false, errSignupClosed // the invitation was spent meanwhile
		}
		return User{}, false, err
	}
	return r.user(), true, nil
}
