package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/httpapi"
	"github.com/downlink/downlink/api/internal/users"
)

// keyOutcome is what a request should get: passed (the access rule let it
// through to the handler, which may still answer 404 or 422) or a refusal
// with this status and problem title.
type keyOutcome struct {
	passed bool
	status int
	title  string
}

var (
	keyPasses          = keyOutcome{passed: true}
	keySessionRequired = keyOutcome{status: http.StatusForbidden, title: "Browser session required"}
	keyAdminOnly       = keyOutcome{status: http.StatusForbidden, title: "Admin only"}
	keyMissingScope    = keyOutcome{status: http.StatusForbidden, title: "Missing scope"}
	keyUnknownRoute    = keyOutcome{status: -1}
)

// expectValidKey derives, from the kind of a route's access rule (see
// routeKinds in authz_matrix_test.go), what a working key with these
// scopes, owned by someone of this role, gets. A route of no known kind
// gets keyUnknownRoute, which fails the test.
func expectValidKey(r httpapi.Route, scopes []authz.Scope, owner authz.Role) keyOutcome {
	hasScope := slices.Contains(scopes, authz.Scope(r.Scope))
	switch routeKind(r) {
	case "public", "signed in":
		return keyPasses
	case "user scope":
		if hasScope {
			return keyPasses
		}
		return keyMissingScope
	case "admin scope":
		if owner != authz.RoleAdmin {
			return keyAdminOnly
		}
		if hasScope {
			return keyPasses
		}
		return keyMissingScope
	case "session", "admin session":
		return keySessionRequired
	}
	return keyUnknownRoute
}

// expectDeadKey is what a key that does not work gets: public routes
// ignore it, every other route refuses it with 401 and this title.
func expectDeadKey(r httpapi.Route, title string) keyOutcome {
	switch routeKind(r) {
	case "":
		return keyUnknownRoute
	case "public":
		return keyPasses
	}
	return keyOutcome{status: http.StatusUnauthorized, title: title}
}

// keyCase is one column of the matrix: a credential and how to send it.
type keyCase struct {
	name   string
	key    string
	inURL  bool
	expect func(httpapi.Route) keyOutcome
}

