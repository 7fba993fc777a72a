package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/jsontime"
)

// oneTimestampForm is the only form a timestamp takes in the API's JSON:
// RFC 3339, UTC, milliseconds.
var oneTimestampForm = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// TestTimestampsHaveOneForm: every timestamp in the lists of downloads,
// files, API keys and webhooks (and in a problem's reset_at-style members)
// is RFC 3339 in UTC with exactly three fractional digits, whatever
// precision the database kept. Any string that parses as a time counts, so
// a new field cannot slip by under another name.
func TestTimestampsHaveOneForm(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	admin := newAccount(t, env, authz.RoleAdmin)
	w := dlWorld{env: env, user: admin}
	w.c, _ = signIn(t, env, admin)

	submitURL(t, w.c, "http://127.0.0.1:9/a.mp4")
	registerFile(t, w, admin.ID.String()+"/generic/a.mp4", []byte("media"))
	createKey(t, w.c, "stamps", []authz.Scope{authz.ScopeDownloadsRead}, "expires_at", time.Now().Add(48*time.Hour).Format(time.RFC3339Nano))
	createWebhook(t, w.c, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"download.completed"}})

	for _, path := range []string{"/api/v1/downloads", "/api/v1/files", "/api/v1/api-keys", "/api/v1/webhooks"} {
		t.Run(path, func(t *testing.T) {
			r := expectStatus(t, w.c.Get(path), http.StatusOK)
			var body any
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			n := 0
			walkStrings(body, "", func(key, s string) {
				if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
					return
				}
				n++
				if !oneTimestampForm.MatchString(s) {
					t.Errorf("%s: %q is not RFC 3339 UTC with milliseconds", key, s)
				}
				if !jsontime.KeyPattern.MatchString(key) {
					t.Errorf("%s holds a timestamp but is not named like one (jsontime.KeyPattern)", key)
				}
			})
			if n == 0 {
				t.Fatalf("no timestamps in %s", r.Body)
			}
		})
	}
}

// walkStrings calls f with every string value in v and its member's name.
func walkStrings(v any, key string, f func(key, s string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walkStrings(x, k, f)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, key, f)
		}
	case string:
		f(key, v)
	}
}

// TestDateTimePropertiesAreNamedAsTimestamps: every date-time property in
// openapi.yaml has a name jsontime normalizes.
func TestDateTimePropertiesAreNamedAsTimestamps(t *testing.T) {
	t.Parallel()
	contract, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, s := range contract.Doc.Components.Schemas {
		for prop, ps := range s.Value.Properties {
			if ps.Value == nil {
				continue
			}
			isTime := ps.Value.Format == "date-time"
			for _, a := range ps.Value.AllOf {
				isTime = isTime || a.Value != nil && a.Value.Format == "date-time"
			}
			if isTime {
				n++
				if !jsontime.KeyPattern.MatchString(prop) {
					t.Errorf("%s.%s is a date-time not named like a timestamp (jsontime.KeyPattern)", name, prop)
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d date-time properties found", n)
	}
}
