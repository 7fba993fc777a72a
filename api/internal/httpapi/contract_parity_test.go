package httpapi_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
)

// TestRouteTableMatchesTheContract checks the route table and openapi.yaml
// both ways: every /api route is documented, every documented /api path
// and method is routed, and each route's access rule says what the
// operation's x-required-scope and x-admin-only say.
func TestRouteTableMatchesTheContract(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	contract, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	routed := map[string]bool{}
	for _, r := range env.App.HTTP.Routes() {
		key := r.Method + " " + r.Path
		routed[key] = true
		item := contract.Doc.Paths.Find(r.Path)
		if item == nil {
			t.Errorf("%s is routed but not in openapi.yaml", key)
			continue
		}
		op := item.GetOperation(r.Method)
		if op == nil {
			t.Errorf("%s is routed but openapi.yaml has no %s operation on that path", key, r.Method)
			continue
		}
		scope, _ := op.Extensions["x-required-scope"].(string)
		admin, _ := op.Extensions["x-admin-only"].(bool)
		public := op.Security != nil && len(*op.Security) == 0
		switch {
		case r.Public != public:
			t.Errorf("%s: route public=%v, openapi.yaml says public=%v", key, r.Public, public)
		case r.Public:
		case r.SessionOnly && scope != "session":
			t.Errorf("%s: route needs a browser session, openapi.yaml says scope %q", key, scope)
		case !r.SessionOnly && scope != r.Scope:
			t.Errorf("%s: route needs scope %q, openapi.yaml says %q", key, r.Scope, scope)
		}
		if r.AdminOnly != admin {
			t.Errorf("%s: route admin-only=%v, openapi.yaml says %v", key, r.AdminOnly, admin)
		}
	}
	var missing []string
	for path, item := range contract.Doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method := range item.Operations() {
			if key := method + " " + path; !routed[key] {
				missing = append(missing, key)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s is in openapi.yaml but not routed", m)
	}
	// Outside /api the operational endpoints answer as documented.
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/openapi.yaml"} {
		if contract.Doc.Paths.Find(p) == nil {
			t.Errorf("%s is served but not documented", p)
		}
		if r := env.Client().Get(p); r.Status != http.StatusOK {
			t.Errorf("GET %s = %d", p, r.Status)
		}
	}
}
