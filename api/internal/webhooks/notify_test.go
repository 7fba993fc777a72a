package webhooks_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/webhooks"
)

func TestEventsReachTheWebhooksThatWantThem(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	rc := newReceiver(t, 204)
	alice, bob := uuid.New(), uuid.New()
	mk := func(events []webhooks.Event, f *webhooks.Filter) uuid.UUID {
		t.Helper()
		url := rc.URL
		c, err := e.svc.Create(context.Background(), e.admin, webhooks.Spec{URL: &url, Events: events, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	all := webhooks.Subscribable
	hooks := map[string]uuid.UUID{
		"all":           mk(all, nil),
		"youtube":       mk(all, &webhooks.Filter{Platform: ptr("youtube")}),
		"alice":         mk(all, &webhooks.Filter{UserID: &alice}),
		"alice+spotify": mk(all, &webhooks.Filter{UserID: &alice, Platform: ptr("spotify")}),
		"failures":      mk([]webhooks.Event{webhooks.EventFailed}, nil),
		"disabled":      mk(all, nil),
	}
	off := false
	if _, err := e.svc.Update(context.Background(), hooks["disabled"], webhooks.Spec{Enabled: &off}); err != nil {
		t.Fatal(err)
	}

	e.finish(download(downloads.StatusCompleted, alice, "youtube"))
	e.finish(download(downloads.StatusFailed, bob, "spotify"))
	e.finish(download(downloads.StatusCanceled, alice, "spotify"))
	e.finish(download(downloads.StatusQueued, alice, "youtube")) // not final: no event

	want := map[string][]webhooks.Event{
		"all":           {webhooks.EventCanceled, webhooks.EventFailed, webhooks.EventCompleted},
		"youtube":       {webhooks.EventCompleted},
		"alice":         {webhooks.EventCanceled, webhooks.EventCompleted},
		"alice+spotify": {webhooks.EventCanceled},
		"failures":      {webhooks.EventFailed},
		"disabled":      nil,
	}
	for name, events := range want {
		ds := e.deliveries(hooks[name])
		if len(ds) != len(events) {
			t.Errorf("%s: %d deliveries, want %d", name, len(ds), len(events))
			continue
		}
		for i, d := range ds {
			if d.Event != events[i] || d.WebhookID != hooks[name] {
				t.Errorf("%s: delivery %d is %s, want %s", name, i, d.Event, events[i])
			}
		}
	}
	// Every delivery has its own id, sent as webhook-id.
	seen := map[string]bool{}
	for _, id := range hooks {
		for _, d := range e.deliveries(id) {
			if seen[d.EventID] {
				t.Fatalf("event id %s used twice", d.EventID)
			}
			seen[d.EventID] = true
		}
	}
	e.waitSettled(hooks["all"], 3)
}

func TestNoDeliveryWithoutTheTransition(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	hook := e.create("http://127.0.0.1:9/hook")
	rollback := errors.New("the transition failed")
	err := e.st.DB.Transaction(func(tx *gorm.DB) error {
		if err := e.svc.DownloadsFinished(context.Background(), tx, []downloads.Download{download(downloads.StatusCompleted, uuid.New(), "youtube")}); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("transaction: %v", err)
	}
	if n := len(e.deliveries(hook.ID)); n != 0 {
		t.Fatalf("%d deliveries from a rolled-back transition", n)
	}
	var jobs int64
	if err := e.st.DB.Raw("SELECT count(*) FROM river_job WHERE kind = ?", webhooks.DeliverArgs{}.Kind()).Scan(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	if jobs != 0 {
		t.Fatalf("%d delivery jobs from a rolled-back transition", jobs)
	}
}
