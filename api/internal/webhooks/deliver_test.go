package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/testkit"
	"github.com/downlink/downlink/api/internal/webhooks"
)

var (
	specOnce sync.Once
	spec     *openapi3.T
	specErr  error
)

// checkPayload validates a delivered body against openapi.yaml's
// WebhookPayload schema.
func checkPayload(t *testing.T, body []byte) map[string]any {
	t.Helper()
	specOnce.Do(func() { spec, specErr = openapi3.NewLoader().LoadFromFile("../../../openapi.yaml") })
	if specErr != nil {
		t.Fatalf("load openapi.yaml: %v", specErr)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	if err := spec.Components.Schemas["WebhookPayload"].Value.VisitJSON(v); err != nil {
		t.Fatalf("body does not match WebhookPayload: %v\n%s", err, body)
	}
	return v.(map[string]any)
}

func TestDeliveryIsSignedAsStandardWebhooksSays(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	rc := newReceiver(t, http.StatusNoContent)
	hook := e.create(rc.URL + "/hook?token=abc")
	d := download(downloads.StatusCompleted, uuid.New(), "generic")
	e.finish(d)

	ds := e.waitSettled(hook.ID, 1)
	del := ds[0]
	if del.Status != webhooks.StatusSucceeded || del.Attempts != 1 || del.ResponseStatus == nil || *del.ResponseStatus != 204 ||
		del.DurationMS == nil || del.DeliveredAt == nil || del.Error != nil || del.NextAttemptAt != nil {
		t.Fatalf("delivery = %+v", del)
	}
	hits := rc.got()
	if len(hits) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(hits))
	}
	h := hits[0]
	if err := verify(hook.Secret, h.header, h.body, time.Now()); err != nil {
		t.Fatalf("signature: %v", err)
	}
	for name, want := range map[string]string{"Content-Type": "application/json", "User-Agent": webhooks.UserAgent,
		"Webhook-Id": del.EventID} {
		if got := h.header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	p := checkPayload(t, h.body)
	data := p["data"].(map[string]any)
	if p["type"] != "download.completed" || data["download"].(map[string]any)["id"] != d.ID.String() {
		t.Fatalf("payload = %s", h.body)
	}

	// The verifier is not a rubber stamp.
	if verify(hook.Secret, h.header, append(h.body, ' '), time.Now()) == nil {
		t.Fatal("a changed body verified")
	}
	_, other := newSecretForTest()
	if verify(other, h.header, h.body, time.Now()) == nil {
		t.Fatal("another secret verified")
	}
	if verify(hook.Secret, h.header, h.body, time.Now().Add(10*time.Minute)) == nil {
		t.Fatal("a ten-minute-old timestamp verified")
	}
	if got := e.count("succeeded"); got != 1 {
		t.Fatalf("succeeded deliveries metric = %v, want 1", got)
	}
}

func newSecretForTest() ([]byte, string) {
	raw := []byte("0123456789abcdef0123456789abcdef")
	return raw, "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
}

func TestFailedAttemptsAreRetriedWithTheSameID(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true, schedule: []time.Duration{200 * time.Millisecond, 200 * time.Millisecond, time.Second}})
	rc := newReceiver(t, 500, 500, 200)
	hook := e.create(rc.URL)
	e.finish(download(downloads.StatusFailed, uuid.New(), "youtube"))

	del := e.waitSettled(hook.ID, 1)[0]
	if del.Status != webhooks.StatusSucceeded || del.Attempts != 3 || *del.ResponseStatus != 200 || del.Error != nil {
		t.Fatalf("delivery = %+v", del)
	}
	hits := rc.got()
	if len(hits) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(hits))
	}
	for i, h := range hits {
		if got := h.header.Get("webhook-id"); got != del.EventID {
			t.Errorf("attempt %d: webhook-id %q, want %q", i+1, got, del.EventID)
		}
		if err := verify(hook.Secret, h.header, h.body, time.Now()); err != nil {
			t.Errorf("attempt %d: %v", i+1, err)
		}
		if i > 0 {
			if gap := h.at.Sub(hits[i-1].at); gap < 170*time.Millisecond {
				t.Errorf("attempt %d came %s after the last, before the backoff", i+1, gap)
			}
			if string(h.body) != string(hits[0].body) {
				t.Errorf("attempt %d sent another body", i+1)
			}
		}
	}
	if got := e.count("retrying"); got != 2 {
		t.Fatalf("retrying metric = %v, want 2", got)
	}
}

