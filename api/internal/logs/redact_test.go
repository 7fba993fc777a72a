package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

const (
	testKey    = "dlk_4Vq8ZfE2nR7tYb1XkLmP9sQw3JhGd6CuNa0eTiOyVr5Bz2Mx"
	testWhsec  = "whsec_MfKQ9r8GKYqQFNa7rX9l0mXWJrTs3bF4"
	testConfig = "oidc-client-secret-from-config"
)

func TestSensitiveKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"password", true}, {"new_password", true}, {"current_password", true}, {"password_hash", true},
		{"passwd", true}, {"secret", true}, {"client_secret", true}, {"clientSecret", true},
		{"token", true}, {"setup_token", true}, {"access_token", true}, {"csrfToken", true},
		{"Authorization", true}, {"cookie", true}, {"Cookies", true}, {"set-cookie", true},
		{"api_key", true}, {"apikey", true}, {"X-API-Key", true}, {"private_key", true},
		{"webhook_secret", true}, {"credentials", true},
		{"key", false}, {"api_key_id", false}, {"request_id", false}, {"user_id", false},
		{"email", false}, {"sessions", false}, {"cookies_expire_at", false}, {"last_eight", false},
		{"token_count", false}, {"action", false}, {"status", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := sensitiveKey(tt.key); got != tt.want {
				t.Fatalf("sensitiveKey(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

func TestRedactText(t *testing.T) {
	r := newRedactor([]string{testConfig, "short"})
	tests := []struct {
		name, in, want string
	}{
		{"plain", "download completed", "download completed"},
		{"api key", "key " + testKey + " used", "key [REDACTED] used"},
		{"short api key", "dlk_abcdefghijklmnopqrstu", "[REDACTED]"},
		{"webhook secret", "secret=" + testWhsec, "secret=[REDACTED]"},
		{"bearer", "Authorization: Bearer abc.def.ghi-123", "Authorization: Bearer [REDACTED]"},
		{"url password", "fetch https://bob:hunter22@example.com/x", "fetch https://[REDACTED]@example.com/x"},
		{"url without password", "postgres://postgres@127.0.0.1:5432/db", "postgres://postgres@127.0.0.1:5432/db"},
		{"query token", "GET /cb?code=1&access_token=abc123&x=1", "GET /cb?code=1&access_token=[REDACTED]&x=1"},
		{"query client secret", "POST /t?client_secret=s3cr3t", "POST /t?client_secret=[REDACTED]"},
		{"configured literal", "oidc says " + testConfig, "oidc says [REDACTED]"},
		{"short literal ignored", "short and sweet", "short and sweet"},
		{"email kept", "login bob@example.com", "login bob@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.text(tt.in); got != tt.want {
				t.Fatalf("text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

// TestRedactionInBothOutputs logs secrets in every shape through a handler
// and checks neither the output nor the stored row holds one, while the
// setup token is printed but never stored.
func TestRedactionInBothOutputs(t *testing.T) {
	tests := []struct {
		name  string
		log   func(l *slog.Logger)
		keep  string // must still be printed
		wantK string // attrs key that must read [REDACTED] in the row
	}{
		{"password attr", func(l *slog.Logger) { l.Info("login", "password", "hunter2hunter2") }, "", "password"},
		{"client secret attr", func(l *slog.Logger) { l.Info("oidc", "client_secret", "abcdefgh12345") }, "", "client_secret"},
		{"key in message", func(l *slog.Logger) { l.Info("bad key " + testKey) }, "", ""},
		{"key attr with key value", func(l *slog.Logger) { l.Info("made", "key", testKey) }, "", ""},
		{"whsec in attr", func(l *slog.Logger) { l.Info("hook", "detail", "signing with "+testWhsec) }, "", ""},
		{"error value", func(l *slog.Logger) { l.Warn("failed", "err", errors.New("auth Bearer "+testKey)) }, "", ""},
		{"stringer value", func(l *slog.Logger) { l.Info("s", "v", stringer{"token " + testKey}) }, "", ""},
		{"header map", func(l *slog.Logger) {
			l.Info("headers", "headers", http.Header{"Authorization": {"Basic Ym9iOmh1bnRlcjI="}, "Cookie": {"sess=abcdef123456"}})
		}, "", ""},
		{"group", func(l *slog.Logger) {
			l.Info("req", slog.Group("req", slog.String("cookie", "sess=abcdef123456"), slog.String("path", "/x")))
		}, "/x", "req.cookie"},
		{"with attrs", func(l *slog.Logger) { l.With("api_key", testKey).Info("bound") }, "", "api_key"},
		{"configured literal", func(l *slog.Logger) { l.Error("oidc failed: " + testConfig) }, "", ""},
		{"setup token", func(l *slog.Logger) {
			l.Warn("create the first admin", "setup_token", "setup-3f9a1c2b7d")
			l.Info("echo of the token", "note", "was setup-3f9a1c2b7d")
		}, "setup-3f9a1c2b7d", "setup_token"},
	}
	secrets := []string{"hunter2hunter2", "abcdefgh12345", testKey, testWhsec, "Ym9iOmh1bnRlcjI=", "sess=abcdef123456", testConfig}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			h := New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}), Options{Secrets: []string{testConfig}})
			tt.log(slog.New(h))
			rows := drain(h)
			if len(rows) == 0 {
				t.Fatal("nothing offered to the table")
			}
			for _, s := range secrets {
				if strings.Contains(out.String(), s) {
					t.Errorf("output holds %q:\n%s", s, out.String())
				}
			}
			var stored strings.Builder
			for _, r := range rows {
				stored.WriteString(r.Message + " " + r.Attrs + "\n")
			}
			for _, s := range append(secrets, "setup-3f9a1c2b7d") {
				if strings.Contains(stored.String(), s) {
					t.Errorf("row holds %q:\n%s", s, stored.String())
				}
			}
			if tt.keep != "" && !strings.Contains(out.String(), tt.keep) {
				t.Errorf("output lost %q:\n%s", tt.keep, out.String())
			}
			if tt.wantK != "" {
				var attrs map[string]any
				if err := json.Unmarshal([]byte(rows[0].Attrs), &attrs); err != nil {
					t.Fatal(err)
				}
				if attrs[tt.wantK] != Redacted {
					t.Errorf("attrs[%q] = %v, want %s (attrs %s)", tt.wantK, attrs[tt.wantK], Redacted, rows[0].Attrs)
				}
			}
		})
	}
}

// drain takes every row waiting in the handler's buffer.
func drain(h *Handler) []row {
	var rows []row
	for {
		select {
		case r := <-h.c.sink.ch:
			rows = append(rows, r)
		default:
			return rows
		}
	}
}

func TestDebugStaysOutOfTheTable(t *testing.T) {
	var out bytes.Buffer
	h := New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}), Options{})
	l := slog.New(h)
	l.Debug("chatty")
	l.Info("kept")
	rows := drain(h)
	if len(rows) != 1 || rows[0].Message != "kept" {
		t.Fatalf("rows %+v, want only the info record", rows)
	}
	if !strings.Contains(out.String(), "chatty") {
		t.Fatalf("debug record not printed:\n%s", out.String())
	}
	if !h.Enabled(context.Background(), slog.LevelDebug) {
		t.Fatal("handler refuses debug although the output wants it")
	}
	quiet := New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelError}), Options{})
	if quiet.Enabled(context.Background(), slog.LevelDebug) || !quiet.Enabled(context.Background(), slog.LevelInfo) {
		t.Fatal("Enabled must follow the table's level (info) when the output wants less")
	}
}
