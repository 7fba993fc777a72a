package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// TestRefusalsNameTheFix: a download refused by a setting says, in words
// and in the problem's "fix" member, which setting an administrator
// changes, and where; the UI's name ("Other sites"), not the API's enum.
func TestRefusalsNameTheFix(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) { c.GenericSites = false; c.AllowPrivateNetworks = false }))
	c, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	admin := adminClient(t, env)

	tests := []struct {
		name    string
		url     string
		setting string
		href    string
		says    []string
		never   string
	}{
		{"other sites off", "https://media.example.org/clip.mp4", "generic_sites_enabled", "/settings?tab=general",
			[]string{`"Other sites"`, "Settings → General"}, "generic"},
		{"a loopback name", "http://localhost:8080/clip.mp4", "allow_private_networks", "/settings?tab=general",
			[]string{`"Private networks"`, "Settings → General"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setting == "allow_private_networks" {
				// Other sites on, so the address is what refuses.
				var g map[string]any
				admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
				g["generic_sites_enabled"] = true
				admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)
			}
			p := expectProblem(t, c.Post("/api/v1/downloads", map[string]any{"url": tt.url}), http.StatusUnprocessableEntity)
			detail, _ := p["detail"].(string)
			fields, _ := p["errors"].([]any)
			text := detail
			for _, f := range fields {
				text += " " + f.(map[string]any)["message"].(string)
			}
			for _, s := range tt.says {
				if !strings.Contains(text, s) {
					t.Errorf("refusal %q does not say %s", text, s)
				}
			}
			if tt.never != "" && strings.Contains(text, tt.never) {
				t.Errorf("refusal %q uses the API's enum %q", text, tt.never)
			}
			fix, _ := p["fix"].(map[string]any)
			if fix["setting"] != tt.setting || fix["href"] != tt.href || fix["label"] == "" {
				t.Errorf("fix %v, want setting %s at %s", p["fix"], tt.setting, tt.href)
			}
		})
	}
}
