package httpapi_test

import (
	"context"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/users"
)

// userCount counts the accounts with e-mail.
func userCount(t *testing.T, env *apitest.Env, email string) int64 {
	t.Helper()
	var n int64
	if err := env.App.Store.DB.Table("users").Where("email = ?", email).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// refused checks a callback answered the one "Sign-in not allowed"
// problem, with no session, and returns the problem.
func refused(t *testing.T, r *apitest.Response) map[string]any {
	t.Helper()
	p := expectProblem(t, r, http.StatusForbidden)
	if findSessionCookie(r) != nil {
		t.Fatal("a refused provider sign-in got a session")
	}
	return p
}

// TestOIDCSignupClosedByDefault: with no sign-up setting, a new identity
// of the provider gets no account; existing accounts, invited e-mails,
// allowed domains and admin e-mails (all verified) do.
func TestOIDCSignupClosedByDefault(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDPConfig(p, func(c *config.Config) {
		c.AdminEmails = []string{"boss@example.com"}
		c.SignupEmails = []string{"invited@example.com", "invited2@example.com"}
		c.SignupDomains = []string{"team.example"}
	}))

	tests := []struct {
		name  string
		email string
		// verified: the provider's email_verified claim.
		verified bool
		// role is the new account's role; "" means refused, no account.
		role string
	}{
		{"a stranger is refused", "stranger@example.com", true, ""},
		{"an invited e-mail signs up", "Invited@Example.com", true, "user"},
		{"an invited e-mail the provider did not verify is refused", "invited2@example.com", false, ""},
		{"an allowed domain signs up", "ann@team.example", true, "user"},
		{"an allowed domain unverified is refused", "bob@team.example", false, ""},
		{"a look-alike domain is refused", "eve@evilteam.example", true, ""},
		{"a sub-domain trick is refused", "eve@team.example.evil.example", true, ""},
		{"an admin e-mail signs up as admin", "boss@example.com", true, "admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := env.Client()
			r := oidcSignIn(t, env, p, b, idpUser(tt.email, tt.verified), "")
			if tt.role == "" {
				refused(t, r)
				if n := userCount(t, env, strings.ToLower(tt.email)); n != 0 {
					t.Fatalf("%d accounts for %s after a refused sign-up", n, tt.email)
				}
				return
			}
			expectStatus(t, r, http.StatusFound)
			if m := getMe(t, b); string(m.Role) != tt.role {
				t.Fatalf("signed up as %s, want %s", m.Role, tt.role)
			}
		})
	}

	t.Run("an existing account signs in while sign-up is closed", func(t *testing.T) {
		u := idpUser("early-"+uuid.NewString()[:6]+"@example.com", true)
		if _, _, err := env.App.Users.SignInOIDC(context.Background(), users.Identity{Issuer: p.Issuer(), Subject: u.Subject,
			Email: u.Email, EmailVerified: true}, users.SignupRules{Open: true}); err != nil {
			t.Fatal(err)
		}
		b := env.Client()
		expectStatus(t, oidcSignIn(t, env, p, b, u, ""), http.StatusFound)
		if m := getMe(t, b); m.User.Email != u.Email {
			t.Fatalf("/auth/me %+v", m.User)
		}
	})

	t.Run("the refusal does not tell whether a local account has the e-mail", func(t *testing.T) {
		// A local account in the allowed domain: only the e-mail clash refuses it.
		local := account{Email: "local-" + uuid.NewString()[:6] + "@team.example", Password: "correct horse battery"}
		if _, err := env.App.Users.CreateLocal(context.Background(), users.NewLocal{Email: local.Email, Role: authz.RoleUser,
			Password: local.Password}); err != nil {
			t.Fatal(err)
		}
		taken := refused(t, oidcSignIn(t, env, p, env.Client(), idpUser(local.Email, true), ""))
		stranger := refused(t, oidcSignIn(t, env, p, env.Client(), idpUser("nobody-"+uuid.NewString()[:6]+"@example.com", true), ""))
		if taken["title"] != stranger["title"] || taken["detail"] != stranger["detail"] || taken["type"] != stranger["type"] {
			t.Fatalf("a local account's e-mail answers %v, a stranger %v", taken, stranger)
		}
		signIn(t, env, local)
	})
}

