package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/mail"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/users"
)

// Mailer sends e-mail (the mail package's Sender).
type Mailer interface {
	Configured(ctx context.Context) bool
	Send(ctx context.Context, m mail.Message) error
	Enqueue(m mail.Message)
}

// LinkTTLs returns how long invitation and reset links live now.
type LinkTTLs func(ctx context.Context) (invite, reset time.Duration)

// Throttles of the routes that take a link token or an e-mail without
// signing in: wrong tokens from one address lock it like wrong passwords;
// "forgot password" is limited per address and per e-mail (so nobody's
// mailbox can be flooded), whether or not the e-mail has an account.
var (
	LinkPolicy        = ThrottlePolicy{MaxFailures: 20, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
	ForgotIPPolicy    = ThrottlePolicy{MaxFailures: 10, Window: time.Hour, Lockout: time.Hour}
	ForgotEmailPolicy = ThrottlePolicy{MaxFailures: 3, Window: time.Hour, Lockout: time.Hour}
)

// Errors of adding people.
var (
	ErrMailNotConfigured = problem.New(http.StatusConflict, "E-mail not configured").
				WithDetail("No SMTP server is set up (Settings → Accounts); copy the link and send it yourself.")
	errPasswordChangeRequired = problem.New(http.StatusForbidden, "Password change required").
					WithDetail("Your password is a temporary one; choose your own first (PATCH /api/v1/auth/me with current_password and new_password).")
)

// ErrPasswordChangeRequired refuses everything but changing the password
// to an account whose password is a temporary one.
var ErrPasswordChangeRequired = errPasswordChangeRequired

// Link is a one-time link made for someone.
type Link struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	// Emailed says the link was e-mailed to its owner; EmailError says
	// why not, when sending was asked and failed.
	Emailed    bool    `json:"emailed"`
	EmailError *string `json:"email_error"`
}

// linkURL is base + path + the token in the fragment (never sent to a
// server, so it stays out of access logs and Referer headers).
func linkURL(base, path, token string) string {
	return strings.TrimRight(base, "/") + path + "#token=" + token
}

// MailConfigured reports whether links can be e-mailed.
func (s *Service) MailConfigured(ctx context.Context) bool { return s.mail.Configured(ctx) }

// temporaryPassword is 16 characters people can read out (no 0/O, 1/l).
func temporaryPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}

// AddUser creates a local account with a temporary password that must be
// changed at first login: the one given, or a generated one, returned.
func (s *Service) AddUser(ctx context.Context, actor *authz.Principal, n users.NewLocal) (users.User, string, error) {
	generated := ""
	if n.Password == "" {
		generated = temporaryPassword()
		n.Password = generated
	}
	n.MustChangePassword = true
	u, err := s.users.CreateLocal(ctx, n)
	if err != nil {
		return users.User{}, "", err
	}
	s.audit.InfoContext(ctx, "user added with a temporary password", "action", "user.created", "actor_id", actor.UserID,
		"target", "user:"+u.ID.String(), "email", u.Email, "role", u.Role, "method", "temporary_password")
	return u, generated, nil
}

// Invite makes an invitation and its link under base, e-mailing it when
// send is set.
func (s *Service) Invite(ctx context.Context, actor *authz.Principal, n users.NewInvitation, base string, send bool) (users.Invitation, Link, error) {
	if send && !s.mail.Configured(ctx) {
		return users.Invitation{}, Link{}, ErrMailNotConfigured
	}
	n.TTL, _ = s.linkTTLs(ctx)
	n.CreatedBy = actor.UserID
	inv, token, err := s.users.Invite(ctx, n)
	if err != nil {
		return users.Invitation{}, Link{}, err
	}
	link := Link{URL: linkURL(base, "/invite", token), ExpiresAt: inv.ExpiresAt}
	if send {
		s.sendNow(ctx, &link, mail.Message{To: inv.Email, Subject: "You are invited to Downlink",
			Body: fmt.Sprintf("%s invited you to Downlink.\n\nOpen this link to choose your password and sign in:\n\n%s\n\n"+
				"The link works once and until %s.\n", actor.Name, link.URL, inv.ExpiresAt.Format(time.RFC1123))})
	}
	s.audit.InfoContext(ctx, "user invited", "action", "user.invited", "actor_id", actor.UserID, "target", "invitation:"+inv.ID.String(),
		"email", inv.Email, "role", inv.Role, "expires_at", inv.ExpiresAt, "emailed", link.Emailed)
	return inv, link, nil
}

