package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestTwoCredentialsRefused: a request that carries a session cookie and an
// API key, or two different keys, is refused with a problem that says so
// instead of acting as one of them; one credential (or the same key in both
// headers) works, and public routes ignore credentials as before.
func TestTwoCredentialsRefused(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, noWorkers())
	user := newAccount(t, env, authz.RoleUser)
	browser, _ := signIn(t, env, user)
	mine := createKey(t, browser, "mine", []authz.Scope{authz.ScopeDownloadsRead}).Key
	other := createKey(t, browser, "other", []authz.Scope{authz.ScopeDownloadsRead}).Key
	anon := env.Client()

	for _, tt := range []struct {
		name    string
		c       *apitest.Client
		headers []string
		want    int
	}{
		{"session", browser, nil, http.StatusOK},
		{"key as bearer", anon, []string{"Authorization", "Bearer " + mine}, http.StatusOK},
		{"the same key twice", anon, []string{"Authorization", "Bearer " + mine, "X-API-Key", mine}, http.StatusOK},
		{"session and bearer key", browser, []string{"Authorization", "Bearer " + mine}, http.StatusBadRequest},
		{"session and X-API-Key", browser, []string{"X-API-Key", mine}, http.StatusBadRequest},
		{"two different keys", anon, []string{"Authorization", "Bearer " + mine, "X-API-Key", other}, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.Get("/api/v1/downloads", tt.headers...)
			if r.Status != tt.want {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.want)
			}
			if tt.want == http.StatusBadRequest {
				p := expectProblem(t, r, http.StatusBadRequest)
				if p["type"] != "https://downlink.dev/problems/two-credentials" || p["title"] != "Two credentials" {
					t.Errorf("problem %v", p)
				}
			}
		})
	}
	// A public route does not care.
	expectStatus(t, browser.Get("/api/v1/auth/providers", "X-API-Key", mine), http.StatusOK)
}
