package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/httpapi"
	"github.com/downlink/downlink/api/internal/users"
)

// This file is the authorization table: every route of the route table
// (httpapi.Routes), called by every kind of caller, must answer what the
// route's access rule promises. Nothing here lists routes: a new route is
// covered the moment it is registered. A new kind of access rule must be
// added to routeKinds, and a new kind of caller (API keys with a scope, a
// revoked key, …) to matrixCallers, with an outcome for every route kind.

// authzOutcome is what a caller must get from a route.
type authzOutcome int

const (
	// authorized: authorized; any answer but 401/403 (and no 5xx).
	authorized authzOutcome = iota + 1
	// unauthenticated: 401 problem.
	unauthenticated
	// forbidden: 403 problem.
	forbidden
	// authorizedWithScope: authorized when the caller's scopes hold the route's
	// scope, forbidden otherwise (for API keys).
	authorizedWithScope
	// authorizedDuringPasswordChange: authorized on the routes a temporary
	// password allows (reading and changing one's account, signing out),
	// forbidden otherwise.
	authorizedDuringPasswordChange
)

func (o authzOutcome) String() string {
	return [...]string{"?", "authorized", "401", "403", "authorized with scope", "authorized during a password change"}[o]
}

// routeKinds are the access rules the route table uses, by name. A route
// that matches none of them fails the test.
var routeKinds = []struct {
	name string
	is   func(r httpapi.Route) bool
}{
	{"public", func(r httpapi.Route) bool {
		return r.Public && !r.AdminOnly && !r.SessionOnly && r.Scope == ""
	}},
	{"signed in", func(r httpapi.Route) bool {
		return !r.Public && !r.AdminOnly && !r.SessionOnly && r.Scope == ""
	}},
	{"user scope", func(r httpapi.Route) bool {
		return !r.Public && !r.AdminOnly && !r.SessionOnly && slices.Contains(authz.UserScopes, authz.Scope(r.Scope))
	}},
	{"admin scope", func(r httpapi.Route) bool {
		return !r.Public && r.AdminOnly && !r.SessionOnly && slices.Contains(authz.AdminScopes, authz.Scope(r.Scope))
	}},
	{"session", func(r httpapi.Route) bool {
		return !r.Public && !r.AdminOnly && r.SessionOnly && r.Scope == ""
	}},
	{"admin session", func(r httpapi.Route) bool {
		return !r.Public && r.AdminOnly && r.SessionOnly && r.Scope == ""
	}},
}

func routeKind(r httpapi.Route) string {
	for _, k := range routeKinds {
		if k.is(r) {
			return k.name
		}
	}
	return ""
}

// matrixWorld is the server and the people the callers act as.
type matrixWorld struct {
	env         *apitest.Env
	admin, user account
}

// matrixCaller is one kind of caller. client returns a client acting as it
// (called again whenever a request ended the caller's session); scopes are
// what it holds, for authorizedWithScope.
type matrixCaller struct {
	name   string
	client func(t *testing.T, w *matrixWorld) *apitest.Client
	scopes []authz.Scope
	expect map[string]authzOutcome
}

