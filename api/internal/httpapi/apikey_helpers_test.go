package httpapi_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// keyWorld is a server with a signed-in admin and a signed-in user, the
// people whose keys the API-key tests make.
type keyWorld struct {
	env           *apitest.Env
	admin, user   account
	adminC, userC *apitest.Client
}

func newKeyWorld(t *testing.T, opts ...apitest.Option) keyWorld {
	t.Helper()
	env := apitest.New(t, opts...)
	w := keyWorld{env: env, admin: newAccount(t, env, authz.RoleAdmin), user: newAccount(t, env, authz.RoleUser)}
	w.adminC, _ = signIn(t, env, w.admin)
	w.userC, _ = signIn(t, env, w.user)
	return w
}

// trustProxy makes the server read the client address from
// X-Forwarded-For, so a test can speak from many addresses (failed key
// checks are throttled per address).
func trustProxy() apitest.Option {
	return apitest.WithConfig(func(c *config.Config) { c.TrustProxy = true })
}

var nextTestIP atomic.Uint32

// freshIP returns an address no other request of this test binary used.
func freshIP() string {
	n := nextTestIP.Add(1)
	return fmt.Sprintf("198.18.%d.%d", (n>>8)&0xff, n&0xff)
}

// createdKey is the part of POST /api-keys the tests use.
type createdKey struct {
	ID                 uuid.UUID     `json:"id"`
	UserID             uuid.UUID     `json:"user_id"`
	Key                string        `json:"key"`
	Name               string        `json:"name"`
	Scopes             []authz.Scope `json:"scopes"`
	LastEight          string        `json:"last_eight"`
	Status             string        `json:"status"`
	ExpiresAt          *time.Time    `json:"expires_at"`
	RevokedAt          *time.Time    `json:"revoked_at"`
	LastUsedAt         *time.Time    `json:"last_used_at"`
	LastUsedIP         *string       `json:"last_used_ip"`
	RateLimitPerMinute int           `json:"rate_limit_per_minute"`
	DailyDownloadQuota *int          `json:"daily_download_quota"`
	AllowedIPs         []string      `json:"allowed_ips"`
}

// createKey makes a key through the API with a signed-in browser.
func createKey(t *testing.T, c *apitest.Client, name string, scopes []authz.Scope, extra ...any) createdKey {
	t.Helper()
	body := map[string]any{"name": name, "scopes": scopes}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	var k createdKey
	c.Post("/api/v1/api-keys", body).Expect(http.StatusCreated).JSON(&k)
	if k.Key == "" || k.ID == uuid.Nil {
		t.Fatalf("created key without key or id: %+v", k)
	}
	return k
}

// listKeys returns GET /api-keys with the query, decoded.
func listKeys(t *testing.T, c *apitest.Client, query string) []createdKey {
	t.Helper()
	var page struct {
		Items []createdKey `json:"items"`
	}
	c.Get("/api/v1/api-keys" + query).Expect(http.StatusOK).JSON(&page)
	return page.Items
}

// findKey returns the key with id from a list, or fails.
func findKey(t *testing.T, keys []createdKey, id uuid.UUID) createdKey {
	t.Helper()
	for _, k := range keys {
		if k.ID == id {
			return k
		}
	}
	t.Fatalf("key %s not in the list", id)
	return createdKey{}
}

// badChecksum returns key with its last character changed, so the
// checksum no longer matches.
func badChecksum(key string) string {
	last := key[len(key)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return key[:len(key)-1] + string(repl)
}

// problemTitle reads a problem's title (after expectProblem checked it).
func problemTitle(t *testing.T, r *apitest.Response, status int) string {
	t.Helper()
	p := expectProblem(t, r, status)
	title, _ := p["title"].(string)
	return title
}
