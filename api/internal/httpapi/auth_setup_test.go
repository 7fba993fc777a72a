package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
)

// TestSetupFlow walks the first start as a new user would: read the token
// from the log, create the admin, be signed in, and find setup closed.
func TestSetupFlow(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	browser := env.Client()

	providers := func() map[string]any {
		t.Helper()
		return env.Client().Get("/api/v1/auth/providers").Expect(http.StatusOK).Map()
	}
	if p := providers(); p["setup_required"] != true || p["local"] != true {
		t.Fatalf("before setup: providers %v, want setup_required and local", p)
	}
	token := setupToken(t, env)
	if !strings.HasPrefix(token, "stp_") {
		t.Fatalf("setup token %q", token)
	}
	// Every line names its node once (the logger adds it; "downlink started" printed it twice).
	for _, line := range strings.Split(env.Logs(), "\n") {
		if n := strings.Count(line, `"node":`); n > 1 {
			t.Errorf("%q appears %d times in %s", "node", n, line)
		}
	}
	// The line says where to paste it: the setup page on this server.
	announced := logLines(t, env, func(m map[string]any) bool { _, ok := m["setup_token"]; return ok })
	if open, _ := announced[0]["open"].(string); !strings.HasPrefix(open, "http://127.0.0.1:") || !strings.HasSuffix(open, "/setup") {
		t.Fatalf("setup line opens %q, want this server's /setup", open)
	}
	admin := map[string]string{"token": token, "email": "Ada@Example.com", "name": "Ada", "password": "correct horse battery"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for k, v := range admin {
			m[k] = v
		}
		m[k] = v
		return m
	}

	before := []struct {
		name   string
		body   any
		status int
	}{
		{"wrong token", with("token", "stp_000000000000000000000000"), http.StatusForbidden},
		{"empty token", with("token", ""), http.StatusUnprocessableEntity},
		{"short password", with("password", "short"), http.StatusUnprocessableEntity},
		{"bad e-mail", with("email", "not-an-email"), http.StatusUnprocessableEntity},
	}
	for _, tt := range before {
		t.Run(tt.name, func(t *testing.T) {
			r := env.Client().Post("/api/v1/auth/setup", tt.body)
			expectProblem(t, r, tt.status)
			if c := findSessionCookie(r); c != nil {
				t.Fatalf("refused setup set a session cookie %q", c.Name)
			}
		})
	}
	if p := providers(); p["setup_required"] != true {
		t.Fatal("a refused setup closed setup")
	}

	r := browser.Post("/api/v1/auth/setup", admin).Expect(http.StatusCreated)
	sessionCookie(t, r)
	var created me
	r.JSON(&created)
	if created.Role != "admin" || created.User.Email != "ada@example.com" || created.Features.SetupRequired {
		t.Fatalf("setup answered %s", r.Body)
	}
	m := getMe(t, browser)
	if m.User.ID != created.User.ID || m.Role != "admin" || m.User.AuthSource != "local" || m.User.Name != "Ada" {
		t.Fatalf("/auth/me after setup: %+v", m)
	}
	if p := providers(); p["setup_required"] != false {
		t.Fatalf("after setup: providers %v", p)
	}

	after := []struct {
		name string
		body any
	}{
		{"same token again", admin},
		{"same token, other e-mail", with("email", "eve@example.com")},
		{"wrong token", with("token", "stp_000000000000000000000000")},
	}
	for _, tt := range after {
		t.Run("after setup: "+tt.name, func(t *testing.T) {
			r := env.Client().Post("/api/v1/auth/setup", tt.body)
			expectProblem(t, r, http.StatusConflict)
			if findSessionCookie(r) != nil {
				t.Fatal("refused setup set a session cookie")
			}
		})
	}

	// A restart with an account no longer prints a token.
	lines := strings.Count(env.Logs(), `"setup_token"`)
	if err := env.App.Auth.AnnounceSetup(context.Background(), "http://localhost:8080"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(env.Logs(), `"setup_token"`); got != lines {
		t.Fatal("a setup token was announced although an admin exists")
	}
	// The admin can sign in with the password chosen at setup.
	c := env.Client()
	c.Post("/api/v1/auth/login", map[string]string{"email": "ada@example.com", "password": "correct horse battery"}).Expect(http.StatusOK)
	if getMe(t, c).Role != "admin" {
		t.Fatal("login after setup is not the admin")
	}
}

// TestSetupRace: two setup calls racing with the right token create one
// admin; the other is told setup is done.
func TestSetupRace(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	token := setupToken(t, env)
	const racers = 4
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		c := env.Client()
		wg.Go(func() {
			<-start
			statuses[i] = c.Post("/api/v1/auth/setup", map[string]string{"token": token,
				"email": fmt.Sprintf("admin%d@example.com", i), "name": "Admin", "password": "correct horse battery"}).Status
		})
	}
	close(start)
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("statuses %v", statuses)
		}
	}
	var n int64
	env.App.Store.DB.Table("users").Count(&n)
	if created != 1 || n != 1 {
		t.Fatalf("statuses %v, %d users: want exactly one admin", statuses, n)
	}
}
