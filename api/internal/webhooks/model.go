package webhooks

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Event is what a webhook can be told about.
type Event string

// Events. EventTest is only ever sent by the test button.
const (
	EventCompleted Event = "download.completed"
	EventFailed    Event = "download.failed"
	EventCanceled  Event = "download.canceled"
	EventTest      Event = "webhook.test"
	// A subscription queued a new item; a subscription's check finished
	// (with its count of new items, or its error).
	EventSubscriptionItemQueued Event = "subscription.item_queued"
	EventSubscriptionChecked    Event = "subscription.checked"
)

// Subscribable lists the events a webhook may subscribe to.
var Subscribable = []Event{EventCompleted, EventFailed, EventCanceled, EventSubscriptionItemQueued, EventSubscriptionChecked}

// DeliveryStatus is where a delivery is.
type DeliveryStatus string

// Delivery states: pending (not attempted yet), retrying (an attempt
// failed, another is scheduled), succeeded, failed (given up).
const (
	StatusPending   DeliveryStatus = "pending"
	StatusRetrying  DeliveryStatus = "retrying"
	StatusSucceeded DeliveryStatus = "succeeded"
	StatusFailed    DeliveryStatus = "failed"
)

// Valid reports whether s is a known status.
func (s DeliveryStatus) Valid() bool {
	switch s {
	case StatusPending, StatusRetrying, StatusSucceeded, StatusFailed:
		return true
	}
	return false
}

// Filter narrows the events a webhook receives; nil fields match all.
type Filter struct {
	UserID   *uuid.UUID `json:"user_id"`
	Platform *string    `json:"platform"`
}

// Webhook is a webhook as the API shows it (never with its secret).
type Webhook struct {
	ID           uuid.UUID `json:"id"`
	URL          string    `json:"url"`
	Description  string    `json:"description"`
	Events       []Event   `json:"events"`
	Filter       Filter    `json:"filter"`
	Enabled      bool      `json:"enabled"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	LastDelivery *Delivery `json:"last_delivery"`
}

// Created is a new webhook with its signing secret, shown this once.
type Created struct {
	Webhook
	Secret string `json:"secret"`
}

// Delivery is one event sent (or to be sent) to one webhook.
type Delivery struct {
	ID             uuid.UUID      `json:"id"`
	WebhookID      uuid.UUID      `json:"webhook_id"`
	Event          Event          `json:"event"`
	EventID        string         `json:"event_id"`
	Status         DeliveryStatus `json:"status"`
	Attempts       int            `json:"attempts"`
	ResponseStatus *int           `json:"response_status"`
	DurationMS     *int64         `json:"duration_ms"`
	Error          *string        `json:"error"`
	NextAttemptAt  *time.Time     `json:"next_attempt_at"`
	CreatedAt      time.Time      `json:"created_at"`
	DeliveredAt    *time.Time     `json:"delivered_at"`
}

// webhookRow is the webhooks table.
type webhookRow struct {
	ID             uuid.UUID `gorm:"primaryKey;type:uuid"`
	URL            string
	Description    string
	Events         string     // comma-separated
	FilterUserID   *uuid.UUID `gorm:"type:uuid"`
	FilterPlatform *string
	Enabled        bool
	Secret         string     // sealed with secrets.Keys
	CreatedBy      *uuid.UUID `gorm:"type:uuid"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r *webhookRow) events() []Event {
	var out []Event
	for _, e := range strings.Split(r.Events, ",") {
		if e != "" {
			out = append(out, Event(e))
		}
	}
	return out
}

func (r *webhookRow) subscribes(e Event) bool {
	for _, x := range r.events() {
		if x == e {
			return true
		}
	}
	return false
}

func joinEvents(es []Event) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = string(e)
	}
	return strings.Join(parts, ",")
}

func (r *webhookRow) view(last *Delivery) Webhook {
	return Webhook{
		ID: r.ID, URL: r.URL, Description: r.Description, Events: r.events(),
		Filter:  Filter{UserID: r.FilterUserID, Platform: r.FilterPlatform},
		Enabled: r.Enabled, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), LastDelivery: last,
	}
}

// deliveryRow is the webhook_deliveries table.
type deliveryRow struct {
	ID             uuid.UUID `gorm:"primaryKey;type:uuid"`
	WebhookID      uuid.UUID `gorm:"type:uuid"`
	Event          string
	EventID        string
	Payload        string
	Status         string
	Attempts       int
	ResponseStatus *int   `gorm:"column:response_status"`
	DurationMS     *int64 `gorm:"column:duration_ms"`
	Error          *string
	NextAttemptAt  *time.Time
	CreatedAt      time.Time
	DeliveredAt    *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func (r *deliveryRow) view() Delivery {
	return Delivery{
		ID: r.ID, WebhookID: r.WebhookID, Event: Event(r.Event), EventID: r.EventID,
		Status: DeliveryStatus(r.Status), Attempts: r.Attempts, ResponseStatus: r.ResponseStatus,
		DurationMS: r.DurationMS, Error: r.Error, NextAttemptAt: utc(r.NextAttemptAt),
		CreatedAt: r.CreatedAt.UTC(), DeliveredAt: utc(r.DeliveredAt),
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// messageID is the webhook-id header of a delivery: "msg_" and the
// delivery id's hex digits, the same on every attempt.
func messageID(deliveryID uuid.UUID) string {
	return "msg_" + strings.ReplaceAll(deliveryID.String(), "-", "")
}
