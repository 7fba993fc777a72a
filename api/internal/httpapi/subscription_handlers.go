package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/subscriptions"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// subscriptionRequest is a subscription as created (POST) or changed
// (PATCH: only the fields given change).
type subscriptionRequest struct {
	URL           *string                  `json:"url" validate:"omitempty,max=4096"`
	Name          *string                  `json:"name"`
	IntervalHours *int                     `json:"interval_hours"`
	Preset        ytdlp.Preset             `json:"preset"`
	Options       json.RawMessage          `json:"options"`
	Filters       *subscriptions.Filters   `json:"filters"`
	Backfill      *subscriptions.Backfill  `json:"backfill"`
	Retention     *subscriptions.Retention `json:"retention"`
	Enabled       *bool                    `json:"enabled"`
}

// input decodes the request's options once, here.
func (r subscriptionRequest) input() (subscriptions.Input, error) {
	in := subscriptions.Input{URL: r.URL, Name: r.Name, IntervalHours: r.IntervalHours, Filters: r.Filters,
		Backfill: r.Backfill, Retention: r.Retention, Enabled: r.Enabled}
	if len(r.Options) > 0 || r.Preset != "" {
		o, err := downloads.DecodeOptions(r.Options, r.Preset)
		if err != nil {
			return in, err
		}
		in.Options = &o
	}
	return in, nil
}

// listSubscriptions is GET /subscriptions.
func (s *Server) listSubscriptions(c echo.Context) error {
	items, err := s.deps.Subscriptions.List(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// createSubscription is POST /subscriptions.
func (s *Server) createSubscription(c echo.Context) error {
	var req subscriptionRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	sub, err := s.deps.Subscriptions.Create(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", apiPrefix+"/subscriptions/"+sub.ID.String())
	return c.JSON(http.StatusCreated, sub)
}

// getSubscription is GET /subscriptions/{id}.
func (s *Server) getSubscription(c echo.Context) error {
	id, err := pathUUID(c, "id", subscriptions.ErrNotFound)
	if err != nil {
		return err
	}
	sub, err := s.deps.Subscriptions.Get(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

// updateSubscription is PATCH /subscriptions/{id}.
func (s *Server) updateSubscription(c echo.Context) error {
	id, err := pathUUID(c, "id", subscriptions.ErrNotFound)
	if err != nil {
		return err
	}
	var req subscriptionRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	sub, err := s.deps.Subscriptions.Update(c.Request().Context(), principal(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

// deleteSubscription is DELETE /subscriptions/{id}.
func (s *Server) deleteSubscription(c echo.Context) error {
	id, err := pathUUID(c, "id", subscriptions.ErrNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Subscriptions.Delete(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// checkSubscription is POST /subscriptions/{id}/check: check now.
func (s *Server) checkSubscription(c echo.Context) error {
	id, err := pathUUID(c, "id", subscriptions.ErrNotFound)
	if err != nil {
		return err
	}
	sub, err := s.deps.Subscriptions.CheckNow(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, sub)
}
