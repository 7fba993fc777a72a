package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testkit"
)

type usageSeries struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days []struct {
		Date     string           `json:"date"`
		Total    int64            `json:"total"`
		ByRoute  map[string]int64 `json:"by_route"`
		ByStatus map[string]int64 `json:"by_status"`
	} `json:"days"`
	Totals struct {
		Total    int64            `json:"total"`
		ByRoute  map[string]int64 `json:"by_route"`
		ByStatus map[string]int64 `json:"by_status"`
	} `json:"totals"`
}

func getUsage(t *testing.T, c *apitest.Client, id, query string) usageSeries {
	t.Helper()
	var u usageSeries
	c.Get("/api/v1/api-keys/" + id + "/usage" + query).Expect(http.StatusOK).JSON(&u)
	return u
}

// TestAPIKeyUsage: after a known mix of requests the usage endpoint
// returns exactly those counts, by route template and status class, for
// today; and the key's last use (time and address) is recorded.
func TestAPIKeyUsage(t *testing.T) {
	t.Parallel()
	// The key's bucket runs on a clock that stands still: the 8th request
	// is refused however long a loaded machine takes to send the first 7
	// (at 7 a minute, real time refills one every 8.6 s).
	clock := testkit.NewClock(time.Now())
	w := newKeyWorld(t, apitest.WithApp(app.WithKeyClock(clock.Now)))
	k := createKey(t, w.userC, "counted", []authz.Scope{authz.ScopeDownloadsRead}, "rate_limit_per_minute", 7)
	other := createKey(t, w.userC, "not counted", []authz.Scope{authz.ScopeDownloadsRead})
	if k.LastUsedAt != nil || k.LastUsedIP != nil {
		t.Fatalf("a new key has been used: %+v", k)
	}
	key := w.env.WithAPIKey(k.Key)
	before := clock.Now().UTC().Add(-time.Second)

	mix := []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/system", 200},
		{"GET", "/api/v1/system", 200},
		{"GET", "/api/v1/system", 200},
		{"GET", "/api/v1/users", 403},                            // admin only
		{"GET", "/api/v1/users", 403},                            // admin only
		{"GET", "/api/v1/api-keys", 403},                         // browser session only
		{"DELETE", "/api/v1/api-keys/" + other.ID.String(), 403}, // counted under its template
		{"GET", "/api/v1/system", 429},                           // the 8th of 7 per minute
	}
	for _, m := range mix {
		key.Do(m.method, m.path, nil).Expect(m.status)
	}
	// Not counted for k: another key, a session, a dead key.
	w.env.WithAPIKey(other.Key).Get("/api/v1/system").Expect(200)
	w.userC.Get("/api/v1/system").Expect(200)
	w.env.WithAPIKey(badChecksum(k.Key)).Get("/api/v1/system").Expect(401)

	wantRoutes := map[string]int64{
		"GET /api/v1/system":           4,
		"GET /api/v1/users":            2,
		"GET /api/v1/api-keys":         1,
		"DELETE /api/v1/api-keys/{id}": 1,
	}
	wantStatus := map[string]int64{"2xx": 3, "3xx": 0, "4xx": 5, "5xx": 0}
	today := time.Now().UTC().Format(time.DateOnly)

	// Counts are taken after the response is written: give the last one a
	// moment, then require the exact numbers.
	var u usageSeries
	_ = testkit.Poll(3*time.Second, func() error { // the exact check follows
		if u = getUsage(t, w.userC, k.ID.String(), "?from="+today+"&to="+today); u.Totals.Total < int64(len(mix)) {
			return errors.New("not all counted yet")
		}
		return nil
	})
	if len(u.Days) != 1 || u.Days[0].Date != today || u.From != today || u.To != today {
		t.Fatalf("series for today only: %+v", u)
	}
	d := u.Days[0]
	if d.Total != int64(len(mix)) || !reflect.DeepEqual(d.ByRoute, wantRoutes) || !reflect.DeepEqual(d.ByStatus, wantStatus) {
		t.Fatalf("today: total %d, by_route %v, by_status %v; want %d, %v, %v",
			d.Total, d.ByRoute, d.ByStatus, len(mix), wantRoutes, wantStatus)
	}
	if u.Totals.Total != d.Total || !reflect.DeepEqual(u.Totals.ByRoute, wantRoutes) || !reflect.DeepEqual(u.Totals.ByStatus, wantStatus) {
		t.Fatalf("totals %+v disagree with the only day %+v", u.Totals, d)
	}

	// The default range is the 30 days up to today, every day present.
	def := getUsage(t, w.userC, k.ID.String(), "")
	if len(def.Days) != 30 || def.To != today || def.Days[29].Date != today || def.Days[29].Total != int64(len(mix)) {
		t.Fatalf("default range: from %s to %s, %d days", def.From, def.To, len(def.Days))
	}
	for _, day := range def.Days[:29] {
		if day.Total != 0 || day.ByStatus == nil || day.ByRoute == nil {
			t.Fatalf("an unused day: %+v", day)
		}
	}
	// The other key's one request is its own.
	if o := getUsage(t, w.userC, other.ID.String(), "?from="+today+"&to="+today); o.Totals.Total != 1 {
		t.Fatalf("other key: %+v", o.Totals)
	}

	// Last use: written off the request path, visible after a flush.
	w.env.App.APIKeys.Flush(context.Background())
	used := findKey(t, listKeys(t, w.userC, ""), k.ID)
	if used.LastUsedAt == nil || used.LastUsedAt.Before(before) || used.LastUsedAt.After(time.Now().UTC().Add(time.Second)) {
		t.Fatalf("last_used_at %v, want about now", used.LastUsedAt)
	}
	if used.LastUsedIP == nil || *used.LastUsedIP != "127.0.0.1" {
		t.Fatalf("last_used_ip %v", used.LastUsedIP)
	}
}

