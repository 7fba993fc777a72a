package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/users"
)

// account is a local user made for a test, with the password it signs in with.
type account struct {
	ID       uuid.UUID
	Email    string
	Password string
}

// newAccount creates a local account directly through the users service
// (the setup flow has its own test).
func newAccount(t *testing.T, env *apitest.Env, role authz.Role) account {
	t.Helper()
	a := account{Email: "u-" + uuid.NewString()[:8] + "@example.com", Password: "correct horse " + uuid.NewString()[:6]}
	u, err := env.App.Users.CreateLocal(context.Background(), users.NewLocal{Email: a.Email, Role: role, Password: a.Password})
	if err != nil {
		t.Fatalf("create %s account: %v", role, err)
	}
	a.ID = u.ID
	return a
}

// signIn logs a in with a fresh browser (cookie jar) and returns it with
// the session cookie the login set.
func signIn(t *testing.T, env *apitest.Env, a account) (*apitest.Client, *http.Cookie) {
	t.Helper()
	c := env.Client()
	r := expectStatus(t, c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}), http.StatusOK)
	return c, sessionCookie(t, r)
}

// sessionCookie returns the session cookie a response set, failing the
// test when there is none.
func sessionCookie(t *testing.T, r *apitest.Response) *http.Cookie {
	t.Helper()
	c := findSessionCookie(r)
	if c == nil {
		t.Fatalf("no session cookie in %q", r.Header.Values("Set-Cookie"))
	}
	return c
}

// findSessionCookie returns the session cookie a response set, or nil.
func findSessionCookie(r *apitest.Response) *http.Cookie {
	for _, raw := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(raw)
		if err != nil {
			continue
		}
		if c.Name == "downlink_session" || c.Name == "__Host-downlink_session" {
			return c
		}
	}
	return nil
}

// withCookie returns a browser without a jar's help that sends exactly this
// cookie on every request (to replay an old cookie after the jar moved on).
func withCookie(env *apitest.Env, c *http.Cookie) *apitest.Client {
	return env.Client().Header("Cookie", c.Name+"="+c.Value)
}

// expectStatus is r.Expect for subtests (r.Expect fails the test that
// made the server).
func expectStatus(t *testing.T, r *apitest.Response, status int) *apitest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\nbody: %.2000s", r.Status, status, r.Body)
	}
	return r
}

// retryUnavailable makes a request until it is not a 503 with Retry-After
// (at most a minute), as a client is told to: on a loaded machine a big
// transaction on SQLite can outlast a request's deadline.
func retryUnavailable(t *testing.T, do func() *apitest.Response) *apitest.Response {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		r := do()
		after, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if r.Status != http.StatusServiceUnavailable || err != nil || time.Now().After(deadline) {
			return r
		}
		t.Logf("503 (%s); retrying after %d s", r.Body, after)
		time.Sleep(time.Duration(after) * time.Second)
	}
}

// jsonInto decodes a response body into v.
func jsonInto(r *apitest.Response, v any) error { return json.Unmarshal(r.Body, v) }

// expectProblem checks that r is an RFC 9457 problem with the status.
func expectProblem(t *testing.T, r *apitest.Response, status int) map[string]any {
	t.Helper()
	expectStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.Body)
	}
	p := r.Map()
	if p["status"] != float64(status) || p["title"] == "" || p["type"] == "" {
		t.Fatalf("not a problem body: %s", r.Body)
	}
	return p
}

// logLines returns the server's JSON log records that satisfy keep.
func logLines(t *testing.T, env *apitest.Env, keep func(map[string]any) bool) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(env.Logs()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			continue
		}
		if keep(rec) {
			out = append(out, rec)
		}
	}
	return out
}

// setupToken reads the one-time setup token from the server log.
func setupToken(t *testing.T, env *apitest.Env) string {
	t.Helper()
	recs := logLines(t, env, func(m map[string]any) bool { _, ok := m["setup_token"]; return ok })
	if len(recs) == 0 {
		t.Fatalf("no setup_token in the log:\n%s", env.Logs())
	}
	tok, _ := recs[len(recs)-1]["setup_token"].(string)
	return tok
}

// me is the part of GET /auth/me the tests look at.
type me struct {
	User struct {
		ID         uuid.UUID `json:"id"`
		Email      string    `json:"email"`
		Name       string    `json:"name"`
		Role       string    `json:"role"`
		AuthSource string    `json:"auth_source"`
		Issuer     *string   `json:"issuer"`
		AvatarURL  *string   `json:"avatar_url"`
	} `json:"user"`
	Role     string `json:"role"`
	Features struct {
		SetupRequired bool `json:"setup_required"`
		OIDC          bool `json:"oidc"`
	} `json:"features"`
}

func getMe(t *testing.T, c *apitest.Client) me {
	t.Helper()
	var m me
	if err := json.Unmarshal(expectStatus(t, c.Get("/api/v1/auth/me"), http.StatusOK).Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
