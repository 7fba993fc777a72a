package httpapi_test

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

func idpUser(email string, verified bool) *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: "sub-" + uuid.NewString(), Email: email, EmailVerified: verified, PreferredUsername: "Pat"}
}

// oidcSignIn runs the whole round trip in browser and returns the
// callback's response.
func oidcSignIn(t *testing.T, env *apitest.Env, p *idp, browser *apitest.Client, u *mockoidc.MockUser, returnTo string) *apitest.Response {
	t.Helper()
	a := startOIDCLogin(t, env, p, browser, returnTo)
	a.signInAtIDP(t, p, u)
	return browser.Get(a.callbackPath(nil))
}

func TestOIDCLogin(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDP(p, "boss@example.com", "chief@example.com"))

	providers := env.Client().Get("/api/v1/auth/providers").Expect(http.StatusOK).Map()
	list, _ := providers["providers"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["login_url"] != "/api/v1/auth/oidc/oidc/login" ||
		list[0].(map[string]any)["name"] != "Test IdP" {
		t.Fatalf("providers %v", providers)
	}

	tests := []struct {
		name     string
		user     *mockoidc.MockUser
		returnTo string
		location string
		role     string
	}{
		{"an admin e-mail becomes admin", idpUser("Boss@Example.com", true), "/downloads?status=failed", "/downloads?status=failed", "admin"},
		{"another e-mail is a user", idpUser("pat@example.com", true), "", "/", "user"},
		{"return_to off the site is ignored", idpUser("sam@example.com", true), "//evil.example/x", "/", "user"},
		{"return_to with a scheme is ignored", idpUser("kim@example.com", true), "https://evil.example/", "/", "user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			browser := env.Client()
			r := expectStatus(t, oidcSignIn(t, env, p, browser, tt.user, tt.returnTo), http.StatusFound)
			if loc := r.Header.Get("Location"); loc != tt.location {
				t.Fatalf("callback redirected to %q, want %q", loc, tt.location)
			}
			sessionCookie(t, r)
			m := getMe(t, browser)
			if m.Role != tt.role || m.User.AuthSource != "oidc" || m.User.Issuer == nil || *m.User.Issuer != p.Issuer() {
				t.Fatalf("/auth/me %+v (issuer %v), want role %s from %s", m, m.User.Issuer, tt.role, p.Issuer())
			}
			var row struct {
				Issuer  string `gorm:"column:oidc_issuer"`
				Subject string `gorm:"column:oidc_subject"`
			}
			err := env.App.Store.DB.Table("users").Select("oidc_issuer, oidc_subject").Where("id = ?", m.User.ID).Take(&row).Error
			if err != nil || row.Issuer != p.Issuer() || row.Subject != tt.user.Subject {
				t.Fatalf("user row %+v, %v", row, err)
			}

			// The next login finds the same account by issuer and subject,
			// even after the e-mail changed at the provider.
			tt.user.Email = "renamed-" + uuid.NewString()[:6] + "@example.com"
			again := env.Client()
			expectStatus(t, oidcSignIn(t, env, p, again, tt.user, ""), http.StatusFound)
			m2 := getMe(t, again)
			if m2.User.ID != m.User.ID || m2.Role != tt.role || m2.User.Email != tt.user.Email {
				t.Fatalf("second login: %+v, want user %s", m2.User, m.User.ID)
			}
		})
	}
	var n int64
	env.App.Store.DB.Table("users").Count(&n)
	if n != int64(len(tests)) {
		t.Fatalf("%d users after %d people signed in twice each", n, len(tests))
	}
}

