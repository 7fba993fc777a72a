package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testmedia"
)

// subscriptionEvent decodes the subscription an event carries:
// subscription.updated's data is the subscription, subscription.checked's
// holds it with the check's new_items and error.
type subscriptionEvent struct {
	Sub      subscription
	NewItems *int
	Error    *string
}

func decodeSubscriptionEvent(t *testing.T, e sseEvent) subscriptionEvent {
	t.Helper()
	var out subscriptionEvent
	switch e.Type {
	case "subscription.updated":
		if err := json.Unmarshal(e.Data, &out.Sub); err != nil {
			t.Fatalf("%s: %v: %s", e.Type, err, e.Data)
		}
	case "subscription.checked":
		var d struct {
			Subscription subscription `json:"subscription"`
			NewItems     *int         `json:"new_items"`
			Error        *string      `json:"error"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatalf("%s: %v: %s", e.Type, err, e.Data)
		}
		out = subscriptionEvent{Sub: d.Subscription, NewItems: d.NewItems, Error: d.Error}
	}
	return out
}

// TestSubscriptionEventsOnTheStream: the dashboard's event stream (no
// ?types: what the SPA opens) tells a subscription's owner, live, that it
// was created, that its check queued an item (items_queued grows) and that
// the check finished (its status, new items, no error), then that it was
// deleted; another user's stream hears nothing of it.
func TestSubscriptionEventsOnTheStream(t *testing.T) {
	t.Parallel()
	w := newDLWorld(t)
	other := newAccount(t, w.env, authz.RoleUser)
	oc, _ := signIn(t, w.env, other)
	mine := openSSE(t, w.env.URL, w.c, "")
	theirs := openSSE(t, w.env.URL, oc, "")
	feed := newLiveFeed(t, testmedia.NewServer(t))
	feed.add("", "")

	sub := createSubscription(t, w.c, map[string]any{"url": feed.URL + "/feed.xml", "backfill": map[string]any{"mode": "last", "count": 1}})
	is := func(typ string, cond func(subscriptionEvent) bool) func(sseEvent) bool {
		return func(e sseEvent) bool {
			if e.Type != typ {
				return false
			}
			se := decodeSubscriptionEvent(t, e)
			return se.Sub.ID == sub.ID && cond(se)
		}
	}
	mine.WaitFor(downloadTimeout, "subscription.updated of the new subscription", is("subscription.updated",
		func(se subscriptionEvent) bool { return se.Sub.Status == "pending" }))
	mine.WaitFor(downloadTimeout, "subscription.updated with the queued item", is("subscription.updated",
		func(se subscriptionEvent) bool { return se.Sub.ItemsQueued == 1 }))
	e := mine.WaitFor(downloadTimeout, "subscription.checked", is("subscription.checked", func(subscriptionEvent) bool { return true }))
	if se := decodeSubscriptionEvent(t, e); se.Sub.Status != "ok" || se.Sub.Checks != 1 || se.Sub.LastNewItems != 1 ||
		se.Sub.ItemsQueued != 1 || se.Sub.LastCheckAt == nil || se.Sub.Name != "Live test feed" ||
		se.NewItems == nil || *se.NewItems != 1 || se.Error != nil {
		t.Errorf("subscription.checked: %s", e.Data)
	}

	expectStatus(t, w.c.Do(http.MethodDelete, "/api/v1/subscriptions/"+sub.ID.String(), nil), http.StatusNoContent)
	mine.WaitFor(downloadTimeout, "subscription.deleted", func(e sseEvent) bool {
		var d struct {
			ID     uuid.UUID `json:"id"`
			UserID uuid.UUID `json:"user_id"`
		}
		return e.Type == "subscription.deleted" && json.Unmarshal(e.Data, &d) == nil && d.ID == sub.ID && d.UserID == w.user.ID
	})

	// The other user's own subscription reaches their stream; as events
	// arrive in order, the first user's would have come before it.
	own := createSubscription(t, oc, map[string]any{"url": feed.URL + "/feed.xml?other", "enabled": false})
	theirs.WaitFor(downloadTimeout, "the other user's own subscription.updated", func(e sseEvent) bool {
		return e.Type == "subscription.updated" && decodeSubscriptionEvent(t, e).Sub.ID == own.ID
	})
	for _, e := range theirs.Events() {
		if e.Type == "subscription.updated" || e.Type == "subscription.checked" || e.Type == "subscription.deleted" {
			var d struct {
				ID           uuid.UUID `json:"id"`
				Subscription struct {
					ID uuid.UUID `json:"id"`
				} `json:"subscription"`
			}
			_ = json.Unmarshal(e.Data, &d)
			if d.ID == sub.ID || d.Subscription.ID == sub.ID {
				t.Errorf("another user's stream got %s %s", e.Type, e.Data)
			}
		}
	}
}
