package httpapi_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

var keyFormatRE = regexp.MustCompile(`^dlk_[0-9A-Za-z]{49}$`)

// keyURL is a key's resource path.
func keyURL(k createdKey) string { return "/api/v1/api-keys/" + k.ID.String() }

// fieldErrors returns the fields a 422 names.
func fieldErrors(t *testing.T, r *apitest.Response) []string {
	t.Helper()
	p := expectProblem(t, r, http.StatusUnprocessableEntity)
	var fields []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		f, _ := e.(map[string]any)["field"].(string)
		fields = append(fields, f)
	}
	return fields
}

// TestAPIKeyCreate: the key is shown once (never in a list or an update),
// in the documented format, with a Location and no caching; defaults are
// filled in.
func TestAPIKeyCreate(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	r := w.userC.Post("/api/v1/api-keys", map[string]any{"name": "Home Assistant", "scopes": []string{"files:read", "downloads:read"}}).
		Expect(http.StatusCreated)
	var k createdKey
	r.JSON(&k)
	if got := r.Header.Get("Location"); got != keyURL(k) {
		t.Fatalf("Location %q, want %q", got, keyURL(k))
	}
	if !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("Cache-Control %q on the only response holding the key", r.Header.Get("Cache-Control"))
	}
	if !keyFormatRE.MatchString(k.Key) || k.LastEight != k.Key[len(k.Key)-8:] {
		t.Fatalf("key %q, last_eight %q", k.Key, k.LastEight)
	}
	if k.UserID != w.user.ID || k.Status != "active" || k.RateLimitPerMinute != 60 || k.DailyDownloadQuota != nil ||
		k.ExpiresAt != nil || k.RevokedAt != nil || len(k.AllowedIPs) != 0 ||
		!slices.Equal(k.Scopes, []authz.Scope{authz.ScopeDownloadsRead, authz.ScopeFilesRead}) {
		t.Fatalf("created %+v", k)
	}
	w.env.WithAPIKey(k.Key).Get("/api/v1/system").Expect(http.StatusOK)

	secret := k.Key[:len(k.Key)-8]
	list := w.userC.Get("/api/v1/api-keys").Expect(http.StatusOK)
	upd := w.userC.Do(http.MethodPatch, keyURL(k), map[string]any{"name": "renamed"}).Expect(http.StatusOK)
	for what, resp := range map[string]*apitest.Response{"the list": list, "an update": upd} {
		if strings.Contains(string(resp.Body), secret) || strings.Contains(string(resp.Body), `"key":`) {
			t.Fatalf("%s shows the key: %s", what, resp.Body)
		}
	}
	if got := findKey(t, listKeys(t, w.userC, ""), k.ID); got.Name != "renamed" || got.LastEight != k.LastEight {
		t.Fatalf("listed %+v", got)
	}
}

