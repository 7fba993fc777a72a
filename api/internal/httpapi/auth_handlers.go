package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/users"
)

// me is the body of GET /auth/me (and of login and setup).
type me struct {
	User     users.User `json:"user"`
	Role     authz.Role `json:"role"`
	Auth     meAuth     `json:"auth"`
	Features features   `json:"features"`
}

type meAuth struct {
	Method   authz.Method  `json:"method"`
	APIKeyID *uuid.UUID    `json:"api_key_id"`
	Scopes   []authz.Scope `json:"scopes"`
}

type features struct {
	OIDC             bool     `json:"oidc"`
	SetupRequired    bool     `json:"setup_required"`
	EnabledPlatforms []string `json:"enabled_platforms"`
}

func (s *Server) features(c echo.Context) (features, error) {
	need, err := s.deps.Auth.SetupRequired(c.Request().Context())
	if err != nil {
		return features{}, err
	}
	return features{OIDC: len(s.deps.Auth.Providers()) > 0, SetupRequired: need,
		EnabledPlatforms: s.enabledPlatforms(c.Request().Context())}, nil
}

func (s *Server) meFor(c echo.Context, u users.User, p *authz.Principal) (me, error) {
	f, err := s.features(c)
	if err != nil {
		return me{}, err
	}
	m := me{User: u, Role: u.Role, Features: f, Auth: meAuth{Method: authz.MethodSession, Scopes: authz.ScopesFor(u.Role)}}
	if p != nil {
		m.Auth.Method = p.Method
		m.Auth.Scopes = p.Scopes()
		if p.Method == authz.MethodAPIKey {
			id := p.APIKeyID
			m.Auth.APIKeyID = &id
		}
	}
	if m.Auth.Scopes == nil {
		m.Auth.Scopes = []authz.Scope{}
	}
	return m, nil
}

// getAuthProviders is GET /auth/providers.
func (s *Server) getAuthProviders(c echo.Context) error {
	need, err := s.deps.Auth.SetupRequired(c.Request().Context())
	if err != nil {
		return err
	}
	p := principal(c)
	return c.JSON(http.StatusOK, map[string]any{
		"local":          true,
		"setup_required": need,
		"providers":      s.deps.Auth.Providers(),
		"password_help":  s.passwordHelp(c),
		"signed_in":      p != nil && p.Method == authz.MethodSession,
	})
}

type loginRequest struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=256"`
}

// login is POST /auth/login.
func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Auth.Login(c.Request().Context(), c.Response(), c.Request(), req.Email, req.Password)
	if err != nil {
		return err
	}
	m, err := s.meFor(c, u, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// logout is POST /auth/logout.
func (s *Server) logout(c echo.Context) error {
	if err := s.deps.Auth.Logout(c.Request().Context(), c.Response(), c.Request(), principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// getMe is GET /auth/me.
func (s *Server) getMe(c echo.Context) error {
	p := principal(c)
	s.deps.Auth.MarkSignedIn(c.Response(), c.Request())
	u, err := s.deps.Auth.Users().Get(c.Request().Context(), p.UserID)
	if err != nil {
		return err
	}
	m, err := s.meFor(c, u, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

type updateMeRequest struct {
	Name            *string          `json:"name" validate:"omitempty,min=1,max=100"`
	AvatarURL       optional[string] `json:"avatar_url"`
	CurrentPassword *string          `json:"current_password" validate:"omitempty,max=256"`
	NewPassword     *string          `json:"new_password" validate:"omitempty,min=8,max=256"`
}

// updateMe is PATCH /auth/me.
func (s *Server) updateMe(c echo.Context) error {
	var req updateMeRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	if req.Name == nil && !req.AvatarURL.Set && req.NewPassword == nil && req.CurrentPassword == nil {
		return problem.ErrValidation.WithDetail("Send at least one field to change.")
	}
	ctx := c.Request().Context()
	p := principal(c)
	if req.AvatarURL.Set && req.AvatarURL.Value != nil {
		if err := checkHTTPURL(*req.AvatarURL.Value); err != nil {
			return problem.Invalid("avatar_url", err.Error())
		}
		if !users.AvatarAllowed(*req.AvatarURL.Value, s.cfg.AvatarHosts()...) {
			return problem.Invalid("avatar_url", "must be an https image on "+users.AvatarHostsText(s.cfg.AvatarHosts()...))
		}
	}
	if req.NewPassword != nil {
		if req.CurrentPassword == nil {
			return problem.Invalid("current_password", "is required to change the password")
		}
		if err := s.deps.Auth.ChangePassword(ctx, p, *req.CurrentPassword, *req.NewPassword); err != nil {
			return err
		}
	}
	if req.Name != nil || req.AvatarURL.Set {
		prof := users.Profile{Name: req.Name}
		if req.AvatarURL.Set {
			prof.AvatarURL = &req.AvatarURL.Value
		}
		if _, err := s.deps.Auth.Users().UpdateProfile(ctx, p.UserID, prof); err != nil {
			return err
		}
	}
	return s.getMe(c)
}

// listSessions is GET /auth/sessions.
func (s *Server) listSessions(c echo.Context) error {
	items, err := s.deps.Auth.Sessions(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// deleteSession is DELETE /auth/sessions/{id}.
func (s *Server) deleteSession(c echo.Context) error {
	id, err := pathUUID(c, "id", auth.ErrSessionNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Auth.EndSession(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type setupRequest struct {
	Token    string `json:"token" validate:"required,max=128"`
	Email    string `json:"email" validate:"required,max=254"`
	Name     string `json:"name" validate:"required,min=1,max=100"`
	Password string `json:"password" validate:"required,min=8,max=256"`
}

// completeSetup is POST /auth/setup.
func (s *Server) completeSetup(c echo.Context) error {
	var req setupRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Auth.CompleteSetup(c.Request().Context(), c.Response(), c.Request(), req.Token,
		users.NewLocal{Email: req.Email, Name: req.Name, Password: req.Password})
	if err != nil {
		return err
	}
	m, err := s.meFor(c, u, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, m)
}

// startOIDCLogin is GET /auth/oidc/{provider}/login.
func (s *Server) startOIDCLogin(c echo.Context) error {
	to, err := s.deps.Auth.BeginOIDC(c.Response(), c.Request(), c.Param("provider"), c.QueryParam("return_to"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, to)
}

// handleOIDCCallback is GET /auth/oidc/{provider}/callback.
func (s *Server) handleOIDCCallback(c echo.Context) error {
	to, err := s.deps.Auth.FinishOIDC(c.Request().Context(), c.Response(), c.Request(), c.Param("provider"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, to)
}

// optional tells "absent" from "null" in a JSON body.
type optional[T any] struct {
	Set   bool
	Value *T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// pathUUID reads a UUID path parameter; anything else is notFound (an id
// that cannot exist).
func pathUUID(c echo.Context, name string, notFound error) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}
