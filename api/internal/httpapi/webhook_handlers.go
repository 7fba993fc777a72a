package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/users"
	"github.com/downlink/downlink/api/internal/webhooks"
)

// webhookRequest is the body of POST and PATCH /webhooks: every field may
// be left out (POST needs url and events), none may be null.
type webhookRequest struct {
	URL         optional[string]               `json:"url"`
	Description optional[string]               `json:"description"`
	Events      optional[[]webhooks.Event]     `json:"events"`
	Filter      optional[webhookFilterRequest] `json:"filter"`
	Enabled     optional[bool]                 `json:"enabled"`
}

// webhookFilterRequest is WebhookFilter: both keys, each null for "any".
type webhookFilterRequest struct {
	UserID   optional[string] `json:"user_id"`
	Platform optional[string] `json:"platform"`
}

// UnmarshalJSON decodes a filter as strictly as the whole body: unknown
// keys are refused (the optional wrapper would use a lenient decoder).
func (f *webhookFilterRequest) UnmarshalJSON(b []byte) error {
	type plain webhookFilterRequest
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return problem.Invalid("filter."+typ.Field, "must be a string or null")
		case errors.As(err, &typ):
			return problem.Invalid("filter", "must be an object")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return problem.Invalid("filter."+name, "is not a known field")
		}
		return err
	}
	*f = webhookFilterRequest(p)
	return nil
}

// webhookSpec turns the request into a webhooks.Spec, refusing nulls and a
// filter without both keys, and checking a filtered user exists.
func (s *Server) webhookSpec(c echo.Context, r webhookRequest) (webhooks.Spec, error) {
	var sp webhooks.Spec
	for name, o := range map[string]struct{ set, null bool }{
		"url":         {r.URL.Set, r.URL.Value == nil},
		"description": {r.Description.Set, r.Description.Value == nil},
		"events":      {r.Events.Set, r.Events.Value == nil},
		"filter":      {r.Filter.Set, r.Filter.Value == nil},
		"enabled":     {r.Enabled.Set, r.Enabled.Value == nil},
	} {
		if o.set && o.null {
			return sp, problem.Invalid(name, "must not be null")
		}
	}
	sp.URL, sp.Description, sp.Enabled = r.URL.Value, r.Description.Value, r.Enabled.Value
	if r.Events.Value != nil {
		sp.Events = *r.Events.Value
	}
	if f := r.Filter.Value; f != nil {
		if !f.UserID.Set {
			return sp, problem.Invalid("filter.user_id", "is required (null for every user)")
		}
		if !f.Platform.Set {
			return sp, problem.Invalid("filter.platform", "is required (null for every platform)")
		}
		sp.Filter = &webhooks.Filter{Platform: f.Platform.Value}
		if f.UserID.Value != nil {
			id, err := uuid.Parse(*f.UserID.Value)
			if err != nil {
				return sp, problem.Invalid("filter.user_id", "must be a UUID")
			}
			if _, err := s.deps.Auth.Users().Get(c.Request().Context(), id); err != nil {
				if errors.Is(err, users.ErrNotFound) {
					return sp, problem.Invalid("filter.user_id", "no such user")
				}
				return sp, err
			}
			sp.Filter.UserID = &id
		}
	}
	return sp, nil
}

// listWebhooks is GET /webhooks.
func (s *Server) listWebhooks(c echo.Context) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	page, err := s.deps.Webhooks.List(c.Request().Context(), webhooks.ListParams{Limit: limit, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// createWebhook is POST /webhooks; the answer is the only time the
// signing secret is shown.
func (s *Server) createWebhook(c echo.Context) error {
	var req webhookRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if !req.URL.Set {
		return problem.Invalid("url", "is required")
	}
	if !req.Events.Set {
		return problem.Invalid("events", "is required")
	}
	sp, err := s.webhookSpec(c, req)
	if err != nil {
		return err
	}
	actor := principal(c).UserID
	created, err := s.deps.Webhooks.Create(c.Request().Context(), actor, sp)
	if err != nil {
		return err
	}
	s.audit(c, "webhook created", "webhook.created", "actor_id", actor.String(),
		"target", "webhook:"+created.ID.String(), "url_host", urlHost(created.URL), "events", created.Events,
		"enabled", created.Enabled)
	c.Response().Header().Set("Location", apiPrefix+"/webhooks/"+created.ID.String())
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, created)
}

// updateWebhook is PATCH /webhooks/{id}.
func (s *Server) updateWebhook(c echo.Context) error {
	id, err := pathUUID(c, "id", webhooks.ErrNotFound)
	if err != nil {
		return err
	}
	var req webhookRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if !req.URL.Set && !req.Description.Set && !req.Events.Set && !req.Filter.Set && !req.Enabled.Set {
		return problem.ErrValidation.WithDetail("Send at least one field to change.")
	}
	sp, err := s.webhookSpec(c, req)
	if err != nil {
		return err
	}
	w, err := s.deps.Webhooks.Update(c.Request().Context(), id, sp)
	if err != nil {
		return err
	}
	s.audit(c, "webhook updated", "webhook.updated", "actor_id", principal(c).UserID.String(),
		"target", "webhook:"+id.String(), "fields", changedFields(req), "url_host", urlHost(w.URL), "enabled", w.Enabled)
	return c.JSON(http.StatusOK, w)
}

// deleteWebhook is DELETE /webhooks/{id}.
func (s *Server) deleteWebhook(c echo.Context) error {
	id, err := pathUUID(c, "id", webhooks.ErrNotFound)
	if err != nil {
		return err
	}
	w, err := s.deps.Webhooks.Delete(c.Request().Context(), id)
	if err != nil {
		return err
	}
	s.audit(c, "webhook deleted", "webhook.deleted", "actor_id", principal(c).UserID.String(),
		"target", "webhook:"+id.String(), "url_host", urlHost(w.URL))
	return c.NoContent(http.StatusNoContent)
}

// listWebhookDeliveries is GET /webhooks/{id}/deliveries.
func (s *Server) listWebhookDeliveries(c echo.Context) error {
	id, err := pathUUID(c, "id", webhooks.ErrNotFound)
	if err != nil {
		return err
	}
	p := webhooks.DeliveryParams{Cursor: c.QueryParam("cursor"), Status: webhooks.DeliveryStatus(c.QueryParam("status"))}
	if p.Status != "" && !p.Status.Valid() {
		return problem.ErrBadRequest.WithField("status", "must be pending, retrying, succeeded or failed")
	}
	if p.Limit, err = queryLimit(c); err != nil {
		return err
	}
	page, err := s.deps.Webhooks.Deliveries(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// testWebhook is POST /webhooks/{id}/test.
func (s *Server) testWebhook(c echo.Context) error {
	id, err := pathUUID(c, "id", webhooks.ErrNotFound)
	if err != nil {
		return err
	}
	d, err := s.deps.Webhooks.SendTest(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}

// urlHost is what the audit trail says of a webhook URL: its scheme and
// host, not a path or query that may hold the receiver's token.
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func changedFields(r webhookRequest) []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"url", r.URL.Set}, {"description", r.Description.Set}, {"events", r.Events.Set},
		{"filter", r.Filter.Set}, {"enabled", r.Enabled.Set}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}
