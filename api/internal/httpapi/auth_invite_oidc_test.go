package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// TestOIDCInvitedEmailSignsUp: with sign-up closed, an admin's invitation
// admits that verified e-mail at its first provider login, with the
// invitation's role, and is spent by it.
func TestOIDCInvitedEmailSignsUp(t *testing.T) {
	t.Parallel()
	p := startIDP(t)
	env := apitest.New(t, withIDPConfig(p, func(*config.Config) {}))
	admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	email := "invited-" + uuid.NewString()[:6] + "@example.com"

	refused(t, oidcSignIn(t, env, p, env.Client(), idpUser(email, true), ""))
	id, _ := invite(t, env, admin, email, "admin")
	refused(t, oidcSignIn(t, env, p, env.Client(), idpUser(email, false), "")) // unverified: still refused

	b := env.Client()
	expectStatus(t, oidcSignIn(t, env, p, b, idpUser(strings.ToUpper(email), true), ""), http.StatusFound)
	if m := getMe(t, b); m.User.Email != email || m.Role != "admin" || m.User.AuthSource != "oidc" {
		t.Fatalf("signed up as %+v", m)
	}
	if r := admin.Get("/api/v1/invitations"); r.Contains(id.String()) {
		t.Fatalf("the invitation is still pending after the provider sign-up: %s", r.Body)
	}
	// Spent: another identity with the same e-mail is refused.
	refused(t, oidcSignIn(t, env, p, env.Client(), idpUser(email, true), ""))
}

// fakeGitHub is a stand-in for github.com's OAuth pages and
// api.github.com on 127.0.0.1, speaking the real JSON: one user, whose
// organisations the test sets.
type fakeGitHub struct {
	*httptest.Server
	mu     sync.Mutex
	orgs   []string
	id     int
	scopes string // the scope the last authorization asked for
	// orgsAsked counts GET /user/orgs.
	orgsAsked int
}

func startFakeGitHub(t *testing.T) *fakeGitHub {
	g := &fakeGitHub{id: 4242}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		g.mu.Lock()
		g.scopes = q.Get("scope")
		g.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code=gh-code&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "gho_faketoken", "token_type": "bearer", "scope": "read:user,user:email,read:org"})
	})
	auth := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer gho_faketoken" {
				http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			next(w, r)
		}
	}
	mux.HandleFunc("GET /user", auth(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"login": "octo", "id": g.id, "name": "Octo Cat", "email": nil,
			"avatar_url": "https://avatars.githubusercontent.com/u/4242"})
	}))
	mux.HandleFunc("GET /user/emails", auth(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode([]map[string]any{{"email": "octo@users.example", "primary": true, "verified": true, "visibility": "private"}})
	}))
	mux.HandleFunc("GET /user/orgs", auth(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.orgsAsked++
		out := []map[string]any{}
		for i, o := range g.orgs {
			out = append(out, map[string]any{"login": o, "id": 100 + i, "url": "https://api.github.com/orgs/" + o})
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGitHub) setOrgs(orgs ...string) {
	g.mu.Lock()
	g.orgs = orgs
	g.id++ // a new GitHub identity each time
	g.mu.Unlock()
}

func (g *fakeGitHub) asked() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.orgsAsked
}

// githubSignIn runs a GitHub login through the fake and returns the callback's answer.
func githubSignIn(t *testing.T, b *apitest.Client) *apitest.Response {
	t.Helper()
	r := expectStatus(t, b.Get("/api/v1/auth/oidc/github/login"), http.StatusFound)
	resp, err := http.Get(r.Header.Get("Location")) // the fake redirects back at once
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Request.URL
	return b.Get(back.Path + "?" + back.RawQuery)
}

// TestGitHubOrganisationAllowList: with DOWNLINK_GITHUB_ORGS, a GitHub
// identity in one of the organisations may sign up (read:org is asked
// for); one outside them may not.
func TestGitHubOrganisationAllowList(t *testing.T) {
	t.Parallel()
	gh := startFakeGitHub(t)
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) {
		c.GitHubClientID, c.GitHubClientSecret = "gh-client", "gh-secret"
		c.GitHubURL, c.GitHubAPIURL = gh.URL, gh.URL
		c.GitHubOrgs = []string{"Downlink-Team"}
	}))

	gh.setOrgs("someone-else")
	refused(t, githubSignIn(t, env.Client()))
	if n := userCount(t, env, "octo@users.example"); n != 0 {
		t.Fatalf("%d accounts after a refused sign-up", n)
	}
	if !strings.Contains(gh.scopes, "read:org") {
		t.Fatalf("the login asked for scope %q, want read:org", gh.scopes)
	}

	gh.setOrgs("other", "downlink-team")
	b := env.Client()
	expectStatus(t, githubSignIn(t, b), http.StatusFound)
	if m := getMe(t, b); m.User.Email != "octo@users.example" || m.Role != "user" {
		t.Fatalf("signed up as %+v", m)
	}
	asked := gh.asked()
	// An existing account signs in without asking again.
	gh.setOrgs()
	gh.mu.Lock()
	gh.id--
	gh.mu.Unlock()
	expectStatus(t, githubSignIn(t, env.Client()), http.StatusFound)
	if n := gh.asked(); n != asked {
		t.Fatalf("organisations asked %d times, want %d", n, asked)
	}
}