// TestOIDCHostileCallbacks: every way a callback can be forged, replayed
// or carry a bad ID token ends in a 400 problem with no session and no
// account.
func TestOIDCHostileCallbacks(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDP(p))
	db := env.App.Store.DB

	// Each case prepares what it needs, then returns the hostile request;
	// detail is a fragment of the reason the problem must give.
	tests := []hostileCallback{
		{"missing state", "state parameter does not match", func(t *testing.T) func() *apitest.Response {
			b := env.Client()
			a := startOIDCLogin(t, env, p, b, "")
			a.signInAtIDP(t, p, idpUser("x@example.com", true))
			return func() *apitest.Response { return b.Get(a.callbackPath(func(q url.Values) { q.Del("state") })) }
		}},
		{"wrong state", "state parameter does not match", func(t *testing.T) func() *apitest.Response {
			b := env.Client()
			a := startOIDCLogin(t, env, p, b, "")
			a.signInAtIDP(t, p, idpUser("x@example.com", true))
			return func() *apitest.Response {
				return b.Get(a.callbackPath(func(q url.Values) { q.Set("state", q.Get("state")+"x") }))
			}
		}},
		{"callback without the pre-login cookie", "no login in progress", func(t *testing.T) func() *apitest.Response {
			a := startOIDCLogin(t, env, p, env.Client(), "")
			a.signInAtIDP(t, p, idpUser("x@example.com", true))
			return func() *apitest.Response { return env.Client().Get(a.callbackPath(nil)) }
		}},
		{"callback delivered to a browser with its own login in progress", "state parameter does not match", func(t *testing.T) func() *apitest.Response {
			a := startOIDCLogin(t, env, p, env.Client(), "")
			a.signInAtIDP(t, p, idpUser("attacker@example.com", true))
			victim := env.Client()
			startOIDCLogin(t, env, p, victim, "")
			return func() *apitest.Response { return victim.Get(a.callbackPath(nil)) }
		}},
		{"someone else's code with this browser's state (PKCE)", "code was refused", func(t *testing.T) func() *apitest.Response {
			a := startOIDCLogin(t, env, p, env.Client(), "")
			a.signInAtIDP(t, p, idpUser("attacker@example.com", true))
			victim := env.Client()
			v := startOIDCLogin(t, env, p, victim, "")
			return func() *apitest.Response {
				return victim.Get(a.callbackPath(func(q url.Values) { q.Set("state", v.authorize.Query().Get("state")) }))
			}
		}},
		{"tampered pre-login cookie", "expired or was altered", func(t *testing.T) func() *apitest.Response {
			a := startOIDCLogin(t, env, p, env.Client(), "")
			a.signInAtIDP(t, p, idpUser("x@example.com", true))
			v := a.prelogin.Value
			forged := env.Client().Header("Cookie", "downlink_prelogin="+v[:len(v)-3]+"abc")
			return func() *apitest.Response { return forged.Get(a.callbackPath(nil)) }
		}},
		{"replayed callback (same browser)", "no login in progress", func(t *testing.T) func() *apitest.Response {
			b := env.Client()
			a := startOIDCLogin(t, env, p, b, "")
			a.signInAtIDP(t, p, idpUser("replay@example.com", true))
			expectStatus(t, b.Get(a.callbackPath(nil)), http.StatusFound)
			expectStatus(t, b.Post("/api/v1/auth/logout", nil), http.StatusNoContent)
			return func() *apitest.Response { return b.Get(a.callbackPath(nil)) }
		}},
		{"replayed callback with a copy of the pre-login cookie", "code was refused", func(t *testing.T) func() *apitest.Response {
			b := env.Client()
			a := startOIDCLogin(t, env, p, b, "")
			a.signInAtIDP(t, p, idpUser("replay2@example.com", true))
			expectStatus(t, b.Get(a.callbackPath(nil)), http.StatusFound)
			thief := env.Client().Header("Cookie", "downlink_prelogin="+a.prelogin.Value)
			return func() *apitest.Response { return thief.Get(a.callbackPath(nil)) }
		}},
		{"wrong nonce", "nonce does not match", func(t *testing.T) func() *apitest.Response {
			b := env.Client()
			a := startOIDCLogin(t, env, p, b, "")
			q := a.authorize.Query()
			q.Set("nonce", "nonce-of-another-login-"+uuid.NewString())
			a.authorize.RawQuery = q.Encode()
			a.signInAtIDP(t, p, idpUser("x@example.com", true))
			return func() *apitest.Response { return b.Get(a.callbackPath(nil)) }
		}},
		{"provider reports an error", "refused the login (access_denied)", func(t *testing.T) func() *apitest.Response {
			b := env.Client()
			a := startOIDCLogin(t, env, p, b, "")
			a.signInAtIDP(t, p, idpUser("x@example.com", true))
			return func() *apitest.Response {
				return b.Get(a.callbackPath(func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") }))
			}
		}},
	}
	tokenCases := []struct {
		name, detail string
		tamper       func(c jwt.MapClaims) *rsa.PrivateKey
	}{
		{"ID token signed by another key", "(bad signature)", func(jwt.MapClaims) *rsa.PrivateKey { return otherKey() }},
		{"expired ID token", "(expired)", func(c jwt.MapClaims) *rsa.PrivateKey {
			now := time.Now()
			c["iat"], c["nbf"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-time.Hour).Unix(), now.Add(-5*time.Minute).Unix()
			return p.Keypair.PrivateKey
		}},
		{"ID token for another client", "(wrong audience)", func(c jwt.MapClaims) *rsa.PrivateKey {
			c["aud"] = []string{"some-other-app"}
			return p.Keypair.PrivateKey
		}},
		{"ID token from another issuer", "(wrong issuer)", func(c jwt.MapClaims) *rsa.PrivateKey {
			c["iss"] = "https://evil.example/oidc"
			return p.Keypair.PrivateKey
		}},
		{"ID token without a nonce", "nonce does not match", func(c jwt.MapClaims) *rsa.PrivateKey {
			delete(c, "nonce")
			return p.Keypair.PrivateKey
		}},
	}
	for _, tc := range tokenCases {
		tests = append(tests, hostileCallback{tc.name, tc.detail, func(t *testing.T) func() *apitest.Response {
			b := env.Client()
			a := startOIDCLogin(t, env, p, b, "")
			a.signInAtIDP(t, p, idpUser("x-"+uuid.NewString()[:6]+"@example.com", true))
			return func() *apitest.Response {
				p.setTamper(tc.tamper)
				defer p.setTamper(nil)
				return b.Get(a.callbackPath(nil))
			}
		}})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hostile := tt.prepare(t)
			var usersBefore, sessionsBefore int64
			db.Table("users").Count(&usersBefore)
			db.Table("sessions").Where("user_id IS NOT NULL").Count(&sessionsBefore)

			r := hostile()
			p := expectProblem(t, r, http.StatusBadRequest)
			if d, _ := p["detail"].(string); p["title"] != "OIDC login failed" || !strings.Contains(d, tt.detail) {
				t.Fatalf("problem %v", p)
			}
			if c := findSessionCookie(r); c != nil && c.MaxAge >= 0 {
				t.Fatalf("a failed callback set a session cookie: %q", r.Header.Values("Set-Cookie"))
			}
			var usersAfter, sessionsAfter int64
			db.Table("users").Count(&usersAfter)
			db.Table("sessions").Where("user_id IS NOT NULL").Count(&sessionsAfter)
			if usersAfter != usersBefore || sessionsAfter != sessionsBefore {
				t.Fatalf("users %d→%d, sessions %d→%d", usersBefore, usersAfter, sessionsBefore, sessionsAfter)
			}
		})
	}

	// After all that, an honest login still works.
	b := env.Client()
	oidcSignIn(t, env, p, b, idpUser("honest@example.com", true), "").Expect(http.StatusFound)
	if getMe(t, b).User.Email != "honest@example.com" {
		t.Fatal("honest login failed")
	}
}

