package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestClientGoneIsA499AtInfo: a client that disconnects before its answer
// is ready is one INFO request line with status 499 — not a 500, a
// "request failed" ERROR and a database ERROR for the canceled query.
func TestClientGoneIsA499AtInfo(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	_, cookie := signIn(t, env, newAccount(t, env, authz.RoleUser))

	// The browser has gone: the request's context is canceled before the
	// session lookup and the list query run.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/downloads?client_gone=1", nil)
	req.AddCookie(cookie)
	req.RemoteAddr = "127.0.0.1:40000"
	rec := httptest.NewRecorder()
	env.App.HTTP.Handler().ServeHTTP(rec, req)
	if rec.Code != 499 {
		t.Fatalf("status %d, want 499", rec.Code)
	}

	var requestLine map[string]any
	for _, l := range logLines(t, env, func(m map[string]any) bool { return true }) {
		if l["level"] == "ERROR" {
			t.Errorf("ERROR logged for a client that went away: %v", l)
		}
		if l["msg"] == "request" && l["path"] == "/api/v1/downloads" && l["status"] == float64(499) {
			requestLine = l
		}
	}
	if requestLine == nil {
		t.Fatalf("no 499 request line in:\n%s", env.Logs())
	}
	if requestLine["level"] != "INFO" {
		t.Fatalf("499 logged at %v, want INFO", requestLine["level"])
	}
}
