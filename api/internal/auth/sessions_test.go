package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/secrets"
	"github.com/downlink/downlink/api/internal/store/storetest"
	"github.com/downlink/downlink/api/internal/users"
)

func newTestService(t *testing.T, tune func(*config.Config)) *Service {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	if tune != nil {
		tune(&cfg)
	}
	keys, err := secrets.Load("a test secret key of enough length", cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.New(t).DB
	return New(Deps{Config: &cfg, DB: db, Users: users.New(db, users.WithPasswordParams(users.PasswordParams{MemoryKiB: 8, Time: 1, Threads: 1})), Keys: keys, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// redate rewrites a securecookie value as if it had been issued at when:
// the same name|date|value, the date changed and the MAC made again.
func redate(t *testing.T, s *Service, name, value string, when time.Time) string {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		t.Fatalf("not a securecookie value: %q", raw)
	}
	b := fmt.Sprintf("%s|%d|%s", name, when.Unix(), parts[1])
	mac := hmac.New(sha256.New, s.keys.Derive("downlink session cookie hmac v1", 64))
	mac.Write([]byte(b))
	out := append([]byte(b+"|"), mac.Sum(nil)...)[len(name)+1:]
	return base64.URLEncoding.EncodeToString(out)
}

// TestSessionOutlivesCookieCodecDefault: the server's absolute timeout
// decides when a session ends, also when it is longer than securecookie's
// built-in 30 days (the cookie is issued once, at login).
func TestSessionOutlivesCookieCodecDefault(t *testing.T) {
	ctx := context.Background()
	s := newTestService(t, func(c *config.Config) { c.SessionMaxAge = 90 * 24 * time.Hour })
	u, err := s.users.CreateLocal(ctx, users.NewLocal{Email: "ada@example.com", Role: authz.RoleUser, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	login := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", nil)
	w := httptest.NewRecorder()
	if _, err := s.sessions.start(ctx, w, login, u.ID, "192.0.2.1", "test"); err != nil {
		t.Fatal(err)
	}
	var cookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == CookieName {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	for _, age := range []time.Duration{0, 31 * 24 * time.Hour, 60 * 24 * time.Hour} {
		t.Run(fmt.Sprintf("cookie issued %v ago", age), func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/auth/me", nil)
			r.AddCookie(&http.Cookie{Name: CookieName, Value: redate(t, s, CookieName, cookie.Value, time.Now().Add(-age))})
			p, err := s.Authenticate(ctx, r)
			if err != nil || p == nil || p.UserID != u.ID {
				t.Fatalf("a live session was refused: %v, %v", p, err)
			}
		})
	}
}
