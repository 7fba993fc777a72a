package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
)

// listAPIKeys is GET /api-keys.
func (s *Server) listAPIKeys(c echo.Context) error {
	p := apikeys.ListParams{Cursor: c.QueryParam("cursor")}
	if v := c.QueryParam("user_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return problem.ErrBadRequest.WithField("user_id", "must be a UUID")
		}
		p.UserID = &id
	}
	scope, err := queryScope(c)
	if err != nil {
		return err
	}
	p.All = scope == "all"
	if v := c.QueryParam("all"); v != "" {
		// all=true is the old way to ask; scope=all is the one every
		// route shares.
		b, err := strconv.ParseBool(v)
		if err != nil {
			return problem.ErrBadRequest.WithField("all", "must be true or false")
		}
		if scope != "" && b != (scope == "all") {
			return problem.ErrBadRequest.WithField("all", "is the deprecated form of scope: send only scope")
		}
		p.All = b
		deprecated(c)
	}
	if p.Limit, err = queryLimit(c); err != nil {
		return err
	}
	page, err := s.deps.APIKeys.List(c.Request().Context(), principal(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// queryLimit reads ?limit= as openapi.yaml has it: absent means the
// default, anything but 1–200 is a 400 naming it. (paging.Limit alone
// takes 0 for "absent" and answers 422 when out of range.)
func queryLimit(c echo.Context) (int, error) {
	n, err := queryInt(c, "limit")
	if err != nil {
		return 0, err
	}
	if c.QueryParam("limit") != "" && (n < 1 || n > paging.MaxLimit) {
		return 0, problem.ErrBadRequest.WithField("limit", fmt.Sprintf("must be between 1 and %d", paging.MaxLimit))
	}
	return n, nil
}

type apiKeyRequest struct {
	Name               *string          `json:"name" validate:"omitempty,min=1,max=100"`
	Scopes             []authz.Scope    `json:"scopes" validate:"omitempty,min=1,unique"`
	ExpiresAt          optional[string] `json:"expires_at"`
	RateLimitPerMinute *int             `json:"rate_limit_per_minute" validate:"omitempty,min=1,max=100000"`
	DailyDownloadQuota optional[int]    `json:"daily_download_quota"`
	AllowedIPs         []string         `json:"allowed_ips" validate:"omitempty,max=50"`
}

func (r apiKeyRequest) spec() (apikeys.Spec, error) {
	sp := apikeys.Spec{Scopes: r.Scopes, AllowedIPs: r.AllowedIPs}
	if r.Name != nil {
		sp.Name = *r.Name
	}
	if r.RateLimitPerMinute != nil {
		sp.RateLimitPerMinute = *r.RateLimitPerMinute
	}
	if r.ExpiresAt.Set {
		sp.ExpiresSet = true
		if r.ExpiresAt.Value != nil {
			t, err := time.Parse(time.RFC3339, *r.ExpiresAt.Value)
			if err != nil {
				return sp, problem.Invalid("expires_at", "must be a date-time like 2027-05-14T00:00:00Z")
			}
			t = t.UTC()
			sp.ExpiresAt = &t
		}
	}
	if r.DailyDownloadQuota.Set {
		if r.DailyDownloadQuota.Value == nil {
			zero := 0
			sp.DailyDownloadQuota = &zero // clears on update
		} else {
			if *r.DailyDownloadQuota.Value < 1 {
				return sp, problem.Invalid("daily_download_quota", "must be at least 1, or null for none")
			}
			sp.DailyDownloadQuota = r.DailyDownloadQuota.Value
		}
	}
	return sp, nil
}

// createAPIKey is POST /api-keys.
func (s *Server) createAPIKey(c echo.Context) error {
	var req apiKeyRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return problem.Invalid("name", "is required")
	}
	if req.Scopes == nil {
		return problem.Invalid("scopes", "is required")
	}
	sp, err := req.spec()
	if err != nil {
		return err
	}
	if sp.DailyDownloadQuota != nil && *sp.DailyDownloadQuota == 0 {
		sp.DailyDownloadQuota = nil
	}
	created, err := s.deps.APIKeys.Create(c.Request().Context(), principal(c), sp)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", apiPrefix+"/api-keys/"+created.ID.String())
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, created)
}

// updateAPIKey is PATCH /api-keys/{id}.
func (s *Server) updateAPIKey(c echo.Context) error {
	id, err := pathUUID(c, "id", apikeys.ErrNotFound)
	if err != nil {
		return err
	}
	var req apiKeyRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if req.Name == nil && req.Scopes == nil && !req.ExpiresAt.Set && req.RateLimitPerMinute == nil &&
		!req.DailyDownloadQuota.Set && req.AllowedIPs == nil {
		return problem.ErrValidation.WithDetail("Send at least one field to change.")
	}
	sp, err := req.spec()
	if err != nil {
		return err
	}
	k, err := s.deps.APIKeys.Update(c.Request().Context(), principal(c), id, sp, s.roleOf)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

func (s *Server) roleOf(ctx context.Context, userID uuid.UUID) (authz.Role, error) {
	u, err := s.deps.Auth.Users().Get(ctx, userID)
	return u.Role, err
}

// revokeAPIKey is DELETE /api-keys/{id}.
func (s *Server) revokeAPIKey(c echo.Context) error {
	id, err := pathUUID(c, "id", apikeys.ErrNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.APIKeys.Revoke(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// getAPIKeyUsage is GET /api-keys/{id}/usage.
func (s *Server) getAPIKeyUsage(c echo.Context) error {
	id, err := pathUUID(c, "id", apikeys.ErrNotFound)
	if err != nil {
		return err
	}
	u, err := s.deps.APIKeys.Usage(c.Request().Context(), principal(c), id, c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
