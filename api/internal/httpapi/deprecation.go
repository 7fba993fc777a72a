package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// deprecationPolicy is the versioning and deprecation policy
// (docs/api-versioning.md); deprecated answers link to it.
const deprecationPolicy = "https://downlink.dev/docs/api-versioning"

// deprecatedSince is when the current deprecations were made, as RFC 9745's
// Deprecation header writes it ("@" and Unix seconds): 2026-12-07T00:00Z.
const deprecatedSince = "@1796601600"

// deprecated marks an answer to a request that used something deprecated
// with a Deprecation header and a Link to the policy, as
// docs/api-versioning.md promises.
func deprecated(c echo.Context) {
	h := c.Response().Header()
	h.Set("Deprecation", deprecatedSince)
	h.Add("Link", "<"+deprecationPolicy+`>; rel="deprecation"; type="text/html"`)
}

// queryScope reads ?scope=, the one way to ask for everyone's data (lists,
// stats, storage and events alike): "own", "all" (admins only, else 403) or
// "" when not given, which leaves the route's documented default.
func queryScope(c echo.Context) (string, error) {
	switch scope := c.QueryParam("scope"); scope {
	case "", "own":
		return scope, nil
	case "all":
		if !principal(c).MayActOnOthers(authz.Read) {
			return "", errAdminOnly.WithDetail("Only administrators may ask for everyone's data (scope=all).")
		}
		return scope, nil
	default:
		return "", problem.ErrBadRequest.WithField("scope", "must be own or all")
	}
}