// RevokeInvitation makes an invitation's link unusable.
func (s *Service) RevokeInvitation(ctx context.Context, actor *authz.Principal, id uuid.UUID) error {
	inv, err := s.users.RevokeInvitation(ctx, id)
	if err != nil {
		return err
	}
	s.audit.InfoContext(ctx, "invitation revoked", "action", "user.invitation_revoked", "actor_id", actor.UserID,
		"target", "invitation:"+id.String(), "email", inv.Email)
	return nil
}

// ResetLink makes a one-time password reset link for a local account,
// e-mailing it when send is set. Earlier links of the account stop working.
func (s *Service) ResetLink(ctx context.Context, actor *authz.Principal, userID uuid.UUID, base string, send bool) (Link, error) {
	if send && !s.mail.Configured(ctx) {
		return Link{}, ErrMailNotConfigured
	}
	u, err := s.users.Get(ctx, userID)
	if err != nil {
		return Link{}, err
	}
	_, ttl := s.linkTTLs(ctx)
	by := actor.UserID
	token, exp, err := s.users.NewReset(ctx, userID, ttl, &by)
	if err != nil {
		return Link{}, err
	}
	link := Link{URL: linkURL(base, "/reset-password", token), ExpiresAt: exp}
	if send {
		s.sendNow(ctx, &link, resetMessage(u.Email, link))
	}
	s.audit.InfoContext(ctx, "password reset link made", "action", "user.password_reset_link", "actor_id", actor.UserID,
		"target", "user:"+userID.String(), "email", u.Email, "expires_at", exp, "emailed", link.Emailed)
	return link, nil
}

func resetMessage(to string, link Link) mail.Message {
	return mail.Message{To: to, Subject: "Reset your Downlink password",
		Body: fmt.Sprintf("Someone asked to reset the password of your Downlink account.\n\nOpen this link to choose a new one:\n\n%s\n\n"+
			"The link works once and until %s. If you did not ask, ignore this message: your password stays as it is.\n",
			link.URL, link.ExpiresAt.Format(time.RFC1123))}
}

// sendNow e-mails m and records the outcome on link.
func (s *Service) sendNow(ctx context.Context, link *Link, m mail.Message) {
	if err := s.mail.Send(ctx, m); err != nil {
		s.log.Warn("e-mail not sent", "subject", m.Subject, "err", err)
		msg := err.Error()
		link.EmailError = &msg
		return
	}
	link.Emailed = true
}

// linkAttempt counts a link token's use against the caller's address
// before it is checked; a wrong token keeps the count.
func (s *Service) linkAttempt(ctx context.Context, r *http.Request) (*reservation, error) {
	return s.throttle.reserve(ctx, counter{"link-ip:" + clientIP(ctx, r), LinkPolicy})
}

// settle closes a link attempt: invalid links count as failures.
func (s *Service) settle(ctx context.Context, res *reservation, err error) {
	if errors.Is(err, users.ErrLinkInvalid) {
		_ = res.failed(ctx)
		return
	}
	res.succeeded(ctx)
}

