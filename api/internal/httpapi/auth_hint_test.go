package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/authz"
)

// hintIn returns the signed-in hint a response set ("1", "" when cleared),
// and whether it set one.
func hintIn(r *apitest.Response) (string, bool) {
	for _, raw := range r.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(raw); err == nil && c.Name == auth.HintCookieName {
			if c.HttpOnly {
				return "httponly", true
			}
			return c.Value, true
		}
	}
	return "", false
}

// TestSignedInHint: login sets a script-readable "signed in" hint beside
// the session cookie and logout clears it; the public providers call says
// whether the request has a session, so the dashboard never needs a 401
// from /auth/me to learn it is signed out.
func TestSignedInHint(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)

	var p map[string]any
	env.Client().Get("/api/v1/auth/providers").Expect(http.StatusOK).JSON(&p)
	if p["signed_in"] != false {
		t.Fatalf("anonymous providers: %v", p)
	}

	c := env.Client()
	login := expectStatus(t, c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}), http.StatusOK)
	if v, ok := hintIn(login); !ok || v != "1" {
		t.Fatalf("login set hint %q (%v), want a readable 1; Set-Cookie %q", v, ok, login.Header.Values("Set-Cookie"))
	}
	c.Get("/api/v1/auth/providers").Expect(http.StatusOK).JSON(&p)
	if p["signed_in"] != true {
		t.Fatalf("signed-in providers: %v", p)
	}
	out := c.Post("/api/v1/auth/logout", nil)
	if v, ok := hintIn(out); !ok || v != "" {
		t.Fatalf("logout left the hint (%q, %v): %q", v, ok, strings.Join(out.Header.Values("Set-Cookie"), " | "))
	}
}
