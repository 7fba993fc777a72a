package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// streamRecheck makes open event streams check their caller often, so a
// test sees a revocation take effect within a second or two.
func streamRecheck() apitest.Option {
	return apitest.WithConfig(func(c *config.Config) { c.EventStreamRecheck = 200 * time.Millisecond })
}

// waitEnded waits for the server to end the stream.
func (s *sseClient) waitEnded(t *testing.T, timeout time.Duration, what string) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(timeout):
		t.Fatalf("the event stream was still open %v after %s; saw %s", timeout, what, s.summary())
	}
}

// TestEventStreamEndsWhenCallerRevoked opens a stream, takes away what
// let the caller open it, and expects the server to close the stream
// within seconds (it used to run on for up to 30 minutes, delivering other
// users' downloads and the audit trail to a revoked admin key).
func TestEventStreamEndsWhenCallerRevoked(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, noWorkers(), streamRecheck())
	boss := newAccount(t, env, authz.RoleAdmin)
	bossC, _ := signIn(t, env, boss)
	db := env.App.Store.DB
	// sessionStream opens an admin's everything-stream from a browser.
	sessionStream := func(t *testing.T, a account) *sseClient {
		t.Helper()
		c, _ := signIn(t, env, a)
		return openSSE(t, env.URL, c, "?scope=all")
	}

	tests := []struct {
		name string
		// open returns the stream of a fresh admin (default: through an
		// API key); revoke takes away what let it open.
		open   func(t *testing.T, a account) *sseClient
		revoke func(t *testing.T, a account, key createdKey)
	}{
		{name: "key revoked", revoke: func(t *testing.T, a account, k createdKey) {
			c, _ := signIn(t, env, a)
			expectStatus(t, c.Do(http.MethodDelete, "/api/v1/api-keys/"+k.ID.String(), nil), http.StatusNoContent)
		}},
		{name: "key expired", revoke: func(t *testing.T, _ account, k createdKey) {
			if err := db.Exec("UPDATE api_keys SET expires_at = ? WHERE id = ?", time.Now().UTC().Add(-time.Second), k.ID).Error; err != nil {
				t.Fatal(err)
			}
		}},
		{name: "key's owner disabled", revoke: func(t *testing.T, a account, _ createdKey) {
			expectStatus(t, bossC.Do(http.MethodPatch, "/api/v1/users/"+a.ID.String(), map[string]any{"disabled": true}), http.StatusOK)
		}},
		{name: "key's owner demoted", revoke: func(t *testing.T, a account, _ createdKey) {
			expectStatus(t, bossC.Do(http.MethodPatch, "/api/v1/users/"+a.ID.String(), map[string]any{"role": "user"}), http.StatusOK)
		}},
		{name: "key's scopes narrowed", revoke: func(t *testing.T, a account, k createdKey) {
			c, _ := signIn(t, env, a)
			expectStatus(t, c.Do(http.MethodPatch, "/api/v1/api-keys/"+k.ID.String(), map[string]any{"scopes": []string{"downloads:read"}}), http.StatusOK)
		}},
		{name: "session's user disabled", open: sessionStream, revoke: func(t *testing.T, a account, _ createdKey) {
			expectStatus(t, bossC.Do(http.MethodPatch, "/api/v1/users/"+a.ID.String(), map[string]any{"disabled": true}), http.StatusOK)
		}},
		{name: "session's user demoted", open: sessionStream, revoke: func(t *testing.T, a account, _ createdKey) {
			expectStatus(t, bossC.Do(http.MethodPatch, "/api/v1/users/"+a.ID.String(), map[string]any{"role": "user"}), http.StatusOK)
		}},
		{name: "sessions ended by an admin", open: sessionStream, revoke: func(t *testing.T, a account, _ createdKey) {
			expectStatus(t, bossC.Do(http.MethodDelete, "/api/v1/users/"+a.ID.String()+"/sessions", nil), http.StatusNoContent)
		}},
		{name: "session expired", open: sessionStream, revoke: func(t *testing.T, a account, _ createdKey) {
			if err := db.Exec("UPDATE sessions SET expires_at = ? WHERE user_id = ?", time.Now().UTC().Add(-time.Second), a.ID).Error; err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccount(t, env, authz.RoleAdmin)
			c, _ := signIn(t, env, a)
			key := createKey(t, c, "watcher", authz.AllScopes)
			var s *sseClient
			if tc.open != nil {
				s = tc.open(t, a)
			} else {
				s = openSSEHeader(t, env.URL, "?scope=all", http.Header{"Authorization": {"Bearer " + key.Key}})
			}
			// The stream works: it carries the audit line of a change.
			expectStatus(t, bossC.Do(http.MethodPatch, "/api/v1/users/"+boss.ID.String(), map[string]any{"name": "Boss " + tc.name}), http.StatusOK)
			s.WaitFor(10*time.Second, "the audit line of a change", func(e sseEvent) bool { return e.Type == "log.appended" })

			tc.revoke(t, a, key)
			s.waitEnded(t, 5*time.Second, tc.name)
		})
	}

	t.Run("an unaffected stream stays open", func(t *testing.T) {
		s := sessionStream(t, boss)
		other := newAccount(t, env, authz.RoleAdmin)
		oc, _ := signIn(t, env, other)
		key := createKey(t, oc, "gone", authz.AllScopes)
		expectStatus(t, oc.Do(http.MethodDelete, "/api/v1/api-keys/"+key.ID.String(), nil), http.StatusNoContent)
		expectStatus(t, bossC.Do(http.MethodPatch, "/api/v1/users/"+other.ID.String(), map[string]any{"disabled": true}), http.StatusOK)
		// Many rechecks later the boss's stream still delivers each change.
		updates := func() int {
			n := 0
			for _, e := range s.Events() {
				if e.Type == "log.appended" && strings.Contains(string(e.Data), `"user updated"`) {
					n++
				}
			}
			return n
		}
		start := time.Now()
		for i := 0; time.Since(start) < time.Second; i++ {
			before := updates()
			expectStatus(t, bossC.Do(http.MethodPatch, "/api/v1/users/"+boss.ID.String(), map[string]any{"name": fmt.Sprintf("Boss %d", i)}), http.StatusOK)
			s.WaitFor(10*time.Second, fmt.Sprintf("the audit line of change %d", i), func(sseEvent) bool { return updates() > before })
		}
	})
}