// TestAPIKeyLastUsedWithoutFlush: the background writer records a key's
// first use within a few seconds, with no help from the test.
func TestAPIKeyLastUsedWithoutFlush(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	k := createKey(t, w.userC, "background", []authz.Scope{authz.ScopeDownloadsRead})
	w.env.WithAPIKey(k.Key).Get("/api/v1/system").Expect(200)
	testkit.Eventually(t, 6*time.Second, func() error {
		if got := findKey(t, listKeys(t, w.userC, ""), k.ID); got.LastUsedAt == nil {
			return errors.New("last_used_at still empty")
		}
		return nil
	})
}

// TestAPIKeyUsageAccess: ranges are checked (400 naming the parameter);
// a user cannot read another user's key usage (404); an admin can.
func TestAPIKeyUsageAccess(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	mine := createKey(t, w.userC, "mine", []authz.Scope{authz.ScopeDownloadsRead})
	admins := createKey(t, w.adminC, "admin's", []authz.Scope{authz.ScopeAdminRead})
	path := "/api/v1/api-keys/" + mine.ID.String() + "/usage"
	tests := []struct {
		name, query string
		status      int
		field       string
	}{
		{"from after to", "?from=2026-11-14&to=2026-11-13", 400, ""},
		{"more than 366 days", "?from=2025-01-01&to=2026-11-14", 400, ""},
		{"from not a date", "?from=yesterday", 400, "from"},
		{"to not a date", "?to=2026-13-40", 400, "to"},
		{"exactly 366 days", "?from=2025-11-13&to=2026-11-14", 200, ""},
		{"one day", "?from=2026-11-14&to=2026-11-14", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.userC.Get(path + tt.query)
			if tt.status == 200 {
				r.Expect(200)
				return
			}
			p := expectProblem(t, r, tt.status)
			if tt.field != "" {
				errs, _ := p["errors"].([]any)
				if len(errs) != 1 || errs[0].(map[string]any)["field"] != tt.field {
					t.Fatalf("errors %v, want one on %q", p["errors"], tt.field)
				}
			}
		})
	}
	expectProblem(t, w.userC.Get("/api/v1/api-keys/"+admins.ID.String()+"/usage"), http.StatusNotFound)
	expectProblem(t, w.userC.Get("/api/v1/api-keys/not-a-uuid/usage"), http.StatusNotFound)
	w.adminC.Get(path).Expect(http.StatusOK)
}