func TestGivesUpAfterTheLastAttempt(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true, schedule: []time.Duration{50 * time.Millisecond, 50 * time.Millisecond}})
	rc := newReceiver(t)
	big := strings.Repeat("x", 1<<20)
	rc.handle = func(w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("down for maintenance\n\x00" + big))
		return true
	}
	hook := e.create(rc.URL)
	e.finish(download(downloads.StatusCanceled, uuid.New(), "youtube"))

	del := e.waitSettled(hook.ID, 1)[0]
	if del.Status != webhooks.StatusFailed || del.Attempts != 3 || *del.ResponseStatus != 503 || del.NextAttemptAt != nil {
		t.Fatalf("delivery = %+v", del)
	}
	if del.Error == nil || !strings.HasPrefix(*del.Error, "receiver answered 503: down for maintenance") || len(*del.Error) > 300 {
		t.Fatalf("error = %v", del.Error)
	}
	if got := len(rc.got()); got != 3 {
		t.Fatalf("receiver got %d requests, want 3", got)
	}
	if got := e.count("failed"); got != 1 {
		t.Fatalf("failed metric = %v, want 1", got)
	}
}

func TestGoneDisablesTheWebhook(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	rc := newReceiver(t, http.StatusGone)
	hook := e.create(rc.URL)
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	del := e.waitSettled(hook.ID, 1)[0]
	if del.Status != webhooks.StatusFailed || del.Attempts != 1 || del.Error == nil || !strings.Contains(*del.Error, "410") {
		t.Fatalf("delivery = %+v", del)
	}
	w, err := e.svc.Get(context.Background(), hook.ID)
	if err != nil || w.Enabled {
		t.Fatalf("webhook after 410: %+v, %v", w, err)
	}
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	if n := len(e.deliveries(hook.ID)); n != 1 {
		t.Fatalf("a disabled webhook got a new delivery (%d)", n)
	}
}

func TestAnAttemptTimesOut(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true, timeout: 300 * time.Millisecond, schedule: []time.Duration{20 * time.Millisecond}})
	rc := newReceiver(t)
	rc.handle = func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
		return true
	}
	hook := e.create(rc.URL)
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	del := e.waitSettled(hook.ID, 1)[0]
	if del.Status != webhooks.StatusFailed || del.Attempts != 2 || deref(del.Error) != "timed out after 300ms" {
		t.Fatalf("delivery = %+v (error %v)", del, deref(del.Error))
	}
	if *del.DurationMS < 250 || *del.DurationMS > 2500 {
		t.Fatalf("duration %d ms for a 300 ms timeout", *del.DurationMS)
	}
}

func TestDeletingAWebhookStopsItsDeliveries(t *testing.T) {
	// The retry is due 2 s after the first attempt: the webhook is deleted
	// while it waits. (An attempt already sending when the webhook goes
	// finishes: its request is on the wire. With a 300 ms retry, CI under
	// -race sometimes saw the test delete that late.)
	e := newEnv(t, envOptions{allowPrivate: true, schedule: []time.Duration{2 * time.Second, 2 * time.Second}})
	rc := newReceiver(t, 500)
	hook := e.create(rc.URL)
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	testkit.EventuallyTrue(t, 10*time.Second, "the first attempt", func() bool { return len(rc.got()) > 0 })
	if _, err := e.svc.Delete(context.Background(), hook.ID); err != nil {
		t.Fatal(err)
	}
	// Once no delivery job is left that could run (the retry found
	// nothing to send), the receiver must have heard nothing more.
	testkit.Eventually(t, 20*time.Second, func() error {
		var n int64
		err := e.st.DB.Table("river_job").Where("kind = ? AND state NOT IN ?", webhooks.DeliverArgs{}.Kind(),
			[]string{"completed", "cancelled", "discarded"}).Count(&n).Error
		if err == nil && n != 0 {
			err = fmt.Errorf("%d delivery jobs still queued, scheduled or running", n)
		}
		return err
	})
	var jobs int64
	if err := e.st.DB.Table("river_job").Where("kind = ?", webhooks.DeliverArgs{}.Kind()).Count(&jobs).Error; err != nil || jobs == 0 {
		t.Fatalf("no delivery job to wait for (%d, %v)", jobs, err)
	}
	if n := len(rc.got()); n != 1 {
		t.Fatalf("receiver got %d requests after the webhook was deleted, want 1", n)
	}
	if _, err := e.svc.Deliveries(context.Background(), hook.ID, webhooks.DeliveryParams{}); !errors.Is(err, webhooks.ErrNotFound) {
		t.Fatalf("deliveries of a deleted webhook: %v", err)
	}
}

