package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/mail/mailtest"
)

// oneTimeLink is the body of a reset link and the link of an invitation.
type oneTimeLink struct {
	URL        string    `json:"url"`
	ExpiresAt  time.Time `json:"expires_at"`
	Emailed    bool      `json:"emailed"`
	EmailError *string   `json:"email_error"`
}

// linkToken is the token in a link's fragment (registered as a secret:
// the server must never log it).
func linkToken(t *testing.T, env *apitest.Env, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimPrefix(u.Fragment, "token=")
	if len(tok) < 40 || u.RawQuery != "" {
		t.Fatalf("link %q: want the token in the fragment", link)
	}
	env.Secret(tok)
	return tok
}

func invite(t *testing.T, env *apitest.Env, admin *apitest.Client, email, role string) (uuid.UUID, string) {
	t.Helper()
	var out struct {
		Invitation struct {
			ID uuid.UUID `json:"id"`
		} `json:"invitation"`
		Link oneTimeLink `json:"link"`
	}
	r := expectStatus(t, admin.Post("/api/v1/invitations", map[string]any{"email": email, "name": "Sam Rivera", "role": role}), http.StatusCreated)
	if err := jsonInto(r, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Link.URL, env.URL+"/invite#token=") || out.Link.Emailed {
		t.Fatalf("link %+v", out.Link)
	}
	return out.Invitation.ID, linkToken(t, env, out.Link.URL)
}

func auditActions(t *testing.T, env *apitest.Env, action string) []map[string]any {
	t.Helper()
	return logLines(t, env, func(m map[string]any) bool { return m["source"] == "audit" && m["action"] == action })
}

// TestAddUserWithTemporaryPassword: an admin adds a user from the Users
// page; the user signs in with the temporary password, can do nothing but
// change it, then works normally.
func TestAddUserWithTemporaryPassword(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	email := "new-" + uuid.NewString()[:6] + "@example.com"

	var created struct {
		User struct {
			ID                 uuid.UUID `json:"id"`
			Role               string    `json:"role"`
			MustChangePassword bool      `json:"must_change_password"`
		} `json:"user"`
		TemporaryPassword *string `json:"temporary_password"`
	}
	r := expectStatus(t, admin.Post("/api/v1/users", map[string]any{"email": email, "name": "Sam", "role": "user"}), http.StatusCreated)
	if err := jsonInto(r, &created); err != nil {
		t.Fatal(err)
	}
	if created.TemporaryPassword == nil || len(*created.TemporaryPassword) < 12 || !created.User.MustChangePassword {
		t.Fatalf("created %+v: want a generated temporary password", created)
	}
	temp := *created.TemporaryPassword
	if len(auditActions(t, env, "user.created")) == 0 {
		t.Fatal("no user.created audit record")
	}
	expectProblem(t, admin.Post("/api/v1/users", map[string]any{"email": strings.ToUpper(email), "role": "user"}), http.StatusConflict)

	user, _ := signIn(t, env, account{Email: email, Password: temp})
	if m := user.Get("/api/v1/auth/me").Map(); m["user"].(map[string]any)["must_change_password"] != true {
		t.Fatalf("/auth/me %v: want must_change_password", m)
	}
	p := expectProblem(t, user.Get("/api/v1/downloads"), http.StatusForbidden)
	if p["title"] != "Password change required" {
		t.Fatalf("problem %v", p)
	}
	expectProblem(t, user.Post("/api/v1/api-keys", map[string]any{"name": "k"}), http.StatusForbidden)
	expectProblem(t, user.Do(http.MethodPatch, "/api/v1/auth/me", map[string]any{"current_password": temp, "new_password": temp}), http.StatusUnprocessableEntity)
	expectStatus(t, user.Do(http.MethodPatch, "/api/v1/auth/me", map[string]any{"current_password": temp, "new_password": "my own password 42"}), http.StatusOK)
	expectStatus(t, user.Get("/api/v1/downloads"), http.StatusOK)
	expectProblem(t, env.Client().Post("/api/v1/auth/login", map[string]string{"email": email, "password": temp}), http.StatusUnauthorized)
	signIn(t, env, account{Email: email, Password: "my own password 42"})

	t.Run("a password the admin chose is not echoed", func(t *testing.T) {
		r := expectStatus(t, admin.Post("/api/v1/users", map[string]any{"email": "given-" + email, "role": "admin", "password": "chosen by admin 1"}), http.StatusCreated)
		if m := r.Map(); m["temporary_password"] != nil {
			t.Fatalf("answer %v", m)
		}
	})
	t.Run("a user may not add users", func(t *testing.T) {
		expectProblem(t, user.Post("/api/v1/users", map[string]any{"email": "x-" + email, "role": "user"}), http.StatusForbidden)
	})
}

