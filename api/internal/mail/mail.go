// Package mail sends Downlink's few e-mails (invitations and password
// reset links) through the SMTP server an admin configured: plain SMTP,
// STARTTLS when asked (then required), PLAIN authentication when a user
// name is set. Messages for people who did not sign in (forgot password)
// go through a small queue, so the answer does not take longer when an
// account exists.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// Settings are where and how to send.
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	// StartTLS upgrades the connection before anything else is sent, and
	// refuses a server that does not offer it.
	StartTLS bool
}

// Configured reports whether e-mail can be sent.
func (s Settings) Configured() bool { return s.Host != "" && s.Port > 0 && s.From != "" }

// Message is one e-mail in plain text.
type Message struct {
	To      string
	Subject string
	Body    string
}

// ErrNotConfigured means no SMTP server is set.
var ErrNotConfigured = errors.New("mail: no SMTP server is configured")

// Deps are the sender's collaborators.
type Deps struct {
	// Settings returns the current settings (admins change them at runtime).
	Settings func(ctx context.Context) Settings
	Logger   *slog.Logger
	// RootCAs verify the server's certificate on STARTTLS (nil: the
	// system's roots; tests give their own).
	RootCAs *x509.CertPool
	// Timeout bounds one delivery (0: 30 s).
	Timeout time.Duration
}

// Sender sends e-mail.
type Sender struct {
	d     Deps
	log   *slog.Logger
	queue chan Message
}

// queueSize is how many queued messages may wait; more are dropped (and
// logged): only unauthenticated requests queue, and they are rate limited.
const queueSize = 64

// New returns a sender; Run delivers what Enqueue queues.
func New(d Deps) *Sender {
	if d.Timeout == 0 {
		d.Timeout = 30 * time.Second
	}
	return &Sender{d: d, log: d.Logger.With("source", "mail"), queue: make(chan Message, queueSize)}
}

// Configured reports whether an SMTP server is set now.
func (s *Sender) Configured(ctx context.Context) bool { return s.d.Settings(ctx).Configured() }

// Enqueue queues m for Run to send; it never blocks.
func (s *Sender) Enqueue(m Message) {
	select {
	case s.queue <- m:
	default:
		s.log.Warn("mail queue full; message dropped", "subject", m.Subject)
	}
}

// Run sends queued messages until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-s.queue:
			if err := s.Send(ctx, m); err != nil {
				s.log.Warn("e-mail not sent", "subject", m.Subject, "err", err)
			}
		}
	}
}

// Send delivers m now with the current settings.
func (s *Sender) Send(ctx context.Context, m Message) error {
	return s.SendWith(ctx, s.d.Settings(ctx), m)
}

// SendWith delivers m through the server st describes.
func (s *Sender) SendWith(ctx context.Context, st Settings, m Message) error {
	if !st.Configured() {
		return ErrNotConfigured
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("mail: bad recipient: %w", err)
	}
	from, err := mail.ParseAddress(st.From)
	if err != nil {
		return fmt.Errorf("mail: bad sender %q: %w", st.From, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.d.Timeout)
	defer cancel()
	addr := net.JoinHostPort(st.Host, strconv.Itoa(st.Port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: connect to %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, st.Host)
	if err != nil {
		return fmt.Errorf("mail: %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello("downlink"); err != nil {
		return fmt.Errorf("mail: HELO: %w", err)
	}
	if st.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("mail: %s does not offer STARTTLS", addr)
		}
		if err := c.StartTLS(&tls.Config{ServerName: st.Host, RootCAs: s.d.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("mail: STARTTLS: %w", err)
		}
	}
	if st.Username != "" {
		// PlainAuth refuses to send the password unencrypted except to
		// localhost.
		if err := c.Auth(smtp.PlainAuth("", st.Username, st.Password, st.Host)); err != nil {
			return fmt.Errorf("mail: authentication: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(compose(st.From, m, time.Now())); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	return c.Quit()
}

// compose renders m as an RFC 5322 message in UTF-8 plain text.
func compose(from string, m Message, now time.Time) []byte {
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := "downlink"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from)
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(body)
	if !strings.HasSuffix(body, "\r\n") {
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}
