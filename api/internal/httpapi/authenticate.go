package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// errTwoCredentials refuses a request that says who it is twice: which one
// acts would be a guess (a browser's session while a key was meant, or the
// other way round).
var errTwoCredentials = problem.New(http.StatusBadRequest, "Two credentials").
	WithDetail("This request carries two credentials (a session cookie and an API key, or two different API keys): send exactly one.")

// twoCredentials reports whether r carries a session cookie and an API
// key, or two different keys (X-API-Key and Authorization: Bearer).
func twoCredentials(r *http.Request) bool {
	header := strings.TrimSpace(r.Header.Get("X-API-Key"))
	bearer := ""
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		bearer = strings.TrimSpace(a[7:])
	}
	if header != "" && bearer != "" && header != bearer {
		return true
	}
	if _, isKey := apikeys.Credential(r); !isKey {
		return false
	}
	for _, name := range []string{auth.CookieName, auth.SecureCookieName} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return true
		}
	}
	return false
}

// Authenticator recognises one kind of credential on a request. It returns
// (nil, nil) when the request does not carry its kind of credential, and an
// error (usually a 401 problem) when it carries a bad one.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request) (*authz.Principal, error)
}

// authenticate runs the authenticators in order; the first that
// recognises a credential decides. Anonymous requests go on without a
// principal, and a bad credential is remembered rather than returned:
// the route's access rule decides (public routes ignore it, so a stale
// cookie never locks anyone out of the login page).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := authz.WithClientIP(r.Context(), c.RealIP())
		if twoCredentials(r) {
			c.Set(authErrorKey, errTwoCredentials)
			c.SetRequest(r.WithContext(ctx))
			return next(c)
		}
		for _, a := range s.deps.Authenticators {
			p, err := a.Authenticate(ctx, r)
			if err != nil {
				c.Set(authErrorKey, err)
				break
			}
			if p != nil {
				ctx = authz.WithPrincipal(ctx, p)
				break
			}
		}
		c.SetRequest(r.WithContext(ctx))
		return next(c)
	}
}

// authErrorKey holds a credential's rejection until the route decides.
const authErrorKey = "downlink.auth_error"
