package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

type sessionList struct {
	Items []struct {
		ID        uuid.UUID `json:"id"`
		Current   bool      `json:"current"`
		UserAgent *string   `json:"user_agent"`
		IP        *string   `json:"ip"`
	} `json:"items"`
}

func TestOwnSessions(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	laptop, _ := signIn(t, env, a)
	phone := env.Client().Header("User-Agent", "phone-browser/1.0")
	phone.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}).Expect(http.StatusOK)
	_, strangerCookie := signIn(t, env, newAccount(t, env, authz.RoleUser))
	stranger := withCookie(env, strangerCookie)

	var list sessionList
	laptop.Get("/api/v1/auth/sessions").Expect(http.StatusOK).JSON(&list)
	if len(list.Items) != 2 {
		t.Fatalf("%d sessions, want 2", len(list.Items))
	}
	var phoneID uuid.UUID
	current := 0
	for _, s := range list.Items {
		if s.Current {
			current++
			continue
		}
		phoneID = s.ID
		if s.UserAgent == nil || *s.UserAgent != "phone-browser/1.0" || s.IP == nil || *s.IP != "127.0.0.1" {
			t.Fatalf("phone session %+v", s)
		}
	}
	if current != 1 || phoneID == uuid.Nil {
		t.Fatalf("sessions %+v: want exactly one current", list.Items)
	}

	tests := []struct {
		name   string
		client *apitest.Client
		id     string
		status int
	}{
		{"someone else's session", stranger, phoneID.String(), http.StatusNotFound},
		{"unknown id", laptop, uuid.NewString(), http.StatusNotFound},
		{"not a uuid", laptop, "not-a-uuid", http.StatusNotFound},
		{"my other session", laptop, phoneID.String(), http.StatusNoContent},
		{"already ended", laptop, phoneID.String(), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := expectStatus(t, tt.client.Do(http.MethodDelete, "/api/v1/auth/sessions/"+tt.id, nil), tt.status)
			if tt.status >= 400 {
				expectProblem(t, r, tt.status)
			}
		})
	}
	expectProblem(t, phone.Get("/api/v1/auth/me"), http.StatusUnauthorized)
	getMe(t, laptop)
	getMe(t, stranger)

	// Ending the current session is logging out.
	laptop.Get("/api/v1/auth/sessions").Expect(http.StatusOK).JSON(&list)
	if len(list.Items) != 1 || !list.Items[0].Current {
		t.Fatalf("sessions after signing the phone out: %+v", list.Items)
	}
	laptop.Do(http.MethodDelete, "/api/v1/auth/sessions/"+list.Items[0].ID.String(), nil).Expect(http.StatusNoContent)
	expectProblem(t, laptop.Get("/api/v1/auth/me"), http.StatusUnauthorized)
}

func TestPasswordChange(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	laptop, _ := signIn(t, env, a)
	phone, _ := signIn(t, env, a)
	newPassword := "a brand new passphrase"

	refused := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"wrong current password", map[string]any{"current_password": "not it at all", "new_password": newPassword}, "current_password"},
		{"no current password", map[string]any{"new_password": newPassword}, "current_password"},
		{"new password too short", map[string]any{"current_password": a.Password, "new_password": "short"}, "new_password"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			p := expectProblem(t, laptop.Do(http.MethodPatch, "/api/v1/auth/me", tt.body), http.StatusUnprocessableEntity)
			errs, _ := p["errors"].([]any)
			if len(errs) == 0 || errs[0].(map[string]any)["field"] != tt.field {
				t.Fatalf("errors %v, want one on %s", p["errors"], tt.field)
			}
			getMe(t, phone) // nothing changed, nobody signed out
		})
	}

	laptop.Do(http.MethodPatch, "/api/v1/auth/me", map[string]any{"current_password": a.Password, "new_password": newPassword}).
		Expect(http.StatusOK)
	getMe(t, laptop)
	expectProblem(t, phone.Get("/api/v1/auth/me"), http.StatusUnauthorized)
	expectProblem(t, env.Client().Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}),
		http.StatusUnauthorized)
	a.Password = newPassword
	signIn(t, env, a)
}

