package mail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/mail"
	"github.com/downlink/downlink/api/internal/mail/mailtest"
)

func sender(st mail.Settings, roots *x509.CertPool) *mail.Sender {
	return mail.New(mail.Deps{Settings: func(context.Context) mail.Settings { return st }, Logger: slog.New(slog.DiscardHandler), RootCAs: roots})
}

func TestSendPlainWithAuth(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	st := mail.Settings{Host: srv.Host, Port: srv.Port, Username: "bot", Password: "s3cret", From: "Downlink <downlink@example.org>"}
	err := sender(st, nil).Send(context.Background(), mail.Message{To: "ann@example.org", Subject: "Your invitation — Downlink", Body: "Open https://dl.example.org/invite#t=abc\n"})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Wait(1, 5*time.Second)
	if m.From != "downlink@example.org" || len(m.To) != 1 || m.To[0] != "ann@example.org" || m.Auth != "bot:s3cret" {
		t.Fatalf("envelope %+v", m)
	}
	for _, want := range []string{"From: Downlink <downlink@example.org>", "To: ann@example.org", "Subject: =?utf-8?q?", "https://dl.example.org/invite#t=abc"} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, m.Data)
		}
	}
}

func TestSendStartTLS(t *testing.T) {
	t.Parallel()
	// httptest's certificate is valid for 127.0.0.1; the client trusts it.
	ts := httptest.NewTLSServer(nil)
	defer ts.Close()
	cert := ts.TLS.Certificates[0]
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	srv := mailtest.Start(t, mailtest.WithTLS(&tls.Config{Certificates: []tls.Certificate{cert}}))
	st := mail.Settings{Host: srv.Host, Port: srv.Port, Username: "bot", Password: "pw", From: "downlink@example.org", StartTLS: true}
	if err := sender(st, roots).Send(context.Background(), mail.Message{To: "bob@example.org", Subject: "Reset", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.Wait(1, 5*time.Second); !m.StartTLS || m.Auth != "bot:pw" {
		t.Fatalf("message %+v: want it sent after STARTTLS", m)
	}
}

func TestSendStartTLSRequired(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t) // offers no STARTTLS
	st := mail.Settings{Host: srv.Host, Port: srv.Port, Username: "bot", Password: "pw", From: "downlink@example.org", StartTLS: true}
	err := sender(st, nil).Send(context.Background(), mail.Message{To: "bob@example.org", Subject: "Reset", Body: "x"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a refusal naming STARTTLS", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent in the clear", n)
	}
}

func TestSendNotConfigured(t *testing.T) {
	t.Parallel()
	if err := sender(mail.Settings{}, nil).Send(context.Background(), mail.Message{To: "a@b.org"}); err != mail.ErrNotConfigured {
		t.Fatalf("err = %v", err)
	}
}
