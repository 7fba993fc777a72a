package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/users"
)

// BenchmarkAuthorization measures a request through the real Echo router
// and its middleware (request id, client address, authentication, scope
// check, rate limit and usage count) to a cheap authorized route, GET
// /api/v1/downloads?limit=1 on an empty table (one indexed query), on a
// real database (SQLite unless TEST_DB=postgres). The server's Handler is
// called directly: no TCP, no client. Logging is at warn, so the access
// log line (and its copy in the logs table) is not part of the figure.
//
//	go test -run '^$' -bench BenchmarkAuthorization -benchmem ./api/internal/httpapi
func BenchmarkAuthorization(b *testing.B) {
	env := apitest.New(b, apitest.WithConfig(func(c *config.Config) {
		c.LogLevel = "warn"
		c.Workers = 0
	}))
	ctx := context.Background()
	email, password := "bench-"+uuid.NewString()[:8]+"@example.com", "correct horse battery staple"
	u, err := env.App.Users.CreateLocal(ctx, users.NewLocal{Email: email, Role: authz.RoleUser, Password: password})
	if err != nil {
		b.Fatal(err)
	}
	// Created through the service: its limit is above what the API lets a
	// user ask for, so the benchmark never meets 429.
	key, err := env.App.APIKeys.Create(ctx, &authz.Principal{UserID: u.ID, Email: email, Role: authz.RoleUser},
		apikeys.Spec{Name: "bench", Scopes: []authz.Scope{authz.ScopeDownloadsRead}, RateLimitPerMinute: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	login := env.Client().Post("/api/v1/auth/login", map[string]string{"email": email, "password": password})
	cookie := findSessionCookie(login)
	if login.Status != http.StatusOK || cookie == nil {
		b.Fatalf("login: %d %s", login.Status, login.Body)
	}

	h := env.App.HTTP.Handler()
	const path = "/api/v1/downloads?limit=1"
	// Callers without credentials are limited per address (300 a
	// minute): they come from many.
	var anon uint32
	cases := []struct {
		name   string
		set    func(*http.Request)
		status int
	}{
		{"no credentials", func(r *http.Request) {
			anon++
			r.RemoteAddr = fmt.Sprintf("198.18.%d.%d:40000", (anon>>8)%16, anon&0xff)
		}, http.StatusUnauthorized},
		{"api key", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key.Key) }, http.StatusOK},
		{"session cookie", func(r *http.Request) { r.AddCookie(cookie) }, http.StatusOK},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, path, nil)
				tc.set(r)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != tc.status {
					b.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
				}
			}
		})
	}
}