// TestInvitationLink: an invitation link creates the account once; used,
// revoked, expired and unknown links get one answer.
func TestInvitationLink(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	email := "sam-" + uuid.NewString()[:6] + "@example.com"
	id, token := invite(t, env, admin, email, "admin")

	if r := admin.Get("/api/v1/invitations"); !r.Contains(id.String(), email) || r.Contains(token) {
		t.Fatalf("pending invitations %s", r.Body)
	}
	b := env.Client()
	r := expectStatus(t, b.Post("/api/v1/auth/invitations/accept", map[string]any{"token": token, "password": "sam's own password"}), http.StatusCreated)
	sessionCookie(t, r)
	if m := getMe(t, b); m.User.Email != email || m.Role != "admin" || m.User.Name != "Sam Rivera" {
		t.Fatalf("signed in as %+v", m)
	}
	signIn(t, env, account{Email: email, Password: "sam's own password"})
	if len(auditActions(t, env, "user.invited")) != 1 {
		t.Fatal("no user.invited audit record")
	}

	want := expectProblem(t, env.Client().Post("/api/v1/auth/invitations/accept", map[string]any{"token": token, "password": "another password"}), http.StatusGone)
	if want["title"] != "Link not valid" {
		t.Fatalf("reused link: %v", want)
	}
	if r := admin.Get("/api/v1/invitations"); r.Contains(id.String()) {
		t.Fatalf("an accepted invitation is still pending: %s", r.Body)
	}
	expectProblem(t, admin.Post("/api/v1/invitations", map[string]any{"email": email, "role": "user"}), http.StatusConflict)

	sameAnswer := func(t *testing.T, token string) {
		t.Helper()
		p := expectProblem(t, env.Client().Post("/api/v1/auth/invitations/accept", map[string]any{"token": token, "password": "whatever 12345"}), http.StatusGone)
		if p["detail"] != want["detail"] || p["type"] != want["type"] {
			t.Fatalf("answer %v, want the reused link's %v", p, want)
		}
	}
	t.Run("revoked", func(t *testing.T) {
		id, token := invite(t, env, admin, "rev-"+email, "user")
		expectStatus(t, admin.Do(http.MethodDelete, "/api/v1/invitations/"+id.String(), nil), http.StatusNoContent)
		sameAnswer(t, token)
		if len(auditActions(t, env, "user.invitation_revoked")) == 0 {
			t.Fatal("no audit record")
		}
	})
	t.Run("expired", func(t *testing.T) {
		id, token := invite(t, env, admin, "exp-"+email, "user")
		if err := env.App.Store.DB.Table("invitations").Where("id = ?", id).Update("expires_at", time.Now().UTC().Add(-time.Minute)).Error; err != nil {
			t.Fatal(err)
		}
		sameAnswer(t, token)
	})
	t.Run("replaced by a newer invitation", func(t *testing.T) {
		_, old := invite(t, env, admin, "again-"+email, "user")
		_, newer := invite(t, env, admin, "again-"+email, "user")
		sameAnswer(t, old)
		expectStatus(t, env.Client().Post("/api/v1/auth/invitations/accept", map[string]any{"token": newer, "password": "whatever 12345"}), http.StatusCreated)
	})
	t.Run("unknown", func(t *testing.T) { sameAnswer(t, "not-a-token-"+uuid.NewString()) })
}

