package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// access says who may call a route. It sits next to each route in the
// route table and is what the authorization tests read.
type access struct {
	// public routes need no authentication.
	public bool
	// scope is what an API key must hold (a session holds every scope its
	// role allows); empty means any authenticated caller.
	scope authz.Scope
	// adminOnly routes refuse non-admins, whatever the scope.
	adminOnly bool
	// sessionOnly routes refuse API keys (account and key management).
	sessionOnly bool
	// duringPasswordChange routes stay open to a session whose password
	// is a temporary one (every other route refuses it).
	duringPasswordChange bool
}

// Access constructors, so the route table reads like a sentence.
func public() access                      { return access{public: true} }
func needs(scope authz.Scope) access      { return access{scope: scope} }
func adminNeeds(scope authz.Scope) access { return access{scope: scope, adminOnly: true} }
func sessionUser() access                 { return access{sessionOnly: true} }
func sessionAdmin() access                { return access{sessionOnly: true, adminOnly: true} }

// ownAccount is sessionUser for the routes a temporary password allows:
// reading and changing one's account, signing out.
func ownAccount() access { return access{sessionOnly: true, duringPasswordChange: true} }

var (
	errKeyNotAllowed = problem.New(403, "Browser session required").
				WithDetail("This route manages your account and cannot be called with an API key.")
	errAdminOnly    = problem.New(403, "Admin only").WithDetail("Only administrators may do this.")
	errMissingScope = authz.ErrMissingScope
)

// authorize enforces a route's access rule on the caller that the
// authentication middleware put in the request context.
func authorize(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if a.public {
				return next(c)
			}
			if err, ok := c.Get(authErrorKey).(error); ok {
				return err
			}
			p := authz.FromContext(c.Request().Context())
			if p == nil {
				return problem.ErrUnauthorized.WithDetail("Sign in, or send an API key as 'Authorization: Bearer dlk_…' or 'X-API-Key'.").
					WithHeader("WWW-Authenticate", `Bearer realm="downlink"`)
			}
			if a.sessionOnly && p.Method != authz.MethodSession {
				return errKeyNotAllowed
			}
			if p.MustChangePassword && !a.duringPasswordChange {
				return auth.ErrPasswordChangeRequired
			}
			if a.adminOnly && !p.IsAdmin() {
				return errAdminOnly
			}
			if a.scope != "" && !p.Can(a.scope) {
				return errMissingScope.WithDetail("This API key lacks the %q scope.", a.scope).With("required_scope", a.scope)
			}
			return next(c)
		}
	}
}

// principal returns the caller of an authorized route.
func principal(c echo.Context) *authz.Principal {
	return authz.FromContext(c.Request().Context())
}