// AcceptInvite creates the account of an invitation link with the chosen
// password and signs it in.
func (s *Service) AcceptInvite(ctx context.Context, w http.ResponseWriter, r *http.Request, token, name, password string) (users.User, error) {
	res, err := s.linkAttempt(ctx, r)
	if err != nil {
		return users.User{}, err
	}
	u, inv, err := s.users.AcceptInvitation(ctx, token, name, password)
	s.settle(ctx, res, err)
	if err != nil {
		if errors.Is(err, users.ErrLinkInvalid) {
			s.audit.WarnContext(ctx, "invitation link refused", "action", "auth.link_refused", "ip", clientIP(ctx, r), "link", "invite")
		}
		return users.User{}, err
	}
	s.audit.InfoContext(ctx, "invitation accepted", "action", "user.created", "actor_id", u.ID, "target", "user:"+u.ID.String(),
		"email", u.Email, "role", u.Role, "method", "invitation", "invitation", inv.ID.String())
	if err := s.startSession(ctx, w, r, u); err != nil {
		return users.User{}, err
	}
	return s.users.Get(ctx, u.ID)
}

// ResetPassword sets a new password with a reset link, ends every session
// of the account, and signs this browser in.
func (s *Service) ResetPassword(ctx context.Context, w http.ResponseWriter, r *http.Request, token, password string) (users.User, error) {
	res, err := s.linkAttempt(ctx, r)
	if err != nil {
		return users.User{}, err
	}
	u, err := s.users.Reset(ctx, token, password)
	s.settle(ctx, res, err)
	if err != nil {
		if errors.Is(err, users.ErrLinkInvalid) {
			s.audit.WarnContext(ctx, "reset link refused", "action", "auth.link_refused", "ip", clientIP(ctx, r), "link", "reset")
		}
		return users.User{}, err
	}
	if _, err := s.sessions.deleteUser(ctx, u.ID, ""); err != nil {
		return users.User{}, err
	}
	s.audit.InfoContext(ctx, "password reset with a link", "action", "auth.password_reset", "actor_id", u.ID,
		"target", "user:"+u.ID.String(), "email", u.Email, "ip", clientIP(ctx, r))
	if err := s.startSession(ctx, w, r, u); err != nil {
		return users.User{}, err
	}
	return s.users.Get(ctx, u.ID)
}

// ForgotPassword e-mails a reset link to the local account with this
// e-mail, when e-mail is set up and DOWNLINK_BASE_URL says where links
// point (a link built from the request's Host could send the token to
// anyone's site). The caller learns nothing: the answer and its timing
// are the same whether or not the account exists (the e-mail is queued).
func (s *Service) ForgotPassword(ctx context.Context, r *http.Request, email string) error {
	ip := clientIP(ctx, r)
	account := strings.ToLower(strings.TrimSpace(email))
	res, err := s.throttle.reserve(ctx, counter{"forgot-ip:" + ip, ForgotIPPolicy}, counter{"forgot:" + account, ForgotEmailPolicy})
	if err != nil {
		s.metrics.RateLimitRejected.WithLabelValues("forgot_password").Inc()
		return err
	}
	_ = res.failed(ctx) // every request counts
	if !s.mail.Configured(ctx) || s.cfg.BaseURL == "" {
		s.audit.InfoContext(ctx, "password reset asked; not e-mailed", "action", "auth.password_forgotten", "email", account, "ip", ip,
			"reason", "e-mail or DOWNLINK_BASE_URL not configured")
		return nil
	}
	u, ok, err := s.users.LocalForReset(ctx, account)
	if err != nil {
		return err
	}
	if !ok {
		s.audit.InfoContext(ctx, "password reset asked for no local account", "action", "auth.password_forgotten", "email", account, "ip", ip,
			"reason", "no enabled local account")
		return nil
	}
	_, ttl := s.linkTTLs(ctx)
	token, exp, err := s.users.NewReset(ctx, u.ID, ttl, nil)
	if err != nil {
		return err
	}
	s.mail.Enqueue(resetMessage(u.Email, Link{URL: linkURL(s.cfg.BaseURL, "/reset-password", token), ExpiresAt: exp}))
	s.audit.InfoContext(ctx, "password reset link e-mailed", "action", "auth.password_forgotten", "actor_id", u.ID,
		"target", "user:"+u.ID.String(), "email", u.Email, "ip", ip, "expires_at", exp)
	return nil
}

// Mail returns the mail sender.
func (s *Service) Mail() Mailer { return s.mail }