func TestTestEventsReachDisabledWebhooks(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	rc := newReceiver(t, 200)
	hook := e.create(rc.URL)
	off := false
	if _, err := e.svc.Update(context.Background(), hook.ID, webhooks.Spec{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	e.finish(download(downloads.StatusCompleted, uuid.New(), "youtube"))
	del, err := e.svc.SendTest(context.Background(), hook.ID)
	if err != nil {
		t.Fatal(err)
	}
	if del.Status != webhooks.StatusPending || del.Event != webhooks.EventTest || del.Attempts != 0 {
		t.Fatalf("queued test = %+v", del)
	}
	ds := e.waitSettled(hook.ID, 1)
	if ds[0].ID != del.ID || ds[0].Status != webhooks.StatusSucceeded {
		t.Fatalf("deliveries = %+v", ds)
	}
	h := rc.got()[0]
	if err := verify(hook.Secret, h.header, h.body, time.Now()); err != nil {
		t.Fatal(err)
	}
	if p := checkPayload(t, h.body); p["type"] != "webhook.test" {
		t.Fatalf("payload = %s", h.body)
	}
	if _, err := e.svc.SendTest(context.Background(), uuid.New()); !errors.Is(err, webhooks.ErrNotFound) {
		t.Fatalf("test of an unknown webhook: %v", err)
	}
}

func TestFileLinksAreAbsoluteWithABaseURL(t *testing.T) {
	// Subtests named without "#" or "/": their temp folders hold the database.
	for name, base := range map[string]string{"none": "", "host": "https://media.example.org/", "path": "https://example.org/downlink"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOptions{allowPrivate: true, baseURL: base})
			rc := newReceiver(t, 204)
			hook := e.create(rc.URL)
			if _, err := e.svc.SendTest(context.Background(), hook.ID); err != nil {
				t.Fatal(err)
			}
			e.waitSettled(hook.ID, 1)
			var p webhooks.Payload
			if err := json.Unmarshal(rc.got()[0].body, &p); err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(base, "/") + "/api/v1/files/" + p.Data.Files[0].ID.String() + "/content"
			if got := p.Data.Files[0].ContentURL; got != want {
				t.Fatalf("content_url %q, want %q", got, want)
			}
			if got := p.Data.Download.Files[0].ContentURL; got != want {
				t.Fatalf("download's content_url %q, want %q", got, want)
			}
		})
	}
}

func TestJitterStaysWithinTenPercent(t *testing.T) {
	for _, d := range []time.Duration{0, time.Nanosecond, 200 * time.Millisecond, 5 * time.Second, 10 * time.Hour} {
		for range 200 {
			got := webhooks.Jitter(d)
			if lo, hi := d-d/10, d+d/10; got < lo || got > hi {
				t.Fatalf("jitter(%s) = %s, outside [%s, %s]", d, got, lo, hi)
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// count reads the deliveries metric for an outcome.
func (e *env) count(outcome string) float64 {
	var m dto.Metric
	if err := e.metrics.WebhookDeliveries.WithLabelValues(outcome).Write(&m); err != nil {
		e.t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
