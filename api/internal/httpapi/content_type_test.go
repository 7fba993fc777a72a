package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestJSONBodiesNeedTheirContentType: a JSON body sent without a
// Content-Type, or as another type, is a 415 that says what to send, and
// nothing is created; application/json (and +json types) work.
func TestJSONBodiesNeedTheirContentType(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, localMedia(), noWorkers())
	user := newAccount(t, env, authz.RoleUser)
	c, _ := signIn(t, env, user)
	body := `{"url":"http://127.0.0.1:9/a.mp4"}`
	for _, tt := range []struct {
		contentType string
		want        int
		detail      string
	}{
		{"", http.StatusUnsupportedMediaType, "no Content-Type"},
		{"text/plain", http.StatusUnsupportedMediaType, `sent as "text/plain"`},
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, `sent as "application/x-www-form-urlencoded"`},
		{"not a type", http.StatusUnsupportedMediaType, `sent as "not a type"`},
	} {
		r := c.Do(http.MethodPost, "/api/v1/downloads", body, "Content-Type", tt.contentType)
		p := expectProblem(t, r, tt.want)
		if d, _ := p["detail"].(string); p["type"] != "https://downlink.dev/problems/unsupported-media-type" ||
			!strings.Contains(d, tt.detail) || !strings.Contains(d, "application/json") {
			t.Errorf("Content-Type %q: %v", tt.contentType, p)
		}
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	expectStatus(t, c.Get("/api/v1/downloads"), http.StatusOK).JSON(&page)
	if len(page.Items) != 0 {
		t.Fatalf("refused requests created %d downloads", len(page.Items))
	}
	expectStatus(t, c.Do(http.MethodPost, "/api/v1/downloads", body, "Content-Type", "application/json; charset=utf-8"), http.StatusAccepted)
}
