package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
)

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