// TestAPIKeyValidation: what a create or an update may not ask for is a
// 422 naming the field.
func TestAPIKeyValidation(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	existing := createKey(t, w.userC, "existing", []authz.Scope{authz.ScopeDownloadsRead})
	adminKey := createKey(t, w.adminC, "admin", []authz.Scope{authz.ScopeAdminRead, authz.ScopeAdminWrite})
	if len(adminKey.Scopes) != 2 {
		t.Fatalf("admin key scopes %v", adminKey.Scopes)
	}
	base := func(kv ...any) map[string]any {
		m := map[string]any{"name": "k", "scopes": []string{"downloads:read"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil && kv[i] != "expires_at" && kv[i] != "daily_download_quota" {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	past := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"admin scope on a user's key", base("scopes", []string{"downloads:read", "admin:read"}), "scopes"},
		{"admin:write on a user's key", base("scopes", []string{"admin:write"}), "scopes"},
		{"no scopes", base("scopes", []string{}), "scopes"},
		{"scopes missing", base("scopes", nil), "scopes"},
		{"unknown scope", base("scopes", []string{"downloads:everything"}), "scopes"},
		{"duplicate scopes", base("scopes", []string{"files:read", "files:read"}), "scopes"},
		{"name missing", base("name", nil), "name"},
		{"empty name", base("name", ""), "name"},
		{"blank name", base("name", "   "), "name"},
		{"name too long", base("name", strings.Repeat("n", 101)), "name"},
		{"bad CIDR", base("allowed_ips", []string{"10.0.0.0/33"}), "allowed_ips"},
		{"not an address", base("allowed_ips", []string{"192.168.1.0/24", "my-laptop"}), "allowed_ips"},
		{"expiry in the past", base("expires_at", past), "expires_at"},
		{"expiry not a time", base("expires_at", "next week"), "expires_at"},
		{"rate limit zero", base("rate_limit_per_minute", 0), "rate_limit_per_minute"},
		{"rate limit too high", base("rate_limit_per_minute", 100001), "rate_limit_per_minute"},
		{"quota zero", base("daily_download_quota", 0), "daily_download_quota"},
		{"unknown field", base("owner", "someone"), "owner"},
	}
	for _, tt := range tests {
		t.Run("create: "+tt.name, func(t *testing.T) {
			if got := fieldErrors(t, w.userC.Post("/api/v1/api-keys", tt.body)); !slices.Contains(got, tt.field) {
				t.Fatalf("422 names %v, want %q", got, tt.field)
			}
		})
		if _, ok := tt.body[tt.field]; !ok || tt.field == "name" && tt.name == "name missing" {
			continue // an update may leave fields out
		}
		t.Run("update: "+tt.name, func(t *testing.T) {
			patch := map[string]any{tt.field: tt.body[tt.field]}
			if got := fieldErrors(t, w.userC.Do(http.MethodPatch, keyURL(existing), patch)); !slices.Contains(got, tt.field) {
				t.Fatalf("422 names %v, want %q", got, tt.field)
			}
		})
	}
	expectProblem(t, w.userC.Do(http.MethodPatch, keyURL(existing), map[string]any{}), http.StatusUnprocessableEntity)
	if got := findKey(t, listKeys(t, w.userC, ""), existing.ID); got.Name != "existing" ||
		!slices.Equal(got.Scopes, []authz.Scope{authz.ScopeDownloadsRead}) || got.RateLimitPerMinute != 60 {
		t.Fatalf("refused updates changed the key: %+v", got)
	}
}

// TestAPIKeyUpdate: name, scopes, limits, allow-list and expiry change,
// and the key behaves by its new settings on the very next request.
func TestAPIKeyUpdate(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	k := createKey(t, w.userC, "before", []authz.Scope{authz.ScopeDownloadsRead})
	key := w.env.WithAPIKey(k.Key)
	key.Get("/api/v1/system").Expect(http.StatusOK)

	expires := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
	var got createdKey
	w.userC.Do(http.MethodPatch, keyURL(k), map[string]any{
		"name": "after", "scopes": []string{"files:read"}, "rate_limit_per_minute": 30,
		"daily_download_quota": 10, "expires_at": expires.Format(time.RFC3339),
	}).Expect(http.StatusOK).JSON(&got)
	if got.Name != "after" || !slices.Equal(got.Scopes, []authz.Scope{authz.ScopeFilesRead}) || got.RateLimitPerMinute != 30 ||
		got.DailyDownloadQuota == nil || *got.DailyDownloadQuota != 10 || got.ExpiresAt == nil || !got.ExpiresAt.Equal(expires) {
		t.Fatalf("updated %+v", got)
	}
	if title := problemTitle(t, key.Get("/api/v1/system"), http.StatusForbidden); title != "Missing scope" {
		t.Fatalf("after losing downloads:read: %q", title)
	}
	if p := key.Get("/api/v1/system"); p.Header.Get("RateLimit-Policy") != `"default";q=30;w=60` {
		t.Fatalf("RateLimit-Policy %q after the limit changed to 30", p.Header.Get("RateLimit-Policy"))
	}

	// Clearing: no quota, no expiry; an allow-list that excludes us.
	w.userC.Do(http.MethodPatch, keyURL(k), map[string]any{
		"daily_download_quota": nil, "expires_at": nil, "scopes": []string{"downloads:read"}, "allowed_ips": []string{"10.0.0.0/8"},
	}).Expect(http.StatusOK).JSON(&got)
	if got.DailyDownloadQuota != nil || got.ExpiresAt != nil || !slices.Equal(got.AllowedIPs, []string{"10.0.0.0/8"}) {
		t.Fatalf("cleared %+v", got)
	}
	// openapi.yaml: a key "sent from an IP outside its allow-list" is a 401.
	outside := key.Get("/api/v1/system")
	if title := problemTitle(t, outside, http.StatusUnauthorized); title != "Address not allowed" {
		t.Fatalf("outside the allow-list: %q", title)
	}
	if outside.Header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
	w.userC.Do(http.MethodPatch, keyURL(k), map[string]any{"allowed_ips": []string{"10.0.0.0/8", "127.0.0.1"}}).
		Expect(http.StatusOK).JSON(&got)
	if !slices.Equal(got.AllowedIPs, []string{"10.0.0.0/8", "127.0.0.1/32"}) {
		t.Fatalf("allowed_ips %v", got.AllowedIPs)
	}
	key.Get("/api/v1/system").Expect(http.StatusOK)
}

// TestAPIKeyRevoke: DELETE stops the key at once; a revoked key cannot be
// changed (409) and revoking it again is a no-op.
func TestAPIKeyRevoke(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	k := createKey(t, w.userC, "short-lived", []authz.Scope{authz.ScopeDownloadsRead})
	key := w.env.WithAPIKey(k.Key)
	key.Get("/api/v1/system").Expect(http.StatusOK)

	w.userC.Do(http.MethodDelete, keyURL(k), nil).Expect(http.StatusNoContent)
	if title := problemTitle(t, key.Get("/api/v1/system"), http.StatusUnauthorized); title != "API key revoked" {
		t.Fatalf("revoked key: %q", title)
	}
	got := findKey(t, listKeys(t, w.userC, ""), k.ID)
	if got.Status != "revoked" || got.RevokedAt == nil {
		t.Fatalf("listed %+v", got)
	}
	if p := expectProblem(t, w.userC.Do(http.MethodPatch, keyURL(k), map[string]any{"name": "again"}), http.StatusConflict); p["type"] != "https://downlink.dev/problems/api-key-already-revoked" {
		t.Errorf("changing a revoked key: %v", p)
	}
	w.userC.Do(http.MethodDelete, keyURL(k), nil).Expect(http.StatusNoContent)
	expectProblem(t, w.userC.Do(http.MethodDelete, "/api/v1/api-keys/0193aa00-0000-7000-8000-000000000009", nil), http.StatusNotFound)
}

// TestAPIKeyAdministration: admins list and revoke anyone's keys; users
// only see their own, and asking for more is a 403.
func TestAPIKeyAdministration(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	usersKey := createKey(t, w.userC, "user's", []authz.Scope{authz.ScopeDownloadsRead})
	adminsKey := createKey(t, w.adminC, "admin's", []authz.Scope{authz.ScopeDownloadsRead})

	all := listKeys(t, w.adminC, "?all=true")
	findKey(t, all, usersKey.ID)
	findKey(t, all, adminsKey.ID)
	if one := listKeys(t, w.adminC, "?user_id="+w.user.ID.String()); len(one) != 1 || one[0].ID != usersKey.ID {
		t.Fatalf("admin's ?user_id= list: %+v", one)
	}
	if own := listKeys(t, w.adminC, ""); len(own) != 1 || own[0].ID != adminsKey.ID {
		t.Fatalf("admin's own list: %+v", own)
	}
	if own := listKeys(t, w.userC, "?all=false"); len(own) != 1 || own[0].ID != usersKey.ID {
		t.Fatalf("user's own list: %+v", own)
	}
	for _, q := range []string{"?all=true", "?user_id=" + w.admin.ID.String(), "?user_id=" + w.user.ID.String()} {
		expectProblem(t, w.userC.Get("/api/v1/api-keys"+q), http.StatusForbidden)
	}
	expectProblem(t, w.userC.Get("/api/v1/api-keys?all=maybe"), http.StatusBadRequest)

	// A user cannot touch an admin's key: it does not exist for them.
	expectProblem(t, w.userC.Do(http.MethodDelete, keyURL(adminsKey), nil), http.StatusNotFound)
	expectProblem(t, w.userC.Do(http.MethodPatch, keyURL(adminsKey), map[string]any{"name": "mine"}), http.StatusNotFound)
	w.env.WithAPIKey(adminsKey.Key).Get("/api/v1/system").Expect(http.StatusOK)

	// An admin may change a user's key, but only within the owner's rights.
	if got := fieldErrors(t, w.adminC.Do(http.MethodPatch, keyURL(usersKey), map[string]any{"scopes": []string{"admin:read"}})); !slices.Contains(got, "scopes") {
		t.Fatalf("admin scope on a user's key: %v", got)
	}
	w.adminC.Do(http.MethodPatch, keyURL(usersKey), map[string]any{"name": "renamed by admin"}).Expect(http.StatusOK)
	w.adminC.Do(http.MethodDelete, keyURL(usersKey), nil).Expect(http.StatusNoContent)
	expectProblem(t, w.env.WithAPIKey(usersKey.Key).Get("/api/v1/system"), http.StatusUnauthorized)
	if got := findKey(t, listKeys(t, w.userC, ""), usersKey.ID); got.Status != "revoked" || got.Name != "renamed by admin" {
		t.Fatalf("the user sees %+v", got)
	}
}

// TestAPIKeyListPages: keys come newest first, a page at a time.
func TestAPIKeyListPages(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	var made []createdKey
	for _, name := range []string{"first", "second", "third"} {
		made = append(made, createKey(t, w.userC, name, []authz.Scope{authz.ScopeFilesRead}))
	}
	type page struct {
		Items      []createdKey `json:"items"`
		NextCursor *string      `json:"next_cursor"`
	}
	var p1, p2 page
	w.userC.Get("/api/v1/api-keys?limit=2").Expect(http.StatusOK).JSON(&p1)
	if len(p1.Items) != 2 || p1.Items[0].ID != made[2].ID || p1.Items[1].ID != made[1].ID || p1.NextCursor == nil {
		t.Fatalf("first page %+v", p1)
	}
	w.userC.Get("/api/v1/api-keys?limit=2&cursor=" + *p1.NextCursor).Expect(http.StatusOK).JSON(&p2)
	if len(p2.Items) != 1 || p2.Items[0].ID != made[0].ID || p2.NextCursor != nil {
		t.Fatalf("second page %+v", p2)
	}
	for _, q := range []string{"?limit=0", "?limit=201", "?limit=ten", "?cursor=not-a-cursor"} {
		expectProblem(t, w.userC.Get("/api/v1/api-keys"+q), http.StatusBadRequest)
	}
}