// TestAPIKeyMatrix sends every route of the route table with every kind of
// API key and checks the answer against what the route's access rule says.
func TestAPIKeyMatrix(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t, trustProxy())
	env, ctx := w.env, context.Background()
	routes := env.App.HTTP.Routes()
	checkKeyRoutesDocumented(t, env, routes)

	var cases []keyCase
	validKey := func(c *apitest.Client, owner authz.Role, scope authz.Scope) {
		// The matrix checks access rules, not rate limits: a limit above the
		// route table's size, or the key's 60-a-minute default answers 429
		// once the table outgrows it (rate limits have their own tests).
		k := createKey(t, c, "matrix "+string(scope), []authz.Scope{scope}, "rate_limit_per_minute", 10*len(routes))
		cases = append(cases, keyCase{name: string(owner) + "'s key with " + string(scope), key: k.Key,
			expect: func(r httpapi.Route) keyOutcome { return expectValidKey(r, []authz.Scope{scope}, owner) }})
	}
	for _, s := range authz.UserScopes {
		validKey(w.userC, authz.RoleUser, s)
		validKey(w.adminC, authz.RoleAdmin, s)
	}
	for _, s := range authz.AdminScopes {
		validKey(w.adminC, authz.RoleAdmin, s)
	}
	allScopes := []authz.Scope{authz.ScopeDownloadsRead, authz.ScopeDownloadsWrite, authz.ScopeFilesRead, authz.ScopeFilesWrite}

	// A disabled owner's key.
	gone := newAccount(t, env, authz.RoleUser)
	goneC, _ := signIn(t, env, gone)
	goneKey := createKey(t, goneC, "owner disabled", allScopes)
	disabled := true
	if _, _, err := env.App.Users.Update(ctx, gone.ID, users.Change{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	// A revoked key.
	revoked := createKey(t, w.userC, "revoked", allScopes)
	w.userC.Do(http.MethodDelete, "/api/v1/api-keys/"+revoked.ID.String(), nil).Expect(http.StatusNoContent)
	// An expired key: its expiry moved into the past in the database.
	expired := createKey(t, w.userC, "expired", allScopes)
	if err := env.App.Store.DB.Exec("UPDATE api_keys SET expires_at = ? WHERE id = ?",
		time.Now().UTC().Add(-time.Minute), expired.ID).Error; err != nil {
		t.Fatal(err)
	}
	// A working key, mistyped, and a working key sent in the URL.
	working := createKey(t, w.userC, "working", allScopes)
	cases = append(cases,
		keyCase{name: "disabled owner's key", key: goneKey.Key,
			expect: func(r httpapi.Route) keyOutcome { return expectDeadKey(r, "API key owner disabled") }},
		keyCase{name: "revoked key", key: revoked.Key,
			expect: func(r httpapi.Route) keyOutcome { return expectDeadKey(r, "API key revoked") }},
		keyCase{name: "expired key", key: expired.Key,
			expect: func(r httpapi.Route) keyOutcome { return expectDeadKey(r, "API key expired") }},
		keyCase{name: "bad checksum", key: badChecksum(working.Key),
			expect: func(r httpapi.Route) keyOutcome { return expectDeadKey(r, "Invalid API key") }},
		keyCase{name: "working key in the query string", key: working.Key, inURL: true,
			expect: func(r httpapi.Route) keyOutcome { return expectDeadKey(r, "API key in the query string") }},
	)

	for _, kc := range cases {
		t.Run(kc.name, func(t *testing.T) {
			for _, r := range routes {
				t.Run(r.Method+" "+r.Path, func(t *testing.T) {
					checkKeyRequest(t, env, r, kc)
				})
			}
		})
	}

	if strings.Contains(env.Logs(), working.Key[:len(working.Key)-8]) {
		t.Fatal("a key sent in the query string reached the log")
	}
}

// checkKeyRequest sends one route with one credential and checks the answer.
func checkKeyRequest(t *testing.T, env *apitest.Env, r httpapi.Route, kc keyCase) {
	t.Helper()
	want := kc.expect(r)
	if want == keyUnknownRoute {
		t.Fatalf("access rule %+v is of no known kind: add it to routeKinds and to expectValidKey/expectDeadKey", r)
	}
	path := fillPathParams(r.Path)
	c := env.Client().Header("X-Forwarded-For", freshIP())
	if kc.inURL {
		path += "?api_key=" + url.QueryEscape(kc.key)
	} else {
		c = c.Header("Authorization", "Bearer "+kc.key)
	}
	resp := c.Do(r.Method, path, matrixBody(r.Method))
	if want.passed {
		switch {
		case resp.Status == http.StatusUnauthorized, resp.Status == http.StatusForbidden,
			resp.Status == http.StatusTooManyRequests, resp.Status >= 500:
			t.Fatalf("access rule %+v should let this through; got %d %s", r, resp.Status, resp.Body)
		}
		return
	}
	if got := problemTitle(t, resp, want.status); got != want.title {
		t.Fatalf("refused with %q, want %q (%s)", got, want.title, resp.Body)
	}
	if want.status == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
	if want == keyMissingScope {
		if p := resp.Map(); p["required_scope"] != r.Scope {
			t.Fatalf("required_scope %v, want %q", p["required_scope"], r.Scope)
		}
	}
}

// checkKeyRoutesDocumented fails when Echo serves an /api/v1 route that
// the route table (and so this matrix) does not list, or when a route's
// access rule disagrees with what openapi.yaml documents for it.
func checkKeyRoutesDocumented(t *testing.T, env *apitest.Env, routes []httpapi.Route) {
	t.Helper()
	listed := map[string]bool{}
	for _, r := range routes {
		listed[r.Method+" "+r.Path] = true
	}
	for _, er := range env.App.HTTP.Echo().Routes() {
		if !strings.HasPrefix(er.Path, "/api/v1/") || er.Path == "/api/v1/*" {
			continue
		}
		if strings.Contains(er.Name, "methodNotAllowed") {
			continue // the 405 a route answers for methods it lacks
		}
		p := regexp.MustCompile(`:([A-Za-z_]+)`).ReplaceAllString(er.Path, "{$1}")
		method := er.Method
		if method == http.MethodHead {
			method = http.MethodGet // HEAD is GET without the body
		}
		if !listed[method+" "+p] {
			t.Errorf("%s %s is served but missing from the route table's access rules", er.Method, p)
		}
	}
	contract, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		item := contract.Doc.Paths.Find(r.Path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s %s is not in openapi.yaml", r.Method, r.Path)
			continue
		}
		op := item.GetOperation(r.Method)
		public := op.Security != nil && len(*op.Security) == 0
		scope := fmt.Sprint(op.Extensions["x-required-scope"])
		adminOnly := fmt.Sprint(op.Extensions["x-admin-only"]) == "true"
		var want string
		switch {
		case r.Public:
			want = "<nil>"
		case r.SessionOnly:
			want = "session"
		default:
			want = r.Scope
		}
		if public != r.Public || scope != want || adminOnly != r.AdminOnly {
			t.Errorf("%s %s: route table says public=%v scope=%q admin-only=%v; openapi.yaml says security:[]=%v x-required-scope=%s x-admin-only=%v",
				r.Method, r.Path, r.Public, want, r.AdminOnly, public, scope, adminOnly)
		}
	}
}

// TestAPIKeyFollowsItsOwner: a key never does more than its owner. Demote
// the owner and the key's admin scope stops working on the next request
// while its other scopes keep working; disable the owner and the key stops.
func TestAPIKeyFollowsItsOwner(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	boss := newAccount(t, w.env, authz.RoleAdmin)
	bossC, _ := signIn(t, w.env, boss)
	k := createKey(t, bossC, "ops", []authz.Scope{authz.ScopeAdminRead, authz.ScopeDownloadsRead})
	key := w.env.WithAPIKey(k.Key)
	key.Get("/api/v1/users").Expect(http.StatusOK)
	key.Get("/api/v1/system").Expect(http.StatusOK)

	w.adminC.Do(http.MethodPatch, "/api/v1/users/"+boss.ID.String(), map[string]any{"role": "user"}).Expect(http.StatusOK)
	if got := problemTitle(t, key.Get("/api/v1/users"), http.StatusForbidden); got != keyAdminOnly.title {
		t.Fatalf("demoted owner's key on an admin route: %q", got)
	}
	key.Get("/api/v1/system").Expect(http.StatusOK)

	// Promoted again, the scope the key kept comes back.
	w.adminC.Do(http.MethodPatch, "/api/v1/users/"+boss.ID.String(), map[string]any{"role": "admin"}).Expect(http.StatusOK)
	key.Get("/api/v1/users").Expect(http.StatusOK)

	w.adminC.Do(http.MethodPatch, "/api/v1/users/"+boss.ID.String(), map[string]any{"disabled": true}).Expect(http.StatusOK)
	for _, path := range []string{"/api/v1/users", "/api/v1/system"} {
		if got := problemTitle(t, key.Get(path), http.StatusUnauthorized); got != "API key owner disabled" {
			t.Fatalf("%s with a disabled owner's key: %q", path, got)
		}
	}
}
