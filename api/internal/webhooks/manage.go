package webhooks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// Limits on what a webhook holds.
const (
	MaxURLLength         = 2048
	MaxDescriptionLength = 500
)

// Spec is a webhook as created or changed: on update, nil fields (and a nil
// Events) stay as they are.
type Spec struct {
	URL         *string
	Description *string
	Events      []Event
	Filter      *Filter
	Enabled     *bool
}

// ListParams page through webhooks.
type ListParams struct {
	Limit  int
	Cursor string
}

// DeliveryParams page through a webhook's deliveries.
type DeliveryParams struct {
	Limit  int
	Cursor string
	Status DeliveryStatus // "" for all
}

// Create registers a webhook and returns it with its secret, which is
// stored sealed and never shown again.
func (s *Service) Create(ctx context.Context, createdBy uuid.UUID, sp Spec) (Created, error) {
	if sp.URL == nil {
		return Created{}, problem.Invalid("url", "is required")
	}
	if sp.Events == nil {
		return Created{}, problem.Invalid("events", "is required")
	}
	if err := s.check(ctx, sp); err != nil {
		return Created{}, err
	}
	t := now()
	r := webhookRow{ID: store.NewID(), URL: *sp.URL, Events: joinEvents(sp.Events), Enabled: true,
		CreatedBy: &createdBy, CreatedAt: t, UpdatedAt: t}
	if createdBy == uuid.Nil {
		r.CreatedBy = nil
	}
	applySpec(&r, sp)
	raw, secret := newSecret()
	r.Secret = s.keys.Seal(raw, secretContext(r.ID))
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Created{}, fmt.Errorf("webhooks: create: %w", err)
	}
	return Created{Webhook: r.view(nil), Secret: secret}, nil
}

// Update changes the fields sp sets; the secret stays.
func (s *Service) Update(ctx context.Context, id uuid.UUID, sp Spec) (Webhook, error) {
	if err := s.check(ctx, sp); err != nil {
		return Webhook{}, err
	}
	set := map[string]any{"updated_at": now()}
	if sp.URL != nil {
		set["url"] = *sp.URL
	}
	if sp.Description != nil {
		set["description"] = *sp.Description
	}
	if sp.Events != nil {
		set["events"] = joinEvents(sp.Events)
	}
	if sp.Filter != nil {
		set["filter_user_id"], set["filter_platform"] = sp.Filter.UserID, sp.Filter.Platform
	}
	if sp.Enabled != nil {
		set["enabled"] = *sp.Enabled
	}
	var r webhookRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Write first: on SQLite a transaction that reads before its first
		// write may be refused the upgrade (SQLITE_BUSY_SNAPSHOT).
		q := tx.Model(&webhookRow{}).Where("id = ?", id).Updates(set)
		if q.Error != nil {
			return q.Error
		}
		if q.RowsAffected == 0 {
			return ErrNotFound
		}
		return tx.Where("id = ?", id).Take(&r).Error
	})
	if err != nil {
		return Webhook{}, err
	}
	last, err := s.lastDeliveries(ctx, []uuid.UUID{id})
	if err != nil {
		return Webhook{}, err
	}
	return r.view(last[id]), nil
}

// Delete removes a webhook and its delivery log and returns what it was.
// Deliveries waiting for a retry find nothing to send and end.
func (s *Service) Delete(ctx context.Context, id uuid.UUID) (Webhook, error) {
	var r webhookRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return Webhook{}, notFound(err)
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("id = ?", id).Delete(&webhookRow{})
		if q.Error != nil {
			return q.Error
		}
		if q.RowsAffected == 0 {
			return ErrNotFound // deleted meanwhile
		}
		return tx.Where("webhook_id = ?", id).Delete(&deliveryRow{}).Error
	})
	if err != nil {
		return Webhook{}, err
	}
	return r.view(nil), nil
}

// Get returns one webhook with its last delivery.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Webhook, error) {
	var r webhookRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return Webhook{}, notFound(err)
	}
	last, err := s.lastDeliveries(ctx, []uuid.UUID{id})
	if err != nil {
		return Webhook{}, err
	}
	return r.view(last[id]), nil
}

