package webhooks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// DeliverWorker sends deliveries (River worker).
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	S *Service
}

// Work makes one attempt. A failed attempt that will be retried snoozes the
// job until the next one is due, so River's own attempts count only
// Downlink's failures.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.S.deliver(ctx, job.Args.DeliveryID)
}

// Timeout bounds a run: one attempt and its bookkeeping.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.S.timeout + time.Minute
}

// outcome is what one attempt did to its delivery.
type outcome struct {
	status  DeliveryStatus
	wait    time.Duration // before the next attempt, when retrying
	disable bool          // the receiver answered 410 Gone
}

// deliver makes the next attempt of delivery id and records it.
func (s *Service) deliver(ctx context.Context, id uuid.UUID) error {
	db := s.db.WithContext(ctx)
	var d deliveryRow
	if err := db.Where("id = ?", id).Take(&d).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // the webhook was deleted with its deliveries
		}
		return err
	}
	if d.Status == string(StatusSucceeded) || d.Status == string(StatusFailed) {
		return nil // already settled by an earlier run of this job
	}
	var h webhookRow
	if err := db.Where("id = ?", d.WebhookID).Take(&h).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return err
	}
	if !h.Enabled && Event(d.Event) != EventTest {
		return s.record(ctx, &d, attemptResult{errText: "not sent: the webhook was disabled"},
			outcome{status: StatusFailed}, false)
	}
	key, err := s.keys.Open(h.Secret, secretContext(h.ID))
	if err != nil {
		s.log.Error("cannot open a webhook secret", "webhook_id", h.ID, "err", err)
		return s.record(ctx, &d, attemptResult{errText: "not sent: the signing secret cannot be decrypted (was DOWNLINK_SECRET_KEY changed?)"},
			outcome{status: StatusFailed}, false)
	}
	res := s.attempt(ctx, h.URL, key, d.EventID, []byte(d.Payload))
	if res.status == 0 && ctx.Err() != nil {
		return ctx.Err() // this node is stopping: not the receiver's failure
	}
	out := s.judge(d.Attempts+1, res)
	if out.disable {
		res.errText = "receiver answered 410 Gone: the webhook was disabled"
	}
	if err := s.record(ctx, &d, res, out, true); err != nil {
		return err
	}
	if out.status == StatusRetrying {
		return river.JobSnooze(out.wait)
	}
	return nil
}

// judge decides what an attempt (the n-th) means for its delivery.
func (s *Service) judge(n int, res attemptResult) outcome {
	schedule := s.retrySchedule()
	switch {
	case res.succeeded():
		return outcome{status: StatusSucceeded}
	case res.status == 410:
		return outcome{status: StatusFailed, disable: true}
	case res.blocked:
		// Refused by the SSRF guard: retrying would be refused again.
		return outcome{status: StatusFailed}
	case n > len(schedule):
		return outcome{status: StatusFailed}
	}
	return outcome{status: StatusRetrying, wait: jitter(schedule[n-1])}
}

// jitter spreads retries by ±10% so a receiver coming back is not hit by
// every delivery at once.
func jitter(d time.Duration) time.Duration {
	span := int64(d / 5)
	if span <= 0 {
		return d
	}
	return d - time.Duration(span/2) + time.Duration(rand.Int64N(span+1))
}

// record writes an attempt (attempted) or a decision not to send on the
// delivery, fenced on the attempts count so two runs cannot both record.
func (s *Service) record(ctx context.Context, d *deliveryRow, res attemptResult, out outcome, attempted bool) error {
	t := now()
	set := map[string]any{"status": string(out.status), "next_attempt_at": nil, "error": nil}
	if attempted {
		set["attempts"] = d.Attempts + 1
		set["response_status"] = nilIfZero(res.status)
		ms := res.duration.Milliseconds()
		set["duration_ms"] = &ms
	}
	if res.errText != "" {
		set["error"] = res.errText
	}
	switch out.status {
	case StatusSucceeded:
		set["delivered_at"] = t
	case StatusRetrying:
		set["next_attempt_at"] = t.Add(out.wait)
	}
	recorded := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&deliveryRow{}).Where("id = ? AND attempts = ?", d.ID, d.Attempts).Updates(set)
		if q.Error != nil || q.RowsAffected == 0 {
			return q.Error // deleted meanwhile, or another run recorded it
		}
		recorded = true
		if out.disable {
			return tx.Model(&webhookRow{}).Where("id = ?", d.WebhookID).
				Updates(map[string]any{"enabled": false, "updated_at": t}).Error
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("webhooks: record attempt: %w", err)
	}
	if recorded {
		s.observe(d, res, out, attempted)
	}
	return nil
}

// observe logs and counts an attempt.
func (s *Service) observe(d *deliveryRow, res attemptResult, out outcome, attempted bool) {
	if attempted && s.metrics != nil {
		s.metrics.WebhookDeliveries.WithLabelValues(string(out.status)).Inc()
	}
	attrs := []any{"webhook_id", d.WebhookID, "delivery_id", d.ID, "event", d.Event, "attempt", d.Attempts + 1,
		"status", out.status, "response_status", res.status, "duration_ms", res.duration.Milliseconds()}
	if res.errText != "" {
		attrs = append(attrs, "error", res.errText)
	}
	switch out.status {
	case StatusSucceeded:
		s.log.Info("webhook delivered", attrs...)
	case StatusRetrying:
		s.log.Info("webhook attempt failed; will retry", append(attrs, "retry_in", out.wait.Round(time.Millisecond).String())...)
	default:
		s.log.Warn("webhook delivery failed", attrs...)
	}
	if out.disable {
		s.log.Warn("webhook disabled: the receiver answered 410 Gone", "webhook_id", d.WebhookID)
		s.audit.Info("webhook disabled", "action", "webhook.disabled",
			"target", "webhook:"+d.WebhookID.String(), "reason", "receiver answered 410 Gone")
	}
}

func nilIfZero(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}
