package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testkit"
)

// logEntry is a LogEntry of GET /logs.
type logEntry struct {
	ID         uuid.UUID      `json:"id"`
	Time       time.Time      `json:"time"`
	Level      string         `json:"level"`
	Source     string         `json:"source"`
	Message    string         `json:"message"`
	Attrs      map[string]any `json:"attrs"`
	RequestID  *string        `json:"request_id"`
	UserID     *uuid.UUID     `json:"user_id"`
	DownloadID *uuid.UUID     `json:"download_id"`
	ActorID    *uuid.UUID     `json:"actor_id"`
	IP         *string        `json:"ip"`
	Target     *string        `json:"target"`
	Action     *string        `json:"action"`
	Audit      bool           `json:"audit"`
}

type logPage struct {
	Items      []logEntry `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

// listLogs is GET /logs?query, expecting 200.
func listLogs(t *testing.T, c *apitest.Client, query url.Values) logPage {
	t.Helper()
	var p logPage
	expectStatus(t, c.Get("/api/v1/logs?"+query.Encode()), http.StatusOK).JSON(&p)
	return p
}

// waitLogs polls GET /logs until keep accepts the page (records are
// stored in batches, every half second at most).
func waitLogs(t *testing.T, c *apitest.Client, query url.Values, keep func(logPage) bool) logPage {
	t.Helper()
	var p logPage
	testkit.Eventually(t, 10*time.Second, func() error {
		if p = listLogs(t, c, query); !keep(p) {
			return fmt.Errorf("GET /logs?%s never showed what the test waits for; last page: %+v", query.Encode(), p.Items)
		}
		return nil
	})
	return p
}

func findLog(p logPage, f func(logEntry) bool) *logEntry {
	for i := range p.Items {
		if f(p.Items[i]) {
			return &p.Items[i]
		}
	}
	return nil
}

func TestRequestProducesALogRowWithItsRequestID(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := newAccount(t, env, authz.RoleAdmin)
	c, _ := signIn(t, env, admin)
	r := expectStatus(t, c.Get("/api/v1/downloads"), http.StatusOK)
	reqID := r.Header.Get("X-Request-Id")
	if reqID == "" {
		t.Fatal("no X-Request-Id on the response")
	}
	p := waitLogs(t, c, url.Values{"request_id": {reqID}}, func(p logPage) bool { return len(p.Items) > 0 })
	e := findLog(p, func(e logEntry) bool { return e.Message == "request" })
	if e == nil {
		t.Fatalf("no request line among %+v", p.Items)
	}
	if e.Source != "http" || e.Level != "info" || e.Audit || e.RequestID == nil || *e.RequestID != reqID ||
		e.UserID == nil || *e.UserID != admin.ID || e.IP == nil || e.Attrs["route"] != "/api/v1/downloads" ||
		e.Attrs["status"] != float64(200) {
		t.Fatalf("request line %+v", e)
	}
}

func TestAuditTrailRecordsActorTargetAndIP(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := newAccount(t, env, authz.RoleAdmin)
	c, _ := signIn(t, env, admin)
	env.Client().Post("/api/v1/auth/login", map[string]string{"email": admin.Email, "password": "not the password"})
	key := createKey(t, c, "audited", []authz.Scope{authz.ScopeDownloadsRead})
	expectStatus(t, c.Do(http.MethodDelete, "/api/v1/api-keys/"+key.ID.String(), nil), http.StatusNoContent)

	p := waitLogs(t, c, url.Values{"audit": {"true"}}, func(p logPage) bool {
		return findLog(p, func(e logEntry) bool { return e.Message == "api key revoked" }) != nil
	})
	for _, e := range p.Items {
		if !e.Audit || e.Source != "audit" || e.Action == nil {
			t.Fatalf("audit=true returned %+v", e)
		}
	}
	tests := []struct {
		message string
		actor   *uuid.UUID
		target  string
		level   string
		ip      bool // the services that log without the request's context cannot tell it yet
	}{
		{"login", &admin.ID, "", "info", true},
		{"login failed", nil, "", "warn", true},
		{"api key created", &admin.ID, key.ID.String(), "info", false},
		{"api key revoked", &admin.ID, key.ID.String(), "info", false},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			e := findLog(p, func(e logEntry) bool { return e.Message == tt.message })
			if e == nil {
				t.Fatalf("no %q entry in %+v", tt.message, p.Items)
			}
			if e.Level != tt.level || (tt.ip && (e.IP == nil || *e.IP == "")) {
				t.Fatalf("entry %+v", e)
			}
			if (tt.actor == nil) != (e.ActorID == nil) || (tt.actor != nil && *e.ActorID != *tt.actor) {
				t.Fatalf("actor %v, want %v", e.ActorID, tt.actor)
			}
			if tt.target != "" && (e.Target == nil || !strings.Contains(*e.Target, tt.target)) {
				t.Fatalf("target %v, want %s", e.Target, tt.target)
			}
		})
	}
	// The admin's own trail: as the actor, whatever the record's subject.
	mine := listLogs(t, c, url.Values{"user_id": {admin.ID.String()}, "audit": {"true"}})
	if findLog(mine, func(e logEntry) bool { return e.Message == "api key created" }) == nil {
		t.Fatalf("user_id filter lost the admin's own key creation: %+v", mine.Items)
	}
}

func TestLogFiltersAndPagesOverHTTP(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := newAccount(t, env, authz.RoleAdmin)
	c, _ := signIn(t, env, admin)
	for range 3 {
		env.Client().Post("/api/v1/auth/login", map[string]string{"email": admin.Email, "password": "wrong password!"})
	}
	waitLogs(t, c, url.Values{"q": {"login failed"}}, func(p logPage) bool { return len(p.Items) >= 3 })

	t.Run("level", func(t *testing.T) {
		for _, e := range listLogs(t, c, url.Values{"level": {"warn"}, "limit": {"200"}}).Items {
			if e.Level != "warn" && e.Level != "error" {
				t.Fatalf("level=warn returned %+v", e)
			}
		}
	})
	t.Run("sources as a list and repeated", func(t *testing.T) {
		for _, q := range []url.Values{{"source": {"audit,system"}}, {"source": {"audit", "system"}}} {
			p := listLogs(t, c, q)
			if len(p.Items) == 0 {
				t.Fatalf("%v: nothing", q)
			}
			for _, e := range p.Items {
				if e.Source != "audit" && e.Source != "system" {
					t.Fatalf("%v returned %+v", q, e)
				}
			}
		}
	})
	t.Run("time range", func(t *testing.T) {
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if p := listLogs(t, c, url.Values{"from": {future}}); len(p.Items) != 0 {
			t.Fatalf("records from the future: %+v", p.Items)
		}
		if p := listLogs(t, c, url.Values{"to": {future}}); len(p.Items) == 0 {
			t.Fatal("nothing before the future")
		}
	})
	t.Run("pages", func(t *testing.T) {
		q := url.Values{"q": {"login failed"}, "limit": {"2"}}
		first := listLogs(t, c, q)
		if len(first.Items) != 2 || first.NextCursor == nil {
			t.Fatalf("first page %+v", first)
		}
		q.Set("cursor", *first.NextCursor)
		second := listLogs(t, c, q)
		if len(second.Items) == 0 || second.Items[0].ID == first.Items[1].ID || second.Items[0].Time.After(first.Items[1].Time) {
			t.Fatalf("second page %+v after %+v", second.Items, first.Items)
		}
	})
	t.Run("hide_routine leaves out request lines but keeps the rest", func(t *testing.T) {
		all := waitLogs(t, c, url.Values{"limit": {"200"}}, func(p logPage) bool {
			for _, e := range p.Items {
				if e.Source == "http" && e.Level == "info" {
					return true
				}
			}
			return false
		})
		quiet := listLogs(t, c, url.Values{"hide_routine": {"true"}, "limit": {"200"}})
		if len(quiet.Items) == 0 || len(quiet.Items) >= len(all.Items) {
			t.Fatalf("hide_routine kept %d of %d records", len(quiet.Items), len(all.Items))
		}
		for _, e := range quiet.Items {
			if (e.Source == "http" || e.Source == "queue") && (e.Level == "info" || e.Level == "debug") {
				t.Fatalf("hide_routine returned %+v", e)
			}
		}
		var audit bool
		for _, e := range quiet.Items {
			audit = audit || e.Source == "audit"
		}
		if !audit {
			t.Fatal("hide_routine also hid the audit trail")
		}
	})
	bad := []url.Values{
		{"level": {"loud"}}, {"source": {"nope"}}, {"from": {"yesterday"}}, {"user_id": {"x"}},
		{"audit": {"maybe"}}, {"hide_routine": {"sometimes"}}, {"limit": {"0"}}, {"cursor": {"garbage"}},
	}
	for _, q := range bad {
		t.Run("refuses "+q.Encode(), func(t *testing.T) {
			expectProblem(t, c.Get("/api/v1/logs?"+q.Encode()), http.StatusBadRequest)
		})
	}
	t.Run("users may not read logs", func(t *testing.T) {
		uc, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
		expectProblem(t, uc.Get("/api/v1/logs"), http.StatusForbidden)
	})
}

func TestLogTailOverEvents(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := newAccount(t, env, authz.RoleAdmin)
	c, _ := signIn(t, env, admin)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.URL+"/api/v1/events?scope=all&types=log.appended", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Jar: c.Jar()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("event stream: %d", resp.StatusCode)
	}
	marker := "tail-" + uuid.NewString()[:8] + "@example.com"
	env.Client().Post("/api/v1/auth/login", map[string]string{"email": marker, "password": "whatever123"})

	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = v
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || event != "log.appended" || !strings.Contains(data, marker) {
			continue
		}
		var e logEntry
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			t.Fatalf("log.appended data %s: %v", data, err)
		}
		if !e.Audit || e.Message != "login failed" || e.ID == uuid.Nil {
			t.Fatalf("tail entry %+v", e)
		}
		return
	}
	t.Fatalf("no log.appended event for the failed login (%v)", sc.Err())
}

// TestNoSecretLeaksInTheAccountJourney walks through the secrets an
// account touches (setup token, passwords, session cookies, an API key)
// and checks none is printed or stored (the setup token is printed, for
// the admin, but never stored). Every apitest server runs the same check
// when it stops; this test makes sure the journey is there to check.
func TestNoSecretLeaksInTheAccountJourney(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	tok := setupToken(t, env)
	c := env.Client()
	const email = "first-admin@example.com"
	password := "first admin pass " + uuid.NewString()[:8]
	expectStatus(t, c.Post("/api/v1/auth/setup", map[string]string{"token": tok, "email": email, "name": "First", "password": password}), http.StatusCreated)
	expectStatus(t, c.Post("/api/v1/auth/logout", nil), http.StatusNoContent)
	c = env.Client()
	expectStatus(t, c.Post("/api/v1/auth/login", map[string]string{"email": email, "password": password}), http.StatusOK)

	key := createKey(t, c, "journey", []authz.Scope{authz.ScopeDownloadsRead})
	expectStatus(t, env.WithAPIKey(key.Key).Get("/api/v1/downloads"), http.StatusOK)
	expectStatus(t, env.Client().Header("X-API-Key", key.Key).Get("/api/v1/downloads"), http.StatusOK)
	typo := key.Key[:len(key.Key)-1] + map[bool]string{true: "y", false: "x"}[strings.HasSuffix(key.Key, "x")]
	expectStatus(t, env.WithAPIKey(typo).Get("/api/v1/downloads"), http.StatusUnauthorized)

	newPassword := "second admin pass " + uuid.NewString()[:8]
	expectStatus(t, c.Do(http.MethodPatch, "/api/v1/auth/me", map[string]string{"current_password": password, "new_password": newPassword}), http.StatusOK)
	env.Client().Post("/api/v1/auth/login", map[string]string{"email": email, "password": password}) // the old one fails now
	c2 := env.Client()
	expectStatus(t, c2.Post("/api/v1/auth/login", map[string]string{"email": email, "password": newPassword}), http.StatusOK)
	expectStatus(t, c2.Do(http.MethodDelete, "/api/v1/api-keys/"+key.ID.String(), nil), http.StatusNoContent)
	waitLogs(t, c2, url.Values{"audit": {"true"}, "q": {"api key revoked"}}, func(p logPage) bool { return len(p.Items) > 0 })

	env.Stop() // stores the last records
	if !strings.Contains(env.Logs(), tok) {
		t.Fatal("the setup token is no longer printed for the admin")
	}
	if leaks := env.SecretLeaks(); len(leaks) > 0 {
		t.Fatalf("secrets leaked:\n%s", strings.Join(leaks, "\n"))
	}
}
