package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
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
	r := webhookRow{ID: newID(), URL: *sp.URL, Events: joinEvents(sp.Events), Enabled: true,
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
	cur, err := paging.Decode(p.Cursor, "id")
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
	page := paging.Finish(rows, limit, func(r webhookRow) paging.Cursor { return paging.NewCursor("id", nil, r.ID.String()) })
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
	cur, err := paging.Decode(p.Cursor, "id")
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
	page := paging.Finish(rows, limit, func(r deliveryRow) paging.Cursor { return paging.NewCursor("id", nil, r.ID.String()) })
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

// check validates what sp sets; the URL last, as it may resolve a name.
func (s *Service) check(ctx context.Context, sp Spec) error {
	if sp.Description != nil && utf8.RuneCountInString(*sp.Description) > MaxDescriptionLength {
		return problem.Invalid("description", fmt.Sprintf("must be at most %d characters", MaxDescriptionLength))
	}
	if sp.Events != nil {
		if err := checkEvents(sp.Events); err != nil {
			return err
		}
	}
	if sp.Filter != nil && sp.Filter.Platform != nil && !knownPlatform(*sp.Filter.Platform) {
		return problem.Invalid("filter.platform", "must be youtube, spotify, instagram, generic or null")
	}
	if sp.URL != nil {
		return s.CheckURL(ctx, *sp.URL)
	}
	return nil
}

func checkEvents(es []Event) error {
	if len(es) == 0 {
		return problem.Invalid("events", "must name at least one event")
	}
	seen := map[Event]bool{}
	for _, e := range es {
		ok := false
		for _, x := range Subscribable {
			ok = ok || e == x
		}
		if !ok {
			return problem.Invalid("events", fmt.Sprintf("%q is not an event a webhook can subscribe to", e))
		}
		if seen[e] {
			return problem.Invalid("events", fmt.Sprintf("%q is listed twice", e))
		}
		seen[e] = true
	}
	return nil
}

func knownPlatform(p string) bool {
	switch platforms.Platform(p) {
	case platforms.YouTube, platforms.Spotify, platforms.Instagram, platforms.Generic:
		return true
	}
	return false
}

// CheckURL accepts an absolute http(s) URL without credentials whose host
// passes the SSRF guard now; errors are 422 problems naming "url" (or a
// 503 when DNS cannot answer). Deliveries check every connection again.
func (s *Service) CheckURL(ctx context.Context, raw string) error {
	if raw == "" {
		return problem.Invalid("url", "is required")
	}
	if len(raw) > MaxURLLength {
		return problem.Invalid("url", fmt.Sprintf("must be at most %d characters", MaxURLLength))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return problem.Invalid("url", "is not a valid URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return problem.Invalid("url", "must be an http or https URL")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return problem.Invalid("url", "must be an absolute URL with a host")
	case u.User != nil:
		// It would be shown to every admin and written in logs; put a
		// token in the path or query instead.
		return problem.Invalid("url", "must not contain a user name or password")
	}
	return s.guard(ctx).CheckURL(ctx, u, s.resolver)
}
