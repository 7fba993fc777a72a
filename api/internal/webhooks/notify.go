package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/jsontime"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Payload is the JSON body of every delivery (WebhookPayload in
// openapi.yaml).
type Payload struct {
	Type      Event       `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      PayloadData `json:"data"`
}

// PayloadData is the download the event is about and its files.
type PayloadData struct {
	Download downloads.Download `json:"download"`
	Files    []files.File       `json:"files"`
}

// eventFor maps a final download status to its event.
func eventFor(s downloads.Status) (Event, bool) {
	switch s {
	case downloads.StatusCompleted:
		return EventCompleted, true
	case downloads.StatusFailed:
		return EventFailed, true
	case downloads.StatusCanceled:
		return EventCanceled, true
	}
	return "", false
}

// DownloadsFinished implements downloads.Notifier: inside the transaction
// that records the downloads' final states, it writes one delivery (and
// its job) for every enabled webhook that wants each one's event, so
// deliveries exist exactly when the transition commits. The webhooks are
// read once for all of them.
func (s *Service) DownloadsFinished(ctx context.Context, tx *gorm.DB, ds []downloads.Download) error {
	var hooks []webhookRow
	if err := tx.WithContext(ctx).Where("enabled = ?", true).Find(&hooks).Error; err != nil {
		return fmt.Errorf("webhooks: find subscribers: %w", err)
	}
	if len(hooks) == 0 {
		return nil
	}
	for _, d := range ds {
		ev, ok := eventFor(d.Status)
		if !ok {
			continue
		}
		var body []byte
		for i := range hooks {
			h := &hooks[i]
			if !h.subscribes(ev) || !matches(h, d) {
				continue
			}
			if body == nil {
				var err error
				if body, err = s.payload(ev, d); err != nil {
					return err
				}
			}
			if _, err := s.enqueue(ctx, tx, h.ID, ev, body); err != nil {
				return err
			}
		}
	}
	return nil
}

// matches applies a webhook's filter to a download.
func matches(h *webhookRow, d downloads.Download) bool {
	if h.FilterUserID != nil && *h.FilterUserID != d.UserID {
		return false
	}
	if h.FilterPlatform != nil && *h.FilterPlatform != d.Platform {
		return false
	}
	return true
}

func (s *Service) payload(ev Event, d downloads.Download) ([]byte, error) {
	fs := make([]files.File, len(d.Files))
	for i, f := range d.Files {
		if s.baseURL != "" && strings.HasPrefix(f.ContentURL, "/") {
			f.ContentURL = s.baseURL + f.ContentURL
		}
		fs[i] = f
	}
	d.Files = fs
	ts := time.Now().UTC()
	if d.FinishedAt != nil {
		ts = d.FinishedAt.UTC()
	}
	b, err := json.Marshal(Payload{Type: ev, Timestamp: ts, Data: PayloadData{Download: d, Files: fs}})
	if err != nil {
		return nil, fmt.Errorf("webhooks: payload: %w", err)
	}
	return jsontime.Normalize(b), nil
}

// enqueue writes a pending delivery and its job inside tx.
func (s *Service) enqueue(ctx context.Context, tx *gorm.DB, webhookID uuid.UUID, ev Event, body []byte) (deliveryRow, error) {
	t := now()
	r := deliveryRow{ID: store.NewID(), WebhookID: webhookID, Event: string(ev), Payload: string(body),
		Status: string(StatusPending), NextAttemptAt: &t, CreatedAt: t}
	r.EventID = messageID(r.ID)
	if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
		return deliveryRow{}, fmt.Errorf("webhooks: record delivery: %w", err)
	}
	if _, err := s.queue.InsertTx(ctx, tx, DeliverArgs{DeliveryID: r.ID}, nil); err != nil {
		return deliveryRow{}, fmt.Errorf("webhooks: queue delivery: %w", err)
	}
	return r, nil
}

// SendTest queues a webhook.test delivery with a sample download, even to
// a disabled webhook, and returns it pending.
func (s *Service) SendTest(ctx context.Context, id uuid.UUID) (Delivery, error) {
	body, err := s.payload(EventTest, sampleDownload(now()))
	if err != nil {
		return Delivery{}, err
	}
	var r deliveryRow
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The write comes first (see Update); a missing webhook rolls it back.
		if r, err = s.enqueue(ctx, tx, id, EventTest, body); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&webhookRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return Delivery{}, err
	}
	return r.view(), nil
}

// sampleDownload is what the test button sends: a made-up completed
// download with its file.
func sampleDownload(now time.Time) downloads.Download {
	dlID := uuid.MustParse("00000000-0000-7000-8000-000000000001")
	userID := uuid.MustParse("00000000-0000-7000-8000-000000000002")
	fileID := uuid.MustParse("00000000-0000-7000-8000-000000000003")
	title, uploader, dur := "Downlink test event", "Downlink", 42.0
	size := int64(1 << 20)
	started := now.Add(-time.Minute)
	f := files.File{ID: fileID, DownloadID: &dlID, UserID: userID, Name: "Downlink test event.mp4",
		SizeBytes: size, MimeType: "video/mp4", Kind: files.KindVideo, Platform: string(platforms.Generic),
		CreatedAt: now, ContentURL: "/api/v1/files/" + fileID.String() + "/content"}
	return downloads.Download{
		ID: dlID, URL: "https://example.com/video", Platform: string(platforms.Generic), Kind: "video",
		Status: downloads.StatusCompleted, Title: &title, Uploader: &uploader, DurationSeconds: &dur,
		Progress: downloads.Progress{Percent: 100, DownloadedBytes: size, TotalBytes: &size},
		Options:  ytdlp.Options{Preset: ytdlp.PresetBest}, Files: []files.File{f}, UserID: userID,
		Attempts: 1, CreatedAt: started, StartedAt: &started, FinishedAt: &now, UpdatedAt: now,
	}
}

// DeliverArgs is the job that sends one delivery.
type DeliverArgs struct {
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts puts deliveries on their own queue. Attempts here count
// failures of Downlink itself (database errors); the receiver's failures
// are retried by snoozing, on the delivery's own schedule.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, MaxAttempts: 10}
}

// SubscriptionPayload is the body of a subscription event
// (SubscriptionWebhookPayload in openapi.yaml): data holds the
// subscription, and the new download (subscription.item_queued) or the
// check's outcome (subscription.checked).
type SubscriptionPayload struct {
	Type      Event     `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// SubscriptionEvent writes one delivery of event for every enabled
// webhook that wants it and whose filter matches the subscription's owner
// and platform (implements subscriptions.Notifier).
func (s *Service) SubscriptionEvent(ctx context.Context, event string, ownerID uuid.UUID, platform string, data any) error {
	ev := Event(event)
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var hooks []webhookRow
		if err := tx.Where("enabled = ?", true).Find(&hooks).Error; err != nil {
			return fmt.Errorf("webhooks: find subscribers: %w", err)
		}
		var body []byte
		for i := range hooks {
			h := &hooks[i]
			if !h.subscribes(ev) || (h.FilterUserID != nil && *h.FilterUserID != ownerID) ||
				(h.FilterPlatform != nil && *h.FilterPlatform != platform) {
				continue
			}
			if body == nil {
				b, err := json.Marshal(SubscriptionPayload{Type: ev, Timestamp: now(), Data: data})
				if err != nil {
					return fmt.Errorf("webhooks: payload: %w", err)
				}
				body = jsontime.Normalize(b)
			}
			if _, err := s.enqueue(ctx, tx, h.ID, ev, body); err != nil {
				return err
			}
		}
		return nil
	})
}
