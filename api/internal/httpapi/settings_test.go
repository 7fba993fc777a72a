package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/settings"
)

func adminClient(t *testing.T, env *apitest.Env) *apitest.Client {
	t.Helper()
	c, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	return c
}

func TestGlobalSettingsRoundTripAndApplyWithoutRestart(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) { c.GenericSites = true; c.AllowPrivateNetworks = true }))
	admin := adminClient(t, env)
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	if g["generic_sites_enabled"] != true || g["allow_private_networks"] != true {
		t.Fatalf("first-start settings do not follow the configuration: %v", g)
	}
	// Off with generic sites: a generic URL is refused at once, no restart.
	g["generic_sites_enabled"] = false
	g["retention_days"] = 14
	var out map[string]any
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK).JSON(&out)
	if out["generic_sites_enabled"] != false || out["retention_days"] != float64(14) {
		t.Fatalf("PUT answered %v", out)
	}
	p := expectProblem(t, admin.Post("/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:1/video.mp4"}), http.StatusUnprocessableEntity)
	if !strings.Contains(p["detail"].(string), "switched off") {
		t.Fatalf("refusal says %v", p)
	}
	var plats struct {
		Items []map[string]any `json:"items"`
	}
	admin.Get("/api/v1/settings/platforms").Expect(http.StatusOK).JSON(&plats)
	if len(plats.Items) != 4 || plats.Items[3]["platform"] != "generic" || plats.Items[3]["enabled"] != false {
		t.Fatalf("generic platform does not share the switch: %v", plats.Items)
	}
	// A huge free-disk minimum refuses new downloads with 507.
	g["generic_sites_enabled"] = true
	g["min_free_disk_bytes"] = int64(1) << 60
	admin.Do(http.MethodPut, "/api/v1/settings", g).Expect(http.StatusOK)
	p = expectProblem(t, admin.Post("/api/v1/downloads", map[string]any{"url": "http://127.0.0.1:1/video.mp4"}), http.StatusInsufficientStorage)
	if _, ok := p["threshold_bytes"]; !ok {
		t.Fatalf("507 lacks threshold_bytes: %v", p)
	}
	if n := countRows(t, env, "downloads", ""); n != 0 {
		t.Fatalf("%d downloads were created by refused requests", n)
	}
	// The changes are in the audit trail.
	audits := logLines(t, env, func(m map[string]any) bool { return m["action"] == "settings.updated" })
	if len(audits) != 2 {
		t.Fatalf("%d settings audit records, want one per change (2)", len(audits))
	}
	if ch, _ := audits[0]["changes"].(map[string]any); ch["retention_days"] != float64(14) {
		t.Fatalf("the audit record does not say what changed: %v", audits[0])
	}
}

func TestGlobalSettingsValidation(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	var g map[string]any
	admin.Get("/api/v1/settings").Expect(http.StatusOK).JSON(&g)
	before := string(admin.Get("/api/v1/settings").Body)
	g["default_concurrency"] = 500
	g["session_idle_timeout_seconds"] = 10
	p := expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings", g), http.StatusUnprocessableEntity)
	fields := fieldsOf(p)
	for _, f := range []string{"default_concurrency", "session_idle_timeout_seconds"} {
		if !fields[f] {
			t.Errorf("422 does not name %s: %v", f, p)
		}
	}
	delete(g, "log_retention_days")
	expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings", map[string]any{"nope": 1}), http.StatusUnprocessableEntity)
	if after := string(admin.Get("/api/v1/settings").Body); after != before {
		t.Fatalf("refused changes were applied:\n%s\n%s", before, after)
	}
	user, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	expectProblem(t, user.Get("/api/v1/settings"), http.StatusForbidden)
}

// effective is a platform's settings as the download engine gets them.
func effective(t *testing.T, env *apitest.Env, platform string) settings.Effective {
	t.Helper()
	e, err := env.App.Settings.Effective(context.Background(), platform)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func fieldsOf(p map[string]any) map[string]bool {
	out := map[string]bool{}
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			out[m["field"].(string)] = true
		}
	}
	return out
}

