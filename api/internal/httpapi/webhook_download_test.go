package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// TestWebhookHearsARealDownload runs yt-dlp on local media and checks
// that the webhooks whose filters match get download.completed with the
// file list, signed; the others get nothing; and a deleted webhook hears
// nothing more.
func TestWebhookHearsARealDownload(t *testing.T) {
	t.Parallel()
	srv := testmedia.NewServer(t)
	w := newDLWorld(t)
	admin := newAccount(t, w.env, authz.RoleAdmin)
	ac, _ := signIn(t, w.env, admin)

	mine, others, cancels := newHookReceiver(t, 204), newHookReceiver(t, 204), newHookReceiver(t, 204)
	hook := createWebhook(t, ac, map[string]any{"url": mine.URL, "events": []string{"download.completed", "download.canceled"},
		"filter": map[string]any{"user_id": w.user.ID, "platform": "generic"}})
	createWebhook(t, ac, map[string]any{"url": others.URL, "events": hookEvents,
		"filter": map[string]any{"user_id": nil, "platform": "youtube"}})
	createWebhook(t, ac, map[string]any{"url": others.URL, "events": hookEvents,
		"filter": map[string]any{"user_id": admin.ID, "platform": nil}})
	createWebhook(t, ac, map[string]any{"url": cancels.URL, "events": []string{"download.canceled"}})

	d := waitCompleted(t, w.env, w.c, submitURL(t, w.c, srv.URL(testmedia.PathVideo)).ID)
	hit := mine.waitHits(t, 1, 60*time.Second)[0]
	if err := verifyWebhook(hook.Secret, hit.header, hit.body); err != nil {
		t.Fatal(err)
	}
	p := checkWebhookPayload(t, hit.body)
	data := p["data"].(map[string]any)
	dl := data["download"].(map[string]any)
	files := data["files"].([]any)
	if p["type"] != "download.completed" || dl["id"] != d.ID.String() || dl["status"] != "completed" ||
		len(files) != len(d.Files) || len(files) == 0 {
		t.Fatalf("payload: %s", hit.body)
	}
	if f := files[0].(map[string]any); f["id"] != d.Files[0].ID.String() || f["name"] != d.Files[0].Name ||
		f["size_bytes"] != float64(d.Files[0].SizeBytes) {
		t.Fatalf("file in payload %v, want %+v", f, d.Files[0])
	}
	del := waitSettled(t, ac, hook.ID, 1, 60*time.Second)[0]
	if del.Event != "download.completed" || del.Status != "succeeded" || hit.header.Get("webhook-id") != del.EventID {
		t.Fatalf("delivery: %s", del)
	}

	// Delete it; the next finished download reaches only the others.
	expectStatus(t, ac.Do(http.MethodDelete, "/api/v1/webhooks/"+hook.ID.String(), nil), http.StatusNoContent)
	slow := submitURL(t, w.c, srv.SlowURL(testmedia.PathVideo, 20_000))
	expectStatus(t, w.c.Post("/api/v1/downloads/"+slow.ID.String()+"/cancel", nil), http.StatusOK)
	waitStatus(t, w.env, w.c, slow.ID, "canceled")
	c := cancels.waitHits(t, 1, 60*time.Second)[0]
	if p := checkWebhookPayload(t, c.body); p["type"] != "download.canceled" {
		t.Fatalf("payload: %s", c.body)
	}
	time.Sleep(500 * time.Millisecond) // deliveries are prompt: give a stray one time to arrive
	if n := len(mine.got()); n != 1 {
		t.Fatalf("the deleted webhook's receiver got %d requests, want 1", n)
	}
	if n := len(others.got()); n != 0 {
		t.Fatalf("webhooks filtered to another platform or user got %d requests", n)
	}
}
