package httpapi

import (
	"net/url"

	"github.com/labstack/echo/v4"
)

// audit records who did what to what, for the audit trail: one log record
// with source "audit", a message for people, the action for programs
// ("user.updated"), the actor's IP and the request id.
func (s *Server) audit(c echo.Context, message, action string, attrs ...any) {
	base := []any{"audit", true, "action", action, "ip", c.RealIP(),
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID)}
	s.auditLog.InfoContext(c.Request().Context(), message, append(base, attrs...)...)
}

// checkHTTPURL accepts absolute http(s) URLs.
func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errNotHTTPURL
	}
	return nil
}

type urlError string

func (e urlError) Error() string { return string(e) }

const errNotHTTPURL = urlError("must be an http(s) URL")
