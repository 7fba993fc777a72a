package settings

import (
	"context"
	"encoding/json"
	"net"
	"net/mail"
	"strings"

	"github.com/google/uuid"

	dlmail "github.com/downlink/downlink/api/internal/mail"
	"github.com/downlink/downlink/api/internal/problem"
)

// Accounts are the settings for adding people: how long invitation and
// password reset links live, and the optional SMTP server that e-mails
// them. The SMTP password is write-only: answers say only whether one is
// stored.
type Accounts struct {
	InviteLinkHours int  `json:"invite_link_hours"`
	ResetLinkHours  int  `json:"reset_link_hours"`
	SMTP            SMTP `json:"smtp"`
}

// SMTP is the mail server (host empty: no e-mail is sent).
type SMTP struct {
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Username    string `json:"username"`
	PasswordSet bool   `json:"password_set"`
	From        string `json:"from"`
	StartTLS    bool   `json:"starttls"`
}

// AccountsUpdate is a PUT of the accounts settings. SMTP.Password: absent
// keeps the stored one, null or "" removes it, a string replaces it.
// Changing the host or user name forgets the stored password unless a new
// one is given (it was meant for the old server).
type AccountsUpdate struct {
	InviteLinkHours int        `json:"invite_link_hours"`
	ResetLinkHours  int        `json:"reset_link_hours"`
	SMTP            SMTPUpdate `json:"smtp"`
}

// SMTPUpdate is SMTP with the write-only password.
type SMTPUpdate struct {
	Host     string      `json:"host" validate:"max=253"`
	Port     int         `json:"port"`
	Username string      `json:"username" validate:"max=254"`
	Password optionalStr `json:"password"`
	From     string      `json:"from" validate:"max=320"`
	StartTLS bool        `json:"starttls"`
}

// optionalStr tells an absent string from null.
type optionalStr struct {
	Set   bool
	Value *string
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *optionalStr) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// accountsDoc is what the settings table holds.
type accountsDoc struct {
	InviteLinkHours int    `json:"invite_link_hours"`
	ResetLinkHours  int    `json:"reset_link_hours"`
	Host            string `json:"host"`
	Port            int    `json:"port"`
	Username        string `json:"username"`
	PasswordSealed  string `json:"password_sealed,omitempty"`
	From            string `json:"from"`
	StartTLS        bool   `json:"starttls"`
}

const (
	accountsKey         = "accounts"
	smtpPasswordContext = "settings:smtp:password"
	// Defaults: an invitation lives three days, a reset link two hours.
	defaultInviteHours = 72
	defaultResetHours  = 2
)

func (s *Service) accountsDoc(ctx context.Context) accountsDoc {
	d := accountsDoc{InviteLinkHours: defaultInviteHours, ResetLinkHours: defaultResetHours, Port: 587, StartTLS: true}
	if r, ok := s.snapshot(ctx)[accountsKey]; ok {
		if err := json.Unmarshal([]byte(r.Value), &d); err != nil {
			s.log.Error("stored accounts settings do not decode; using defaults", "err", err)
		}
	}
	return d
}

// Accounts returns the accounts settings.
func (s *Service) Accounts(ctx context.Context) Accounts {
	d := s.accountsDoc(ctx)
	return Accounts{InviteLinkHours: d.InviteLinkHours, ResetLinkHours: d.ResetLinkHours,
		SMTP: SMTP{Host: d.Host, Port: d.Port, Username: d.Username, PasswordSet: d.PasswordSealed != "", From: d.From, StartTLS: d.StartTLS}}
}

// Mail returns the SMTP settings with the password opened, for the sender.
func (s *Service) Mail(ctx context.Context) dlmail.Settings {
	d := s.accountsDoc(ctx)
	st := dlmail.Settings{Host: d.Host, Port: d.Port, Username: d.Username, From: d.From, StartTLS: d.StartTLS}
	if d.PasswordSealed != "" {
		if raw, err := s.keys.Open(d.PasswordSealed, smtpPasswordContext); err == nil {
			st.Password = string(raw)
		} else {
			s.log.Error("stored SMTP password cannot be opened", "err", err)
		}
	}
	return st
}

// UpdateAccounts replaces the accounts settings.
func (s *Service) UpdateAccounts(ctx context.Context, actor uuid.UUID, u AccountsUpdate) (Accounts, error) {
	p := problem.ErrValidation
	bad := func(f, m string) { p = p.WithField(f, m) }
	if u.InviteLinkHours < 1 || u.InviteLinkHours > 720 {
		bad("invite_link_hours", "must be 1 to 720")
	}
	if u.ResetLinkHours < 1 || u.ResetLinkHours > 72 {
		bad("reset_link_hours", "must be 1 to 72")
	}
	m := u.SMTP
	m.Host = strings.TrimSpace(m.Host)
	if m.Host != "" {
		if strings.ContainsAny(m.Host, " /@[]\r\n") || (strings.Contains(m.Host, ":") && net.ParseIP(m.Host) == nil) {
			bad("smtp.host", "must be a host name or address, without a port")
		}
		if m.Port < 1 || m.Port > 65535 {
			bad("smtp.port", "must be 1 to 65535")
		}
		if a, err := mail.ParseAddress(m.From); err != nil || strings.ContainsAny(m.From, "\r\n") || a.Address == "" {
			bad("smtp.from", "must be an e-mail address, such as Downlink <downlink@example.org>")
		}
	}
	if strings.ContainsAny(m.Username, "\r\n") {
		bad("smtp.username", "must be one line")
	}
	if len(p.Errors) > 0 {
		return Accounts{}, p
	}
	before := s.accountsDoc(ctx)
	d := accountsDoc{InviteLinkHours: u.InviteLinkHours, ResetLinkHours: u.ResetLinkHours, Host: m.Host, Port: m.Port,
		Username: m.Username, From: strings.TrimSpace(m.From), StartTLS: m.StartTLS, PasswordSealed: before.PasswordSealed}
	if !strings.EqualFold(before.Host, d.Host) || before.Username != d.Username {
		d.PasswordSealed = "" // meant for another server or account
	}
	if m.Password.Set {
		d.PasswordSealed = ""
		if v := m.Password.Value; v != nil && *v != "" {
			d.PasswordSealed = s.keys.Seal([]byte(*v), smtpPasswordContext)
		}
	}
	if err := s.save(ctx, actor, accountsKey, d); err != nil {
		return Accounts{}, err
	}
	changes := diff(redactedAccounts(before), redactedAccounts(d))
	s.audit.InfoContext(ctx, "accounts settings changed", "action", "settings.updated", "actor_id", actor, "target", "settings:accounts",
		"changes", changes)
	return s.Accounts(ctx), nil
}

// redactedAccounts is d for the audit log: whether a password is set, not
// its sealed form.
func redactedAccounts(d accountsDoc) map[string]any {
	return map[string]any{"invite_link_hours": d.InviteLinkHours, "reset_link_hours": d.ResetLinkHours, "smtp_host": d.Host,
		"smtp_port": d.Port, "smtp_username": d.Username, "smtp_from": d.From, "smtp_starttls": d.StartTLS,
		"smtp_password_set": d.PasswordSealed != ""}
}
