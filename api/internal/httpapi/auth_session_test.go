package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        func(*config.Config)
		headers    []string
		wantName   string
		wantSecure bool
	}{
		{"plain http", func(*config.Config) {}, nil, "downlink_session", false},
		{"proxy says https, trusted", func(c *config.Config) { c.TrustProxy = true },
			[]string{"X-Forwarded-Proto", "https"}, "__Host-downlink_session", true},
		{"proxy says https, not trusted", func(*config.Config) {},
			[]string{"X-Forwarded-Proto", "https"}, "downlink_session", false},
		{"https base URL", func(c *config.Config) { c.BaseURL = "https://downlink.example" }, nil, "__Host-downlink_session", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := apitest.New(t, apitest.WithConfig(tt.cfg))
			a := newAccount(t, env, authz.RoleUser)
			c := env.Client()
			r := c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}, tt.headers...).
				Expect(http.StatusOK)
			ck := sessionCookie(t, r)
			if ck.Name != tt.wantName || ck.Secure != tt.wantSecure {
				t.Fatalf("cookie %s Secure=%v, want %s Secure=%v", ck.Name, ck.Secure, tt.wantName, tt.wantSecure)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
				t.Fatalf("cookie flags: HttpOnly=%v SameSite=%v Path=%q Domain=%q", ck.HttpOnly, ck.SameSite, ck.Path, ck.Domain)
			}
			if ck.MaxAge <= 0 || len(ck.Value) < 40 {
				t.Fatalf("cookie Max-Age %d, value %d chars", ck.MaxAge, len(ck.Value))
			}
			// The cookie, sent back the way it came, is the session.
			if m := getMeWith(t, withCookie(env, ck), tt.headers...); m.User.ID != a.ID {
				t.Fatalf("cookie is %s's session, want %s", m.User.Email, a.Email)
			}
			// Logging out clears the same cookie.
			r = expectStatus(t, withCookie(env, ck).Post("/api/v1/auth/logout", nil, tt.headers...), http.StatusNoContent)
			cleared := findSessionCookie(r)
			if cleared == nil || cleared.Name != tt.wantName || cleared.MaxAge >= 0 || cleared.Value != "" {
				t.Fatalf("logout Set-Cookie %q", r.Header.Values("Set-Cookie"))
			}
		})
	}
}

func getMeWith(t *testing.T, c *apitest.Client, headers ...string) me {
	t.Helper()
	var m me
	if err := jsonInto(expectStatus(t, c.Get("/api/v1/auth/me", headers...), http.StatusOK), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLoginRotatesSessionID: signing in again from the same browser gives a
// new session id and destroys the old one (no session fixation).
func TestLoginRotatesSessionID(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	browser, first := signIn(t, env, a)
	r := browser.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}).Expect(http.StatusOK)
	second := sessionCookie(t, r)
	if second.Value == first.Value {
		t.Fatal("the session cookie did not change at login")
	}
	expectProblem(t, withCookie(env, first).Get("/api/v1/auth/me"), http.StatusUnauthorized)
	getMe(t, browser)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	browser.Get("/api/v1/auth/sessions").Expect(http.StatusOK).JSON(&list)
	if len(list.Items) != 1 {
		t.Fatalf("%d sessions after logging in twice from one browser, want 1", len(list.Items))
	}
	// A cookie someone planted before login is destroyed, not adopted.
	other := newAccount(t, env, authz.RoleUser)
	_, planted := signIn(t, env, other)
	victim := withCookie(env, planted)
	r = victim.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}).Expect(http.StatusOK)
	if sessionCookie(t, r).Value == planted.Value {
		t.Fatal("login kept the planted session id")
	}
	expectProblem(t, withCookie(env, planted).Get("/api/v1/auth/me"), http.StatusUnauthorized)
}

func TestLogoutThenReplay(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	browser, ck := signIn(t, env, a)
	getMe(t, browser)
	browser.Post("/api/v1/auth/logout", nil).Expect(http.StatusNoContent)
	for name, c := range map[string]*apitest.Client{"same browser": browser, "replayed cookie": withCookie(env, ck)} {
		t.Run(name, func(t *testing.T) {
			expectProblem(t, c.Get("/api/v1/auth/me"), http.StatusUnauthorized)
			expectProblem(t, c.Post("/api/v1/auth/logout", nil), http.StatusUnauthorized)
		})
	}
}

