package httpapi_test

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// hookNet names hooks.example.com with a public address and routes that
// address's port to a local listener (if any), so webhooks can be created
// and delivered with the SSRF guard on.
func hookNet(t *testing.T, local string) *fakeNet {
	public := netip.MustParseAddr("93.184.215.14")
	fn := &fakeNet{names: map[string]netip.Addr{"hooks.example.com": public}, routes: map[string]string{}}
	if local != "" {
		_, port, _ := net.SplitHostPort(local)
		fn.routes[netip.AddrPortFrom(public, mustPort(t, port)).String()] = local
	}
	return fn
}

func allowPrivate() apitest.Option {
	return apitest.WithConfig(func(c *config.Config) { c.AllowPrivateNetworks = true })
}

var hookEvents = []string{"download.completed", "download.failed", "download.canceled"}

func TestWebhookRequestsAreValidated(t *testing.T) {
	t.Parallel()
	fn := hookNet(t, "")
	w := newWebhookWorld(t, guardOn(), apitest.WithApp(app.WithNetwork(fn, fn)))
	ok := "https://hooks.example.com/downlink"
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed", `{"url":`, 400, ""},
		{"empty", map[string]any{}, 422, "url"},
		{"no events", map[string]any{"url": ok}, 422, "events"},
		{"empty events", map[string]any{"url": ok, "events": []string{}}, 422, "events"},
		{"unknown event", map[string]any{"url": ok, "events": []string{"download.created"}}, 422, "events"},
		{"test event", map[string]any{"url": ok, "events": []string{"webhook.test"}}, 422, "events"},
		{"null url", map[string]any{"url": nil, "events": hookEvents}, 422, "url"},
		{"null enabled", map[string]any{"url": ok, "events": hookEvents, "enabled": nil}, 422, "enabled"},
		{"a secret of one's own", map[string]any{"url": ok, "events": hookEvents, "secret": "whsec_AAAA"}, 422, "secret"},
		{"ftp", map[string]any{"url": "ftp://hooks.example.com/x", "events": hookEvents}, 422, "url"},
		{"credentials", map[string]any{"url": "https://u:p@hooks.example.com/x", "events": hookEvents}, 422, "url"},
		{"loopback", map[string]any{"url": "http://127.0.0.1:8080/hook", "events": hookEvents}, 422, "url"},
		{"private", map[string]any{"url": "http://10.0.0.7/hook", "events": hookEvents}, 422, "url"},
		{"metadata", map[string]any{"url": "http://169.254.169.254/latest", "events": hookEvents}, 422, "url"},
		{"no such host", map[string]any{"url": "https://nowhere.example.com/x", "events": hookEvents}, 422, "url"},
		{"filter without platform", map[string]any{"url": ok, "events": hookEvents, "filter": map[string]any{"user_id": nil}}, 422, "filter.platform"},
		{"filter with more", map[string]any{"url": ok, "events": hookEvents, "filter": map[string]any{"user_id": nil, "platform": nil, "kind": "video"}}, 422, "filter.kind"},
		{"filter platform", map[string]any{"url": ok, "events": hookEvents, "filter": map[string]any{"user_id": nil, "platform": "vimeo"}}, 422, "filter.platform"},
		{"filter user id", map[string]any{"url": ok, "events": hookEvents, "filter": map[string]any{"user_id": "bob", "platform": nil}}, 422, "filter.user_id"},
		{"filter unknown user", map[string]any{"url": ok, "events": hookEvents, "filter": map[string]any{"user_id": uuid.NewString(), "platform": nil}}, 422, "filter.user_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := expectProblem(t, w.c.Post("/api/v1/webhooks", c.body), c.status)
			if c.field != "" && !hasFieldError(p, c.field) {
				t.Fatalf("no error on %q: %v", c.field, p)
			}
		})
	}
	if n := countRows(t, w.env, "webhooks", ""); n != 0 {
		t.Fatalf("%d webhooks stored from refused requests", n)
	}
}

// hasFieldError reports whether a problem names field in errors[].
func hasFieldError(p map[string]any, field string) bool {
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["field"] == field {
			return true
		}
	}
	return false
}