func platformBody(extra map[string]any) map[string]any {
	b := map[string]any{"enabled": true, "default_preset": "best", "audio_format": "mp3", "max_concurrent": 2,
		"rate_limit_bytes_per_second": nil, "sleep_between_requests_seconds": 0, "proxy": nil, "options": map[string]any{}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestPlatformCookiesAreValidatedAndStoredEncrypted(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	secret := "cookie-secret-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	exp := time.Now().Add(3 * 24 * time.Hour).Unix()
	cookies := "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t" + strconv.FormatInt(exp, 10) + "\tSID\t" + secret + "\n"

	// A malformed file is a 422 naming the line, and changes nothing.
	bad := "# Netscape HTTP Cookie File\n.youtube.com\tTRUE\t/\tTRUE\t0\tSID\n"
	p := expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings/platforms/youtube", platformBody(map[string]any{"cookies": bad})), http.StatusUnprocessableEntity)
	if errs := p["errors"].([]any); !strings.Contains(errs[0].(map[string]any)["message"].(string), "line 2") {
		t.Fatalf("422 does not name the line: %v", p)
	}

	var got map[string]any
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/youtube", platformBody(map[string]any{
		"cookies": cookies, "proxy": "http://corp:hunter2pw@127.0.0.1:3128", "max_concurrent": 3,
		"options": map[string]any{"youtube": map[string]any{"subtitle_languages": []string{"en"}, "sponsorblock_categories": []string{"sponsor"}, "auto_captions": true}},
	})).Expect(http.StatusOK).JSON(&got)
	if got["cookies_set"] != true || got["cookies_warning"] == nil || got["cookies_expire_at"] == nil {
		t.Fatalf("cookies state = %v", got)
	}
	if got["proxy"] != "http://corp:%2A%2A%2A%2A%2A%2A%2A%2A@127.0.0.1:3128" && got["proxy"] != "http://corp:********@127.0.0.1:3128" {
		t.Fatalf("proxy shown as %v, want the password masked", got["proxy"])
	}
	if strings.Contains(string(admin.Get("/api/v1/settings/platforms").Body), secret) {
		t.Fatal("the cookies come back in the API")
	}
	// The plaintext is nowhere in the database.
	var values []string
	env.App.Store.DB.Table("settings").Pluck("value", &values)
	for _, v := range values {
		if strings.Contains(v, secret) || strings.Contains(v, "hunter2pw") {
			t.Fatalf("a secret is stored in plaintext: %s", v)
		}
	}
	if env.App.Store.Kind == config.SQLite {
		env.App.Store.DB.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		raw, err := os.ReadFile(filepath.Join(env.Cfg.DataDir, "downlink.db"))
		if err == nil && bytes.Contains(raw, []byte(secret)) {
			t.Fatal("the database file holds the cookie in plaintext")
		}
	}
	// Downloads see them: the policy hands the cookies and the proxy to jobs
	// of this platform only.
	yt := effective(t, env, "youtube")
	if !strings.Contains(string(yt.Cookies), secret) || yt.Proxy == nil || yt.MaxConcurrent != 3 {
		t.Fatalf("youtube policy = cookies %d bytes, proxy %v, max %d", len(yt.Cookies), yt.Proxy, yt.MaxConcurrent)
	}
	if ig := effective(t, env, "instagram"); len(ig.Cookies) != 0 || ig.Proxy != nil {
		t.Fatal("instagram gets youtube's cookies or proxy")
	}
	// Keeping the masked password keeps the stored one; "" clears cookies.
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/youtube", platformBody(map[string]any{
		"cookies": "", "proxy": "http://corp:********@127.0.0.1:3128"})).Expect(http.StatusOK).JSON(&got)
	if got["cookies_set"] != false {
		t.Fatalf("cookies not cleared: %v", got)
	}
	if yt := effective(t, env, "youtube"); yt.Proxy == nil {
		t.Fatal("proxy lost")
	} else if pw, _ := yt.Proxy.User.Password(); pw != "hunter2pw" {
		t.Fatalf("masked password replaced the stored one: %q", pw)
	}
	// Options of another platform and unknown platforms are refused.
	expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings/platforms/instagram", platformBody(map[string]any{
		"options": map[string]any{"youtube": map[string]any{}}})), http.StatusUnprocessableEntity)
	expectProblem(t, admin.Do(http.MethodPut, "/api/v1/settings/platforms/myspace", platformBody(nil)), http.StatusNotFound)
}

func TestDisabledPlatformRefusesDownloads(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	admin.Do(http.MethodPut, "/api/v1/settings/platforms/instagram", platformBody(map[string]any{"enabled": false})).Expect(http.StatusOK)
	p := expectProblem(t, admin.Post("/api/v1/downloads", map[string]any{"url": "https://www.instagram.com/p/C0ffee12345/"}), http.StatusUnprocessableEntity)
	if !strings.Contains(p["title"].(string), "Platform disabled") {
		t.Fatalf("refusal = %v", p)
	}
	var me map[string]any
	admin.Get("/api/v1/auth/me").Expect(http.StatusOK).JSON(&me)
	enabled := me["features"].(map[string]any)["enabled_platforms"].([]any)
	for _, p := range enabled {
		if p == "instagram" {
			t.Fatalf("instagram still listed as enabled: %v", enabled)
		}
	}
	// The platform list the dashboard detects and names platforms with says
	// the same, beside each platform's hosts.
	var list struct {
		Items []struct {
			Name    string   `json:"name"`
			Label   string   `json:"label"`
			Hosts   []string `json:"hosts"`
			Schemes []string `json:"schemes"`
			Enabled bool     `json:"enabled"`
		} `json:"items"`
	}
	user, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	user.Get("/api/v1/platforms").Expect(http.StatusOK).JSON(&list)
	var names []string
	for _, p := range list.Items {
		names = append(names, p.Name)
		switch p.Name {
		case "instagram":
			if p.Enabled || !slices.Contains(p.Hosts, "www.instagram.com") || p.Label != "Instagram" {
				t.Errorf("instagram = %+v", p)
			}
		case "youtube":
			if !p.Enabled || !slices.Contains(p.Hosts, "youtu.be") {
				t.Errorf("youtube = %+v", p)
			}
		case "spotify":
			if !slices.Contains(p.Schemes, "spotify") {
				t.Errorf("spotify = %+v", p)
			}
		case "generic":
			if p.Enabled || len(p.Hosts) != 0 {
				t.Errorf("generic = %+v", p)
			}
		}
	}
	if !slices.Equal(names, platforms.Names()) {
		t.Errorf("platforms listed %v, want the registry's %v", names, platforms.Names())
	}
}