// TestOIDCSignupOpenStillNeedsVerifiedEmail: open sign-up creates accounts
// for verified e-mails only, and refuses a local account's e-mail with the
// same answer as any refusal.
func TestOIDCSignupOpen(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDP(p, "chief@example.com"))
	local := newAccount(t, env, authz.RoleUser)

	b := env.Client()
	expectStatus(t, oidcSignIn(t, env, p, b, idpUser("new@example.com", true), ""), http.StatusFound)
	getMe(t, b)

	for _, u := range []string{"chief@example.com", "unverified@example.com", local.Email} {
		r := oidcSignIn(t, env, p, env.Client(), idpUser(u, false), "")
		pr := expectProblem(t, r, http.StatusForbidden)
		if findSessionCookie(r) != nil || pr["title"] != "E-mail not verified" {
			t.Fatalf("%s unverified: %v", u, pr)
		}
	}
	if n := userCount(t, env, "chief@example.com") + userCount(t, env, "unverified@example.com"); n != 0 {
		t.Fatalf("%d accounts for unverified e-mails", n)
	}
	pr := refused(t, oidcSignIn(t, env, p, env.Client(), idpUser(local.Email, true), ""))
	if pr["title"] != "Sign-in not allowed" {
		t.Fatalf("a local account's e-mail: %v", pr)
	}
}

// TestOIDCEmailSquatting: an existing provider account whose provider
// claims another address without verifying it keeps its own address, so
// it cannot take that address from the person who owns it; a verified
// change to an address another account has keeps the old one and still
// signs in.
func TestOIDCEmailSquatting(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDP(p))

	squatter := idpUser("squatter@example.com", true)
	sb := env.Client()
	expectStatus(t, oidcSignIn(t, env, p, sb, squatter, ""), http.StatusFound)

	// The squatter's provider now claims the victim's address, unverified.
	victimEmail := "victim@example.com"
	squatter.Email, squatter.EmailVerified = victimEmail, false
	again := env.Client()
	expectStatus(t, oidcSignIn(t, env, p, again, squatter, ""), http.StatusFound)
	if m := getMe(t, again); m.User.Email != "squatter@example.com" {
		t.Fatalf("an unverified e-mail was stored: %+v", m.User)
	}

	// The victim signs up with the address, verified.
	victim := idpUser(victimEmail, true)
	vb := env.Client()
	expectStatus(t, oidcSignIn(t, env, p, vb, victim, ""), http.StatusFound)
	if m := getMe(t, vb); m.User.Email != victimEmail {
		t.Fatalf("victim %+v", m.User)
	}

	// Even verified, the squatter cannot take the victim's address, and
	// is not locked out for trying.
	squatter.EmailVerified = true
	third := env.Client()
	expectStatus(t, oidcSignIn(t, env, p, third, squatter, ""), http.StatusFound)
	if m := getMe(t, third); m.User.Email != "squatter@example.com" {
		t.Fatalf("squatter %+v", m.User)
	}
	if n := userCount(t, env, victimEmail); n != 1 {
		t.Fatalf("%d accounts with the victim's e-mail", n)
	}
}

// TestOIDCAvatarHosts: a provider's picture is kept only on a known avatar
// host (or the issuer's own); any other host would see every admin who
// opens the user list.
func TestOIDCAvatarHosts(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDP(p))
	iss, err := url.Parse(p.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	host := iss.Hostname()
	for picture, want := range map[string]bool{
		"https://tracker.example/pixel.png":                 false,
		"https://lh3.googleusercontent.com/a/abc=s96-c":     true,
		"https://" + host + "/avatars/pat.png":              true,
		"https://lh3.googleusercontent.com.evil.example/a/": false,
	} {
		p.setTamper(func(c jwt.MapClaims) *rsa.PrivateKey {
			c["picture"] = picture
			return p.Keypair.PrivateKey
		})
		b := env.Client()
		expectStatus(t, oidcSignIn(t, env, p, b, idpUser("pic-"+uuid.NewString()[:6]+"@example.com", true), ""), http.StatusFound)
		got := getMe(t, b).User.AvatarURL
		if want && (got == nil || *got != picture) || !want && got != nil {
			t.Errorf("picture %s stored as %v, want kept %v", picture, got, want)
		}
	}
	p.setTamper(nil)
}