func TestWebhookLifecycleIsAuditedAndKeepsTheSecretSecret(t *testing.T) {
	t.Parallel()
	fn := hookNet(t, "")
	w := newWebhookWorld(t, guardOn(), apitest.WithApp(app.WithNetwork(fn, fn)))
	url := "https://hooks.example.com/downlink?token=receiver-token-123"
	created := createWebhook(t, w.c, map[string]any{"url": url, "description": "media server",
		"events": []string{"download.completed"}, "filter": map[string]any{"user_id": w.admin.ID, "platform": "youtube"},
		"enabled": false})
	if !regexp.MustCompile(`^whsec_[A-Za-z0-9+/]{43}=$`).MatchString(created.Secret) {
		t.Fatalf("secret %q is not whsec_ and base64 of 32 bytes", created.Secret)
	}
	if created.Enabled || created.Description != "media server" || *created.Filter.UserID != w.admin.ID ||
		*created.Filter.Platform != "youtube" || created.LastDelivery != nil {
		t.Fatalf("created = %+v", created)
	}
	id := created.ID.String()

	// Read back: never the secret.
	list := expectStatus(t, w.c.Get("/api/v1/webhooks"), http.StatusOK)
	if !list.Contains(id) || list.Contains("secret") || list.Contains(created.Secret[6:]) {
		t.Fatalf("list: %s", list.Body)
	}
	upd := expectStatus(t, w.c.Do(http.MethodPatch, "/api/v1/webhooks/"+id, map[string]any{"enabled": true,
		"events": hookEvents, "filter": map[string]any{"user_id": nil, "platform": nil}}), http.StatusOK)
	var u apiWebhook
	upd.JSON(&u)
	if !u.Enabled || len(u.Events) != 3 || u.Filter.UserID != nil || u.Filter.Platform != nil || u.URL != url ||
		u.Description != "media server" || upd.Contains("secret") {
		t.Fatalf("updated: %s", upd.Body)
	}
	// Stored sealed: neither spelling of the secret is in the table.
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(created.Secret, "whsec_"))
	for _, s := range []string{created.Secret[6:], base64.RawStdEncoding.EncodeToString(raw), "whsec_"} {
		if n := countRows(t, w.env, "webhooks", "secret LIKE ?", "%"+s+"%"); n != 0 {
			t.Fatalf("the webhooks table holds the secret as %q", s)
		}
	}

	// Refusals on an existing webhook.
	expectProblem(t, w.c.Do(http.MethodPatch, "/api/v1/webhooks/"+id, map[string]any{}), 422)
	p := expectProblem(t, w.c.Do(http.MethodPatch, "/api/v1/webhooks/"+id, map[string]any{"url": "http://192.168.0.2/x"}), 422)
	if !hasFieldError(p, "url") {
		t.Fatalf("private URL on update: %v", p)
	}
	expectProblem(t, w.c.Get("/api/v1/webhooks/"+id+"/deliveries?status=lost"), 400)
	expectProblem(t, w.c.Get("/api/v1/webhooks/"+id+"/deliveries?limit=0"), 400)
	expectProblem(t, w.c.Get("/api/v1/webhooks/"+id+"/deliveries?cursor=nonsense"), 400)
	missing := uuid.NewString()
	expectProblem(t, w.c.Do(http.MethodPatch, "/api/v1/webhooks/"+missing, map[string]any{"enabled": true}), 404)
	expectProblem(t, w.c.Get("/api/v1/webhooks/"+missing+"/deliveries"), 404)
	expectProblem(t, w.c.Post("/api/v1/webhooks/"+missing+"/test", nil), 404)
	expectProblem(t, w.c.Do(http.MethodDelete, "/api/v1/webhooks/not-an-id", nil), 404)

	// Users are not admins.
	user := newAccount(t, w.env, authz.RoleUser)
	uc, _ := signIn(t, w.env, user)
	expectProblem(t, uc.Get("/api/v1/webhooks"), 403)

	expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/webhooks/"+id, nil), http.StatusNoContent)
	expectProblem(t, w.c.Do(http.MethodDelete, "/api/v1/webhooks/"+id, nil), 404)
	if list := expectStatus(t, w.c.Get("/api/v1/webhooks"), http.StatusOK); list.Contains(id) {
		t.Fatalf("deleted webhook still listed: %s", list.Body)
	}

	// The audit trail: who did what to which webhook, without the URL's token.
	want := []string{"webhook.created", "webhook.updated", "webhook.deleted"}
	recs := logLines(t, w.env, func(m map[string]any) bool {
		a, _ := m["action"].(string)
		return m["source"] == "audit" && strings.HasPrefix(a, "webhook.")
	})
	if len(recs) != len(want) {
		t.Fatalf("audit records: %v", recs)
	}
	for i, r := range recs {
		if r["action"] != want[i] || r["audit"] != true || r["actor_id"] != w.admin.ID.String() ||
			r["target"] != "webhook:"+id || r["url_host"] != "https://hooks.example.com" || r["ip"] == nil {
			t.Errorf("audit record %d: %v", i, r)
		}
	}
	logs := w.env.Logs()
	for _, s := range []string{created.Secret, created.Secret[6:], "receiver-token-123"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q", s)
		}
	}
}