// List returns webhooks newest first, each with its last delivery.
func (s *Service) List(ctx context.Context, p ListParams) (paging.Page[Webhook], error) {
	limit, err := paging.Limit(p.Limit)
	if err != nil {
		return paging.Page[Webhook]{}, err
	}
	bound := paging.Bind("id", p)
	cur, err := paging.Decode(p.Cursor, bound)
	if err != nil {
		return paging.Page[Webhook]{}, err
	}
	q := s.db.WithContext(ctx).Model(&webhookRow{})
	if cur != nil {
		q = q.Where("id < ?", cur.ID)
	}
	var rows []webhookRow
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return paging.Page[Webhook]{}, err
	}
	page := paging.Finish(rows, limit, func(r webhookRow) paging.Cursor { return paging.NewCursor(bound, nil, r.ID.String()) })
	ids := make([]uuid.UUID, len(page.Items))
	for i, r := range page.Items {
		ids[i] = r.ID
	}
	last, err := s.lastDeliveries(ctx, ids)
	if err != nil {
		return paging.Page[Webhook]{}, err
	}
	return paging.Map(page, func(r webhookRow) Webhook { return r.view(last[r.ID]) }), nil
}

// lastDeliveries finds each webhook's newest delivery with one index
// probe per webhook.
func (s *Service) lastDeliveries(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Delivery, error) {
	out := map[uuid.UUID]*Delivery{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []deliveryRow
	err := s.db.WithContext(ctx).Raw(`SELECT * FROM webhook_deliveries WHERE id IN (
		SELECT (SELECT d.id FROM webhook_deliveries d WHERE d.webhook_id = w.id ORDER BY d.id DESC LIMIT 1)
		FROM webhooks w WHERE w.id IN ?)`, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("webhooks: last deliveries: %w", err)
	}
	for _, r := range rows {
		d := r.view()
		out[r.WebhookID] = &d
	}
	return out, nil
}

// Deliveries returns a webhook's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, webhookID uuid.UUID, p DeliveryParams) (paging.Page[Delivery], error) {
	limit, err := paging.Limit(p.Limit)
	if err != nil {
		return paging.Page[Delivery]{}, err
	}
	// A cursor belongs to one webhook's log.
	bound := paging.Bind("id", struct {
		Webhook uuid.UUID
		Status  DeliveryStatus
	}{webhookID, p.Status})
	cur, err := paging.Decode(p.Cursor, bound)
	if err != nil {
		return paging.Page[Delivery]{}, err
	}
	db := s.db.WithContext(ctx)
	var n int64
	if err := db.Model(&webhookRow{}).Where("id = ?", webhookID).Count(&n).Error; err != nil {
		return paging.Page[Delivery]{}, err
	}
	if n == 0 {
		return paging.Page[Delivery]{}, ErrNotFound
	}
	q := db.Model(&deliveryRow{}).Where("webhook_id = ?", webhookID)
	if p.Status != "" {
		q = q.Where("status = ?", string(p.Status))
	}
	if cur != nil {
		q = q.Where("id < ?", cur.ID)
	}
	var rows []deliveryRow
	if err := q.Order("id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return paging.Page[Delivery]{}, err
	}
	page := paging.Finish(rows, limit, func(r deliveryRow) paging.Cursor { return paging.NewCursor(bound, nil, r.ID.String()) })
	return paging.Map(page, func(r deliveryRow) Delivery { return r.view() }), nil
}

// now is the current time as the databases keep it (UTC, microseconds),
// so what a call returns equals what a later read returns.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

func applySpec(r *webhookRow, sp Spec) {
	if sp.URL != nil {
		r.URL = *sp.URL
	}
	if sp.Description != nil {
		r.Description = *sp.Description
	}
	if sp.Events != nil {
		r.Events = joinEvents(sp.Events)
	}
	if sp.Filter != nil {
		r.FilterUserID, r.FilterPlatform = sp.Filter.UserID, sp.Filter.Platform
	}
	if sp.Enabled != nil {
		r.Enabled = *sp.Enabled
	}
}