// TestPasswordResetLink: an admin's reset link sets a new password once,
// signs out every session of the account and signs this browser in.
func TestPasswordResetLink(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	user := newAccount(t, env, authz.RoleUser)
	laptop, _ := signIn(t, env, user)

	reset := func() string {
		var l oneTimeLink
		r := expectStatus(t, admin.Post("/api/v1/users/"+user.ID.String()+"/password-reset", nil), http.StatusCreated)
		if err := jsonInto(r, &l); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(l.URL, env.URL+"/reset-password#token=") || time.Until(l.ExpiresAt) > 3*time.Hour || time.Until(l.ExpiresAt) < time.Hour {
			t.Fatalf("link %+v: want a 2-hour link", l)
		}
		return linkToken(t, env, l.URL)
	}
	older := reset()
	token := reset()
	expectProblem(t, env.Client().Post("/api/v1/auth/password-reset", map[string]any{"token": older, "password": "brand new password"}), http.StatusGone)

	phone := env.Client()
	expectStatus(t, phone.Post("/api/v1/auth/password-reset", map[string]any{"token": token, "password": "brand new password"}), http.StatusOK)
	if m := getMe(t, phone); m.User.ID != user.ID {
		t.Fatalf("signed in as %+v", m.User)
	}
	expectProblem(t, laptop.Get("/api/v1/auth/me"), http.StatusUnauthorized)
	expectProblem(t, env.Client().Post("/api/v1/auth/login", map[string]string{"email": user.Email, "password": user.Password}), http.StatusUnauthorized)
	signIn(t, env, account{Email: user.Email, Password: "brand new password"})
	expectProblem(t, env.Client().Post("/api/v1/auth/password-reset", map[string]any{"token": token, "password": "again a password"}), http.StatusGone)
	for _, a := range []string{"user.password_reset_link", "auth.password_reset"} {
		if len(auditActions(t, env, a)) == 0 {
			t.Errorf("no %s audit record", a)
		}
	}

	t.Run("a disabled account's link does not work", func(t *testing.T) {
		other := newAccount(t, env, authz.RoleUser)
		var l oneTimeLink
		_ = jsonInto(expectStatus(t, admin.Post("/api/v1/users/"+other.ID.String()+"/password-reset", map[string]any{}), http.StatusCreated), &l)
		tok := linkToken(t, env, l.URL)
		expectStatus(t, admin.Do(http.MethodPatch, "/api/v1/users/"+other.ID.String(), map[string]any{"disabled": true}), http.StatusOK)
		expectProblem(t, env.Client().Post("/api/v1/auth/password-reset", map[string]any{"token": tok, "password": "brand new password"}), http.StatusGone)
	})
	t.Run("no e-mail without an SMTP server", func(t *testing.T) {
		expectProblem(t, admin.Post("/api/v1/users/"+user.ID.String()+"/password-reset", map[string]any{"send_email": true}), http.StatusConflict)
		help := expectStatus(t, env.Client().Post("/api/v1/auth/forgot-password", map[string]any{"email": user.Email}), http.StatusAccepted).Map()
		if help["email"] != false || !strings.Contains(help["message"].(string), "administrator") {
			t.Fatalf("forgot password says %v", help)
		}
	})
}

// TestLinkGuessingIsThrottled: wrong tokens lock the address like wrong
// passwords; "forgot password" is limited per e-mail whether or not it
// has an account.
func TestLinkGuessingIsThrottled(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	c := env.Client()
	for i := range 20 {
		expectProblem(t, c.Post("/api/v1/auth/password-reset", map[string]any{"token": "guess-" + uuid.NewString(), "password": "whatever 12345"}), http.StatusGone)
		_ = i
	}
	p := expectProblem(t, c.Post("/api/v1/auth/invitations/accept", map[string]any{"token": "guess-" + uuid.NewString(), "password": "whatever 12345"}), http.StatusTooManyRequests)
	if c.Post("/api/v1/auth/password-reset", map[string]any{"token": "x", "password": "whatever 12345"}).Header.Get("Retry-After") == "" {
		t.Fatalf("no Retry-After (%v)", p)
	}
	for _, email := range []string{"nobody@example.com"} {
		for range 3 {
			expectStatus(t, c.Post("/api/v1/auth/forgot-password", map[string]any{"email": email}), http.StatusAccepted)
		}
		expectProblem(t, c.Post("/api/v1/auth/forgot-password", map[string]any{"email": email}), http.StatusTooManyRequests)
	}
}

var linkInMail = regexp.MustCompile(`https?://\S+#token=[A-Za-z0-9_-]+`)

