package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// TestCrossSiteRequests: a state-changing request that a browser sends
// from another site, with the session cookie riding along, is refused.
func TestCrossSiteRequests(t *testing.T) {
	t.Parallel()
	const baseURL = "https://downlink.example"
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) { c.BaseURL = baseURL }))
	a := newAccount(t, env, authz.RoleUser)
	self := env.URL // what the browser's Origin is when the page came from us

	tests := []struct {
		name    string
		method  string
		path    string
		headers []string
		status  int
	}{
		{"foreign Origin", http.MethodPost, "/api/v1/auth/logout", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"Sec-Fetch-Site cross-site", http.MethodPost, "/api/v1/auth/logout", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"Sec-Fetch-Site same-site", http.MethodPost, "/api/v1/auth/logout", []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"foreign Origin on PATCH", http.MethodPatch, "/api/v1/auth/me", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"foreign Origin on DELETE", http.MethodDelete, "/api/v1/auth/sessions/00000000-0000-0000-0000-000000000000", []string{"Origin", "null"}, http.StatusForbidden},
		{"Sec-Fetch-Site same-origin", http.MethodPost, "/api/v1/auth/logout", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusNoContent},
		{"Sec-Fetch-Site none (typed by the user)", http.MethodPost, "/api/v1/auth/logout", []string{"Sec-Fetch-Site", "none"}, http.StatusNoContent},
		{"matching Origin", http.MethodPost, "/api/v1/auth/logout", []string{"Origin", self}, http.StatusNoContent},
		{"the configured base URL as Origin", http.MethodPost, "/api/v1/auth/logout", []string{"Origin", baseURL}, http.StatusNoContent},
		{"no browser headers (curl)", http.MethodPost, "/api/v1/auth/logout", nil, http.StatusNoContent},
		{"cross-site GET is a read", http.MethodGet, "/api/v1/auth/me", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			browser, _ := signIn(t, env, a)
			var body any
			if tt.method == http.MethodPatch {
				body = map[string]any{"name": "Mallory was here"}
			}
			r := browser.Do(tt.method, tt.path, body, tt.headers...)
			if tt.status == http.StatusForbidden {
				p := expectProblem(t, r, http.StatusForbidden)
				if d, _ := p["detail"].(string); !strings.Contains(d, "Cross-origin") {
					t.Fatalf("detail %q", d)
				}
				// Refused before anything happened: still signed in, unchanged.
				if m := getMe(t, browser); m.User.Name == "Mallory was here" {
					t.Fatal("the cross-site PATCH changed the profile")
				}
				return
			}
			expectStatus(t, r, tt.status)
		})
	}

	t.Run("login from another site is refused too", func(t *testing.T) {
		r := env.Client().Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password},
			"Sec-Fetch-Site", "cross-site")
		expectProblem(t, r, http.StatusForbidden)
		if findSessionCookie(r) != nil {
			t.Fatal("a cross-site login set a session cookie")
		}
	})
	t.Run("an API-key request without cookies is not a browser's", func(t *testing.T) {
		r := env.Client().Post("/api/v1/auth/logout", nil, "Origin", "https://evil.example", "X-API-Key", "dlk_not_a_real_key")
		if r.Status == http.StatusForbidden && strings.Contains(string(r.Body), "Cross-origin") {
			t.Fatalf("key request refused as cross-site: %s", r.Body)
		}
	})
}