func TestProfileUpdate(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	browser, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	const avatar = "https://avatars.githubusercontent.com/u/583231?v=4"
	profile := func(name string, avatar any) func(*testing.T, *apitest.Response) {
		return func(t *testing.T, r *apitest.Response) {
			if m := r.Map()["user"].(map[string]any); m["name"] != name || m["avatar_url"] != avatar {
				t.Fatalf("profile %v, want name %q and avatar %v", m, name, avatar)
			}
		}
	}
	refusedField := func(field string) func(*testing.T, *apitest.Response) {
		return func(t *testing.T, r *apitest.Response) {
			if !fieldsOf(r.Map())[field] {
				t.Fatalf("refused without naming %s: %s", field, r.Body)
			}
		}
	}
	patch, me := http.MethodPatch, "/api/v1/auth/me"
	table := []apitest.Scenario{
		{Name: "name and avatar set", Client: browser, Method: patch, Path: me,
			Body: map[string]any{"name": "Grace", "avatar_url": avatar}, Status: http.StatusOK, Then: profile("Grace", avatar)},
		{Name: "avatar removed, name kept", Client: browser, Method: patch, Path: me,
			Body: map[string]any{"avatar_url": nil}, Status: http.StatusOK, Then: profile("Grace", nil)},
		{Name: "a script URL is no avatar", Client: browser, Method: patch, Path: me,
			Body: map[string]any{"avatar_url": "javascript:alert(1)"}, Status: http.StatusUnprocessableEntity,
			Then: refusedField("avatar_url")},
	}
	// Any other host would learn which admin looks at the user list, and when.
	for _, tracker := range []string{"https://img.example/g.png", "http://avatars.githubusercontent.com/u/1",
		"https://avatars.githubusercontent.com.img.example/u/1"} {
		table = append(table, apitest.Scenario{Name: "avatar from " + tracker, Client: browser, Method: patch, Path: me,
			Body: map[string]any{"avatar_url": tracker}, Status: http.StatusUnprocessableEntity, Then: refusedField("avatar_url")})
	}
	table = append(table,
		apitest.Scenario{Name: "a user cannot make themselves admin", Client: browser, Method: patch, Path: me,
			Body: map[string]any{"role": "admin"}, Status: http.StatusUnprocessableEntity},
		apitest.Scenario{Name: "nothing refused changed", Client: browser, Path: me, Status: http.StatusOK,
			Contains: []string{`"role":"user"`}, Lacks: []string{"javascript:", "img.example"}},
	)
	apitest.RunScenarios(t, table)
}

// TestStaleCookieDoesNotBlockPublicRoutes: a browser holding a dead or
// garbage session cookie can still see the login page and sign in.
func TestStaleCookieDoesNotBlockPublicRoutes(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	browser, ended := signIn(t, env, a)
	browser.Post("/api/v1/auth/logout", nil).Expect(http.StatusNoContent)
	cookies := map[string]string{
		"ended session":    "downlink_session=" + ended.Value,
		"garbage":          "downlink_session=garbage!!",
		"tampered":         "downlink_session=" + ended.Value[:len(ended.Value)-4] + "AAAA",
		"empty":            "downlink_session=",
		"other site's tls": "__Host-downlink_session=" + ended.Value,
	}
	for name, cookie := range cookies {
		t.Run(name, func(t *testing.T) {
			c := env.Client().Header("Cookie", cookie)
			if p := expectStatus(t, c.Get("/api/v1/auth/providers"), http.StatusOK).Map(); p["local"] != true {
				t.Fatalf("providers %v", p)
			}
			expectProblem(t, c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": "wrong password"}),
				http.StatusUnauthorized)
			r := expectStatus(t, c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}), http.StatusOK)
			sessionCookie(t, r)
			expectProblem(t, env.Client().Header("Cookie", cookie).Get("/api/v1/auth/me"), http.StatusUnauthorized)
		})
	}
}