// TestLinksByEmail: with an SMTP server set up, invitations and reset
// links are e-mailed, and "forgot password" answers the same whether or
// not the e-mail has an account (only an account gets a message).
func TestLinksByEmail(t *testing.T) {
	t.Parallel()
	smtpd := mailtest.Start(t)
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) { c.BaseURL = "https://downlink.example.org" }))
	adminAcc := newAccount(t, env, authz.RoleAdmin)
	admin, _ := signIn(t, env, adminAcc)
	user := newAccount(t, env, authz.RoleUser)
	env.Secret("smtp-password-123")

	expectStatus(t, admin.Post("/api/v1/invitations", map[string]any{"email": "x@example.com", "role": "user", "send_email": true}), http.StatusConflict)
	put := map[string]any{"invite_link_hours": 24, "reset_link_hours": 1, "smtp": map[string]any{"host": smtpd.Host, "port": smtpd.Port,
		"username": "downlink", "password": "smtp-password-123", "from": "Downlink <downlink@example.org>", "starttls": false}}
	got := expectStatus(t, admin.Do(http.MethodPut, "/api/v1/settings/accounts", put), http.StatusOK)
	if s := got.Map()["smtp"].(map[string]any); s["password_set"] != true || got.Contains("smtp-password-123") {
		t.Fatalf("settings answer %s", got.Body)
	}
	if r := admin.Get("/api/v1/settings/accounts"); r.Contains("smtp-password-123") {
		t.Fatalf("GET shows the password: %s", r.Body)
	}

	t.Run("forgot password", func(t *testing.T) {
		anon := env.Client()
		stranger := expectStatus(t, anon.Post("/api/v1/auth/forgot-password", map[string]any{"email": "nobody-" + uuid.NewString()[:6] + "@example.com"}), http.StatusAccepted)
		known := expectStatus(t, anon.Post("/api/v1/auth/forgot-password", map[string]any{"email": strings.ToUpper(user.Email)}), http.StatusAccepted)
		if string(stranger.Body) != string(known.Body) || known.Map()["email"] != true {
			t.Fatalf("answers differ: %s / %s", stranger.Body, known.Body)
		}
		m := smtpd.Wait(1, 10*time.Second)
		if m.To[0] != user.Email || m.Auth != "downlink:smtp-password-123" {
			t.Fatalf("message 1 %+v: want the known account's only", m)
		}
		link := linkInMail.FindString(m.Data)
		if !strings.HasPrefix(link, "https://downlink.example.org/reset-password#token=") {
			t.Fatalf("message without a reset link under DOWNLINK_BASE_URL:\n%s", m.Data)
		}
		expectStatus(t, env.Client().Post("/api/v1/auth/password-reset", map[string]any{"token": linkToken(t, env, link), "password": "reset by mail 123"}), http.StatusOK)
		signIn(t, env, account{Email: user.Email, Password: "reset by mail 123"})
	})

	t.Run("invitation", func(t *testing.T) {
		email := "mailed-" + uuid.NewString()[:6] + "@example.com"
		r := expectStatus(t, admin.Post("/api/v1/invitations", map[string]any{"email": email, "role": "user", "send_email": true}), http.StatusCreated)
		if l := r.Map()["link"].(map[string]any); l["emailed"] != true {
			t.Fatalf("link %v", l)
		}
		m := smtpd.Wait(2, 10*time.Second)
		link := linkInMail.FindString(m.Data)
		if m.To[0] != email || !strings.HasPrefix(link, "https://downlink.example.org/invite#token=") {
			t.Fatalf("message %+v", m)
		}
		expectStatus(t, env.Client().Post("/api/v1/auth/invitations/accept", map[string]any{"token": linkToken(t, env, link), "password": "invited by mail 1"}), http.StatusCreated)
	})

	t.Run("test e-mail", func(t *testing.T) {
		r := expectStatus(t, admin.Post("/api/v1/settings/accounts/test-email", nil), http.StatusOK).Map()
		if r["sent"] != true || smtpd.Wait(3, 10*time.Second).To[0] != adminAcc.Email {
			t.Fatalf("test e-mail %v", r)
		}
	})

	t.Run("a new host forgets the password", func(t *testing.T) {
		smtp := put["smtp"].(map[string]any)
		delete(smtp, "password")
		smtp["host"] = "localhost"
		r := expectStatus(t, admin.Do(http.MethodPut, "/api/v1/settings/accounts", put), http.StatusOK).Map()
		if r["smtp"].(map[string]any)["password_set"] != false {
			t.Fatalf("password kept for a new host: %v", r)
		}
		if _, err := env.App.Users.GetByEmail(context.Background(), user.Email); err != nil {
			t.Fatal(err)
		}
	})
}