func TestWebhookRetriesShowInTheDeliveryLog(t *testing.T) {
	t.Parallel()
	w := newWebhookWorld(t, allowPrivate())
	w.fastRetries(3)
	rc := newHookReceiver(t, 500, 500, 200)
	hook := createWebhook(t, w.c, map[string]any{"url": rc.URL + "/hook", "events": hookEvents})

	var queued apiDelivery
	expectStatus(t, w.c.Post("/api/v1/webhooks/"+hook.ID.String()+"/test", nil), http.StatusAccepted).JSON(&queued)
	if queued.Status != "pending" || queued.Event != "webhook.test" || queued.Attempts != 0 || queued.WebhookID != hook.ID {
		t.Fatalf("queued test: %s", queued)
	}
	del := waitSettled(t, w.c, hook.ID, 1, 60*time.Second)[0]
	if del.ID != queued.ID || del.Status != "succeeded" || del.Attempts != 3 || *del.ResponseStatus != 200 ||
		del.DeliveredAt == nil || del.Error != nil || del.NextAttemptAt != nil || del.DurationMS == nil {
		t.Fatalf("delivery: %s", del)
	}
	hits := rc.got()
	if len(hits) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(hits))
	}
	for i, h := range hits {
		if err := verifyWebhook(hook.Secret, h.header, h.body); err != nil {
			t.Errorf("attempt %d: %v", i+1, err)
		}
		if h.header.Get("webhook-id") != del.EventID || h.header.Get("User-Agent") != "Downlink-Webhooks/1.0" {
			t.Errorf("attempt %d headers: %v", i+1, h.header)
		}
	}
	if p := checkWebhookPayload(t, hits[2].body); p["type"] != "webhook.test" {
		t.Fatalf("payload: %s", hits[2].body)
	}
	var list struct {
		Items []apiWebhook `json:"items"`
	}
	expectStatus(t, w.c.Get("/api/v1/webhooks"), http.StatusOK).JSON(&list)
	if len(list.Items) != 1 || list.Items[0].LastDelivery == nil || list.Items[0].LastDelivery.ID != del.ID {
		t.Fatalf("list: %+v", list.Items)
	}
	metrics := expectStatus(t, w.env.Client().Get("/metrics"), http.StatusOK)
	for _, line := range []string{`downlink_webhook_deliveries_total{outcome="retrying"} 2`,
		`downlink_webhook_deliveries_total{outcome="succeeded"} 1`} {
		if !metrics.Contains(line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}

func TestWebhookRedirectToABlockedAddressIsNotFollowed(t *testing.T) {
	t.Parallel()
	target := newHookReceiver(t, 200)
	start := newHookReceiver(t)
	start.handle = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/internal", http.StatusTemporaryRedirect)
	}
	local := strings.TrimPrefix(start.URL, "http://")
	fn := hookNet(t, local)
	w := newWebhookWorld(t, guardOn(), apitest.WithApp(app.WithNetwork(fn, fn)))
	w.fastRetries(2)
	_, port, _ := net.SplitHostPort(local)
	hook := createWebhook(t, w.c, map[string]any{"url": "http://hooks.example.com:" + port + "/hook", "events": hookEvents})
	expectStatus(t, w.c.Post("/api/v1/webhooks/"+hook.ID.String()+"/test", nil), http.StatusAccepted)

	del := waitSettled(t, w.c, hook.ID, 1, 60*time.Second)[0]
	if del.Status != "failed" || del.Attempts != 3 || *del.ResponseStatus != 307 || del.Error == nil ||
		!strings.Contains(*del.Error, "redirects are not followed") {
		t.Fatalf("delivery: %s", del)
	}
	if n := len(target.got()); n != 0 {
		t.Fatalf("the redirect target got %d requests", n)
	}
	if n := len(start.got()); n != 3 {
		t.Fatalf("the webhook host got %d requests, want 3", n)
	}
	for _, d := range fn.dialed() {
		if !strings.HasPrefix(d, "93.184.215.14:") {
			t.Fatalf("dialled %s", d)
		}
	}
}

func TestWebhookToALoopbackAddressIsRefusedWhenSent(t *testing.T) {
	t.Parallel()
	// Saved while the admin allowed private networks, sent after they
	// switched it off again (the guard reads the setting at every attempt).
	w := newWebhookWorld(t, guardOn())
	setAllowPrivate := func(on bool) {
		t.Helper()
		g := expectStatus(t, w.c.Get("/api/v1/settings"), http.StatusOK).Map()
		g["allow_private_networks"] = on
		expectStatus(t, w.c.Do(http.MethodPut, "/api/v1/settings", g), http.StatusOK)
	}
	rc := newHookReceiver(t, 204)
	expectProblem(t, w.c.Post("/api/v1/webhooks", map[string]any{"url": rc.URL, "events": hookEvents}), 422)
	setAllowPrivate(true)
	hook := createWebhook(t, w.c, map[string]any{"url": rc.URL, "events": hookEvents})
	setAllowPrivate(false)

	expectStatus(t, w.c.Post("/api/v1/webhooks/"+hook.ID.String()+"/test", nil), http.StatusAccepted)
	del := waitSettled(t, w.c, hook.ID, 1, 60*time.Second)[0]
	if del.Status != "failed" || del.Attempts != 1 || del.ResponseStatus != nil || del.Error == nil ||
		!strings.HasPrefix(*del.Error, "blocked destination: loopback") {
		t.Fatalf("delivery: %s", del)
	}
	if n := len(rc.got()); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
}