var matrixCallers = []matrixCaller{
	{
		name:   "anonymous",
		client: func(_ *testing.T, w *matrixWorld) *apitest.Client { return w.env.Client() },
		expect: map[string]authzOutcome{
			"public": authorized, "signed in": unauthenticated, "user scope": unauthenticated,
			"admin scope": unauthenticated, "session": unauthenticated, "admin session": unauthenticated,
		},
	},
	{
		name: "user session",
		client: func(t *testing.T, w *matrixWorld) *apitest.Client {
			c, _ := signIn(t, w.env, w.user)
			return c
		},
		expect: map[string]authzOutcome{
			"public": authorized, "signed in": authorized, "user scope": authorized,
			"admin scope": forbidden, "session": authorized, "admin session": forbidden,
		},
	},
	{
		// An account an admin added with a temporary password, before it
		// chose its own: whatever its role, nothing but its own account.
		name: "temporary password session",
		client: func(t *testing.T, w *matrixWorld) *apitest.Client {
			a := account{Email: "temp-" + uuid.NewString()[:8] + "@example.com", Password: "temporary " + uuid.NewString()[:8]}
			if _, err := w.env.App.Users.CreateLocal(context.Background(), users.NewLocal{Email: a.Email, Role: authz.RoleAdmin,
				Password: a.Password, MustChangePassword: true}); err != nil {
				t.Fatal(err)
			}
			c, _ := signIn(t, w.env, a)
			return c
		},
		expect: map[string]authzOutcome{
			"public": authorized, "signed in": authorizedDuringPasswordChange, "user scope": authorizedDuringPasswordChange,
			"admin scope": authorizedDuringPasswordChange, "session": authorizedDuringPasswordChange,
			"admin session": authorizedDuringPasswordChange,
		},
	},
	{
		name: "admin session",
		client: func(t *testing.T, w *matrixWorld) *apitest.Client {
			c, _ := signIn(t, w.env, w.admin)
			return c
		},
		expect: map[string]authzOutcome{
			"public": authorized, "signed in": authorized, "user scope": authorized,
			"admin scope": authorized, "session": authorized, "admin session": authorized,
		},
	},
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	w := &matrixWorld{env: env, admin: newAccount(t, env, authz.RoleAdmin), user: newAccount(t, env, authz.RoleUser)}
	routes := env.App.HTTP.Routes()
	if len(routes) == 0 {
		t.Fatal("the route table is empty")
	}
	for _, r := range routes {
		if routeKind(r) == "" {
			t.Errorf("%s %s: access rule %+v is not a known kind; add it to routeKinds and give every caller an authzOutcome", r.Method, r.Path, r)
		}
	}
	for _, caller := range matrixCallers {
		for _, k := range routeKinds {
			if caller.expect[k.name] == 0 {
				t.Errorf("caller %q has no authzOutcome for routes of kind %q", caller.name, k.name)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	for _, caller := range matrixCallers {
		t.Run(caller.name, func(t *testing.T) {
			c := caller.client(t, w)
			for _, r := range routes {
				want := caller.expect[routeKind(r)]
				if want == authorizedDuringPasswordChange {
					want = forbidden
					if r.DuringPasswordChange {
						want = authorized
					}
				}
				if want == authorizedWithScope {
					want = forbidden
					if slices.Contains(caller.scopes, authz.Scope(r.Scope)) || r.Scope == "" {
						want = authorized
					}
				}
				t.Run(r.Method+" "+r.Path, func(t *testing.T) {
					path := fillPathParams(r.Path)
					var resp *apitest.Response
					if streams(t, r) {
						resp = openStream(t, env, c, r.Method, path)
					} else {
						resp = c.Do(r.Method, path, matrixBody(r.Method))
					}
					checkAuthzOutcome(t, resp, want)
				})
				// Logging out and ending sessions are routes too: start
				// again when a request ended the caller's session.
				if want != unauthenticated && c.Get("/api/v1/auth/me").Status == http.StatusUnauthorized && caller.name != "anonymous" {
					c = caller.client(t, w)
				}
			}
		})
	}
}

func checkAuthzOutcome(t *testing.T, r *apitest.Response, want authzOutcome) {
	t.Helper()
	switch want {
	case authorized:
		if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden || r.Status >= 500 {
			t.Fatalf("status %d, want an authorized answer\nbody: %.1000s", r.Status, r.Body)
		}
	case unauthenticated, forbidden:
		status := http.StatusUnauthorized
		if want == forbidden {
			status = http.StatusForbidden
		}
		p := expectProblem(t, r, status)
		if d, _ := p["detail"].(string); strings.Contains(d, "Cross-origin") {
			t.Fatalf("refused as cross-site, not by the access rule: %v", p)
		}
	default:
		t.Fatalf("no authzOutcome %v", want)
	}
}

// fillPathParams fills an OpenAPI path's parameters: a random UUID for ids
// (a 404 after authorization is fine: the point is 401/403 or not).
func fillPathParams(p string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		j := strings.IndexByte(p[i:], '}')
		b.WriteString(p[:i])
		switch name := p[i+1 : i+j]; name {
		case "provider":
			b.WriteString("oidc")
		case "platform":
			b.WriteString("youtube")
		default:
			b.WriteString(uuid.NewString())
		}
		p = p[i+j+1:]
	}
}

// matrixBody is an empty JSON object for methods that take a body: enough
// to get past authorization, never enough to change anything.
func matrixBody(method string) any {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return map[string]any{}
	}
	return nil
}

// streams reports whether openapi.yaml documents the route's success as an
// event stream, which a client cannot read to the end.
func streams(t *testing.T, r httpapi.Route) bool {
	t.Helper()
	contract, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	item := contract.Doc.Paths.Find(r.Path)
	if item == nil || item.GetOperation(r.Method) == nil {
		return false
	}
	ok := item.GetOperation(r.Method).Responses.Status(http.StatusOK)
	return ok != nil && ok.Value != nil && ok.Value.Content.Get("text/event-stream") != nil
}

// openStream opens an event stream with c's cookies and keeps only the
// status, the headers and a refusal's body.
func openStream(t *testing.T, env *apitest.Env, c *apitest.Client, method, path string) *apitest.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if jar := c.Jar(); jar != nil {
		for _, ck := range jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var body []byte
	if resp.StatusCode != http.StatusOK {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	}
	return &apitest.Response{T: t, Status: resp.StatusCode, Header: resp.Header, Body: body}
}
