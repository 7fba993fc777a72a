package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/users"
)

// listUsers is GET /users.
func (s *Server) listUsers(c echo.Context) error {
	p := users.ListParams{Query: c.QueryParam("q"), Cursor: c.QueryParam("cursor")}
	if r := c.QueryParam("role"); r != "" {
		p.Role = authz.Role(r)
		if !p.Role.Valid() {
			return problem.ErrBadRequest.WithField("role", "must be admin or user")
		}
	}
	if d := c.QueryParam("disabled"); d != "" {
		b, err := strconv.ParseBool(d)
		if err != nil {
			return problem.ErrBadRequest.WithField("disabled", "must be true or false")
		}
		p.Disabled = &b
	}
	var err error
	if p.Limit, err = queryLimit(c); err != nil {
		return err
	}
	page, err := s.deps.Auth.Users().List(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

type updateUserRequest struct {
	Role              *authz.Role     `json:"role" validate:"omitempty,oneof=admin user"`
	Disabled          *bool           `json:"disabled"`
	Name              *string         `json:"name" validate:"omitempty,min=1,max=100"`
	StorageQuotaBytes optional[int64] `json:"storage_quota_bytes"`
}

// updateUser is PATCH /users/{id}.
func (s *Server) updateUser(c echo.Context) error {
	id, err := pathUUID(c, "id", users.ErrNotFound)
	if err != nil {
		return err
	}
	var req updateUserRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if req.Role == nil && req.Disabled == nil && req.Name == nil && !req.StorageQuotaBytes.Set {
		return problem.ErrValidation.WithDetail("Send at least one field to change.")
	}
	ch := users.Change{Role: req.Role, Disabled: req.Disabled, Name: req.Name}
	if req.StorageQuotaBytes.Set {
		ch.StorageQuotaBytes = &req.StorageQuotaBytes.Value
	}
	ctx := c.Request().Context()
	actor := principal(c)
	before, after, err := s.deps.Auth.Users().Update(ctx, id, ch)
	if err != nil {
		return err
	}
	if after.Disabled && !before.Disabled {
		if _, err := s.deps.Auth.RevokeUserSessions(ctx, id); err != nil {
			return err
		}
	}
	s.audit(c, "user updated", "user.updated", "target", "user:"+id.String(), "email", after.Email,
		"role_before", before.Role, "role_after", after.Role, "disabled_before", before.Disabled, "disabled_after", after.Disabled,
		"actor_id", actor.UserID)
	return c.JSON(http.StatusOK, after)
}

// revokeUserSessions is DELETE /users/{id}/sessions.
func (s *Server) revokeUserSessions(c echo.Context) error {
	id, err := pathUUID(c, "id", users.ErrNotFound)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.deps.Auth.Users().Get(ctx, id); err != nil {
		return err
	}
	n, err := s.deps.Auth.RevokeUserSessions(ctx, id)
	if err != nil {
		return err
	}
	s.audit(c, "user sessions revoked", "user.sessions_revoked", "target", "user:"+id.String(), "sessions", n, "actor_id", principal(c).UserID)
	return c.NoContent(http.StatusNoContent)
}

// queryInt reads an optional integer query parameter (400 when malformed).
func queryInt(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, problem.ErrBadRequest.WithField(name, "must be a whole number")
	}
	return n, nil
}