// TestOIDCLoginHostHeaders: without a base URL the callback follows the
// request's Host, but a stream of made-up Host headers neither makes the
// server fetch the provider's discovery document again and again nor
// piles up state.
func TestOIDCLoginHostHeaders(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDP(p))
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range 40 {
		req, err := http.NewRequest(http.MethodGet, env.URL+"/api/v1/auth/oidc/oidc/login", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = fmt.Sprintf("host-%d.example:8080", i)
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc == nil ||
			loc.Query().Get("redirect_uri") != "http://"+req.Host+"/api/v1/auth/oidc/oidc/callback" {
			t.Fatalf("login with Host %s: %d to %s", req.Host, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if n := p.discoveries.Load(); n > 2 {
		t.Fatalf("%d discovery fetches for 40 logins", n)
	}
	// And the login still completes on the real host.
	b := env.Client()
	oidcSignIn(t, env, p, b, idpUser("host@example.com", true), "").Expect(http.StatusFound)
	getMe(t, b)
}

// TestOIDCAccountRules: an OIDC sign-in never takes over a local account
// by e-mail, a disabled OIDC user gets no session, and an OIDC account
// has no password to change here.
func TestOIDCAccountRules(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDP(p))
	local := newAccount(t, env, authz.RoleUser)

	r := oidcSignIn(t, env, p, env.Client(), idpUser(local.Email, true), "")
	expectProblem(t, r, http.StatusForbidden)
	if findSessionCookie(r) != nil {
		t.Fatal("an OIDC sign-in with a local account's e-mail got a session")
	}
	signIn(t, env, local) // the local account is untouched

	u := idpUser("oidc-only@example.com", true)
	b := env.Client()
	oidcSignIn(t, env, p, b, u, "").Expect(http.StatusFound)
	m := getMe(t, b)
	expectProblem(t, b.Do(http.MethodPatch, "/api/v1/auth/me", map[string]any{"current_password": "whatever it is", "new_password": "a new password"}),
		http.StatusUnprocessableEntity)
	expectProblem(t, env.Client().Post("/api/v1/auth/login", map[string]string{"email": u.Email, "password": ""}), http.StatusUnprocessableEntity)
	expectProblem(t, env.Client().Post("/api/v1/auth/login", map[string]string{"email": u.Email, "password": "anything at all"}), http.StatusUnauthorized)

	admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	admin.Do(http.MethodPatch, "/api/v1/users/"+m.User.ID.String(), map[string]any{"disabled": true}).Expect(http.StatusOK)
	expectProblem(t, b.Get("/api/v1/auth/me"), http.StatusUnauthorized)
	r = oidcSignIn(t, env, p, env.Client(), u, "")
	expectProblem(t, r, http.StatusForbidden)
	if findSessionCookie(r) != nil {
		t.Fatal("a disabled OIDC user got a session")
	}
}

type hostileCallback struct {
	name, detail string
	prepare      func(t *testing.T) func() *apitest.Response
}

func TestOIDCUnknownProvider(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	for _, path := range []string{"/api/v1/auth/oidc/oidc/login", "/api/v1/auth/oidc/github/callback?state=x&code=y"} {
		expectProblem(t, env.Client().Get(path), http.StatusNotFound)
	}
}