// TestSessionTimeouts moves a session's clock by editing its row.
func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) {
		c.SessionIdleTimeout = time.Minute
		c.SessionMaxAge = 10 * time.Minute
	}))
	db := env.App.Store.DB
	past := time.Now().UTC().Add(-time.Second)
	tests := []struct {
		name   string
		set    map[string]any
		status int
	}{
		{"fresh", nil, http.StatusOK},
		{"idle timeout passed", map[string]any{"expires_at": past}, http.StatusUnauthorized},
		{"absolute timeout passed while in use", map[string]any{"absolute_expires_at": past, "last_seen_at": time.Now().UTC()}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAccount(t, env, authz.RoleUser)
			browser, ck := signIn(t, env, a)
			if tt.set != nil {
				if err := db.Table("sessions").Where("user_id = ?", a.ID).Updates(tt.set).Error; err != nil {
					t.Fatal(err)
				}
			}
			r := expectStatus(t, browser.Get("/api/v1/auth/me"), tt.status)
			if tt.status != http.StatusOK {
				expectProblem(t, r, tt.status)
				expectProblem(t, withCookie(env, ck).Get("/api/v1/auth/sessions"), tt.status)
			}
		})
	}

	t.Run("use slides the idle timeout, never past the absolute one", func(t *testing.T) {
		a := newAccount(t, env, authz.RoleUser)
		browser, _ := signIn(t, env, a)
		soon := time.Now().UTC().Add(5 * time.Second)
		abs := time.Now().UTC().Add(30 * time.Second)
		err := db.Table("sessions").Where("user_id = ?", a.ID).Updates(map[string]any{
			"expires_at": soon, "absolute_expires_at": abs, "last_seen_at": time.Now().UTC().Add(-2 * time.Minute),
		}).Error
		if err != nil {
			t.Fatal(err)
		}
		getMe(t, browser)
		var row struct{ ExpiresAt time.Time }
		if err := db.Table("sessions").Select("expires_at").Where("user_id = ?", a.ID).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		if !row.ExpiresAt.After(soon.Add(30 * time.Second)) {
			t.Fatalf("a request did not slide the idle expiry: %v", row.ExpiresAt)
		}
		var list struct {
			Items []struct {
				ExpiresAt time.Time `json:"expires_at"`
			} `json:"items"`
		}
		browser.Get("/api/v1/auth/sessions").Expect(http.StatusOK).JSON(&list)
		if len(list.Items) != 1 || list.Items[0].ExpiresAt.After(abs.Add(time.Second)) {
			t.Fatalf("listed expiry %v is past the absolute timeout %v", list.Items, abs)
		}
	})

	t.Run("cleanup removes ended sessions", func(t *testing.T) {
		a := newAccount(t, env, authz.RoleUser)
		signIn(t, env, a)
		signIn(t, env, a)
		if err := db.Table("sessions").Where("user_id = ?", a.ID).Update("expires_at", past).Error; err != nil {
			t.Fatal(err)
		}
		if err := env.App.Auth.Cleanup(context.Background()); err != nil {
			t.Fatal(err)
		}
		var n int64
		db.Table("sessions").Where("user_id = ?", a.ID).Count(&n)
		if n != 0 {
			t.Fatalf("%d expired sessions left after cleanup", n)
		}
	})
}

func TestDisabledUserIsSignedOut(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	db := env.App.Store.DB
	tests := []struct {
		name    string
		disable func(t *testing.T, a account)
	}{
		{"by an admin", func(t *testing.T, a account) {
			r := expectStatus(t, admin.Do(http.MethodPatch, "/api/v1/users/"+a.ID.String(), map[string]any{"disabled": true}), http.StatusOK)
			if r.Map()["disabled"] != true {
				t.Fatalf("PATCH answered %s", r.Body)
			}
		}},
		// Even when the flag changes behind the API's back, the next request
		// sees it: the session lookup joins the user.
		{"in the database", func(t *testing.T, a account) {
			if err := db.Table("users").Where("id = ?", a.ID).Update("disabled", true).Error; err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAccount(t, env, authz.RoleUser)
			browser, ck := signIn(t, env, a)
			getMe(t, browser)
			tt.disable(t, a)
			expectProblem(t, browser.Get("/api/v1/auth/me"), http.StatusUnauthorized)
			expectProblem(t, withCookie(env, ck).Get("/api/v1/system"), http.StatusUnauthorized)
			var n int64
			db.Table("sessions").Where("user_id = ?", a.ID).Count(&n)
			if n != 0 {
				t.Fatalf("%d sessions of a disabled user remain", n)
			}
			r := env.Client().Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password})
			expectProblem(t, r, http.StatusUnauthorized)
			if findSessionCookie(r) != nil {
				t.Fatal("a disabled user got a session cookie")
			}
			// Enabled again, they can sign in.
			expectStatus(t, admin.Do(http.MethodPatch, "/api/v1/users/"+a.ID.String(), map[string]any{"disabled": false}), http.StatusOK)
			signIn(t, env, a)
		})
	}
}

func TestLastAdminGuard(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	first := newAccount(t, env, authz.RoleAdmin)
	browser, _ := signIn(t, env, first)
	patch := func(id string, body any) *apitest.Response {
		t.Helper()
		return browser.Do(http.MethodPatch, "/api/v1/users/"+id, body)
	}
	self := first.ID.String()
	for _, body := range []map[string]any{{"role": "user"}, {"disabled": true}, {"role": "user", "disabled": true}} {
		p := expectProblem(t, patch(self, body), http.StatusConflict)
		if p["title"] != "Last admin" {
			t.Fatalf("%v: %v", body, p)
		}
	}
	// A disabled admin does not count as an active one.
	second := newAccount(t, env, authz.RoleAdmin)
	patch(second.ID.String(), map[string]any{"disabled": true}).Expect(http.StatusOK)
	expectProblem(t, patch(self, map[string]any{"role": "user"}), http.StatusConflict)
	// With another active admin, the first may step down; then the other is the last.
	patch(second.ID.String(), map[string]any{"disabled": false}).Expect(http.StatusOK)
	patch(self, map[string]any{"name": "still here"}).Expect(http.StatusOK)
	if r := patch(self, map[string]any{"role": "user"}).Expect(http.StatusOK); r.Map()["role"] != "user" {
		t.Fatalf("demotion answered %s", r.Body)
	}
	// The demotion applies to the open session at once.
	expectProblem(t, browser.Get("/api/v1/users"), http.StatusForbidden)
	other, _ := signIn(t, env, second)
	expectProblem(t, other.Do(http.MethodPatch, "/api/v1/users/"+second.ID.String(), map[string]any{"role": "user"}), http.StatusConflict)
	expectProblem(t, other.Do(http.MethodPatch, "/api/v1/users/"+second.ID.String(), map[string]any{"disabled": true}), http.StatusConflict)
}
