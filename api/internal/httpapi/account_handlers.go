package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/mail"
	"github.com/downlink/downlink/api/internal/settings"
	"github.com/downlink/downlink/api/internal/users"
)

// linkBase is where links made for people point: DOWNLINK_BASE_URL, else
// the address the admin's browser used.
func (s *Server) linkBase(c echo.Context) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

type createUserRequest struct {
	Email    string     `json:"email" validate:"required,max=254"`
	Name     string     `json:"name" validate:"max=100"`
	Role     authz.Role `json:"role" validate:"required,oneof=admin user"`
	Password string     `json:"password" validate:"omitempty,min=8,max=256"`
}

type createUserResponse struct {
	User              users.User `json:"user"`
	TemporaryPassword *string    `json:"temporary_password"`
}

// createUser is POST /users: a local account with a temporary password.
func (s *Server) createUser(c echo.Context) error {
	var req createUserRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	u, generated, err := s.deps.Auth.AddUser(c.Request().Context(), principal(c),
		users.NewLocal{Email: req.Email, Name: req.Name, Role: req.Role, Password: req.Password})
	if err != nil {
		return err
	}
	out := createUserResponse{User: u}
	if generated != "" {
		out.TemporaryPassword = &generated
	}
	return c.JSON(http.StatusCreated, out)
}

type createInvitationRequest struct {
	Email     string     `json:"email" validate:"required,max=254"`
	Name      string     `json:"name" validate:"max=100"`
	Role      authz.Role `json:"role" validate:"required,oneof=admin user"`
	SendEmail bool       `json:"send_email"`
}

type invitationResponse struct {
	Invitation users.Invitation `json:"invitation"`
	Link       auth.Link        `json:"link"`
}

// listInvitations is GET /invitations: the pending ones.
func (s *Server) listInvitations(c echo.Context) error {
	items, err := s.deps.Auth.Users().Invitations(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// createInvitation is POST /invitations.
func (s *Server) createInvitation(c echo.Context) error {
	var req createInvitationRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	inv, link, err := s.deps.Auth.Invite(c.Request().Context(), principal(c),
		users.NewInvitation{Email: req.Email, Name: req.Name, Role: req.Role}, s.linkBase(c), req.SendEmail)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, invitationResponse{Invitation: inv, Link: link})
}

// deleteInvitation is DELETE /invitations/{id}.
func (s *Server) deleteInvitation(c echo.Context) error {
	id, err := pathUUID(c, "id", users.ErrInvitationNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Auth.RevokeInvitation(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type resetLinkRequest struct {
	SendEmail bool `json:"send_email"`
}

// createPasswordResetLink is POST /users/{id}/password-reset.
func (s *Server) createPasswordResetLink(c echo.Context) error {
	id, err := pathUUID(c, "id", users.ErrNotFound)
	if err != nil {
		return err
	}
	var req resetLinkRequest
	if c.Request().ContentLength != 0 {
		if err := s.decode(c, &req); err != nil {
			return err
		}
	}
	link, err := s.deps.Auth.ResetLink(c.Request().Context(), principal(c), id, s.linkBase(c), req.SendEmail)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, link)
}

type acceptInvitationRequest struct {
	Token    string `json:"token" validate:"required,max=128"`
	Name     string `json:"name" validate:"max=100"`
	Password string `json:"password" validate:"required,min=8,max=256"`
}

// acceptInvitation is POST /auth/invitations/accept: the account is
// created and signed in.
func (s *Server) acceptInvitation(c echo.Context) error {
	var req acceptInvitationRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Auth.AcceptInvite(c.Request().Context(), c.Response(), c.Request(), req.Token, req.Name, req.Password)
	if err != nil {
		return err
	}
	m, err := s.meFor(c, u, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, m)
}

type resetPasswordRequest struct {
	Token    string `json:"token" validate:"required,max=128"`
	Password string `json:"password" validate:"required,min=8,max=256"`
}

// resetPassword is POST /auth/password-reset: a new password with a reset
// link; every session of the account ends and this browser signs in.
func (s *Server) resetPassword(c echo.Context) error {
	var req resetPasswordRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Auth.ResetPassword(c.Request().Context(), c.Response(), c.Request(), req.Token, req.Password)
	if err != nil {
		return err
	}
	m, err := s.meFor(c, u, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

type forgotPasswordRequest struct {
	Email string `json:"email" validate:"required,max=254"`
}

// forgotPassword is POST /auth/forgot-password: 202 whatever the e-mail,
// with what the person should do next.
func (s *Server) forgotPassword(c echo.Context) error {
	var req forgotPasswordRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.deps.Auth.ForgotPassword(ctx, c.Request(), req.Email); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, s.passwordHelp(c))
}

// passwordHelp says how a forgotten password is reset on this server.
type passwordHelp struct {
	// Email: reset links are e-mailed to local accounts.
	Email   bool   `json:"email"`
	Message string `json:"message"`
}

func (s *Server) passwordHelp(c echo.Context) passwordHelp {
	if s.cfg.BaseURL != "" && s.deps.Auth.MailConfigured(c.Request().Context()) {
		return passwordHelp{Email: true, Message: "If an account with a password here has this e-mail, a link to choose a new password is on its way. " +
			"It works once. No e-mail? Check the spam folder, or ask an administrator for a reset link."}
	}
	return passwordHelp{Message: "This server does not send e-mail. Ask an administrator to make you a password reset link " +
		"(Users → your name → Reset password); it works once."}
}

// getAccountSettings is GET /settings/accounts.
func (s *Server) getAccountSettings(c echo.Context) error {
	return c.JSON(http.StatusOK, s.deps.Settings.Accounts(c.Request().Context()))
}

// updateAccountSettings is PUT /settings/accounts.
func (s *Server) updateAccountSettings(c echo.Context) error {
	var u settings.AccountsUpdate
	if err := s.decode(c, &u); err != nil {
		return err
	}
	out, err := s.deps.Settings.UpdateAccounts(c.Request().Context(), principal(c).UserID, u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// testAccountEmail is POST /settings/accounts/test-email: a message to the
// admin's own address through the saved SMTP settings.
func (s *Server) testAccountEmail(c echo.Context) error {
	ctx := c.Request().Context()
	p := principal(c)
	if !s.deps.Auth.MailConfigured(ctx) {
		return auth.ErrMailNotConfigured.WithDetail("Save an SMTP server first.")
	}
	err := s.deps.Auth.Mail().Send(ctx, mail.Message{To: p.Email, Subject: "Downlink test e-mail",
		Body: "This is a test from Downlink's settings. Invitations and password reset links will arrive like this one.\n"})
	out := map[string]any{"sent": err == nil, "to": p.Email, "error": nil}
	if err != nil {
		out["error"] = err.Error()
	}
	s.audit(c, "test e-mail sent", "settings.test_email", "actor_id", p.UserID, "to", p.Email, "sent", err == nil)
	return c.JSON(http.StatusOK, out)
}
