// Package problem implements RFC 9457 problem details: the one error shape
// every Downlink API response uses.
package problem

import (
	"fmt"
	"net/http"
	"strings"
)

// ContentType is the media type of a problem details body.
const ContentType = "application/problem+json"

// typeBase prefixes the type URI of every problem Downlink defines.
const typeBase = "https://downlink.dev/problems/"

// FieldError names one invalid request field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem details object. It is also an error, so
// packages can return it (or wrap it) and the HTTP layer writes it as is.
//
// Only the exported JSON fields reach the client; Cause is for the log.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`

	// Instance is the request path; RequestID lets a user quote the log line.
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"request_id,omitempty"`

	// Extra members defined per problem type (e.g. "reset_at" for quotas).
	Extensions map[string]any `json:"-"`

	// Headers are added to the response (e.g. Retry-After).
	Headers map[string]string `json:"-"`

	// Cause is logged, never sent.
	Cause error `json:"-"`
}

// New returns a problem with the given status and title, its type derived
// from the title ("Download not found" → …/download-not-found).
func New(status int, title string) *Problem {
	return &Problem{Type: typeBase + slug(title), Title: title, Status: status}
}

// Error implements error.
func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", p.Status, p.Title)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	for _, fe := range p.Errors {
		fmt.Fprintf(&b, "; %s: %s", fe.Field, fe.Message)
	}
	if p.Cause != nil {
		b.WriteString(": " + p.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the cause so errors.Is sees through a problem.
func (p *Problem) Unwrap() error { return p.Cause }

// Is reports whether target is the same kind of problem (same type and
// status), so a copy made with WithDetail still matches its sentinel.
func (p *Problem) Is(target error) bool {
	t, ok := target.(*Problem)
	return ok && t.Type == p.Type && t.Status == p.Status
}

// WithDetail returns a copy carrying a human-readable detail.
func (p *Problem) WithDetail(format string, args ...any) *Problem {
	c := p.clone()
	c.Detail = fmt.Sprintf(format, args...)
	return c
}

// WithCause returns a copy that carries err for the log only.
func (p *Problem) WithCause(err error) *Problem {
	c := p.clone()
	c.Cause = err
	return c
}

// WithField returns a copy with one more field error.
func (p *Problem) WithField(field, message string) *Problem {
	c := p.clone()
	c.Errors = append(c.Errors, FieldError{Field: field, Message: message})
	return c
}

// WithHeader returns a copy that sets a response header.
func (p *Problem) WithHeader(key, value string) *Problem {
	c := p.clone()
	c.Headers[key] = value
	return c
}

// With returns a copy carrying an extension member.
func (p *Problem) With(key string, value any) *Problem {
	c := p.clone()
	c.Extensions[key] = value
	return c
}

func (p *Problem) clone() *Problem {
	c := *p
	c.Errors = append([]FieldError(nil), p.Errors...)
	c.Headers = make(map[string]string, len(p.Headers)+1)
	for k, v := range p.Headers {
		c.Headers[k] = v
	}
	c.Extensions = make(map[string]any, len(p.Extensions)+1)
	for k, v := range p.Extensions {
		c.Extensions[k] = v
	}
	return &c
}

// Body returns the JSON members of the problem, extensions included.
func (p *Problem) Body() map[string]any {
	m := map[string]any{"type": p.Type, "title": p.Title, "status": p.Status}
	if p.Detail != "" {
		m["detail"] = p.Detail
	}
	if len(p.Errors) > 0 {
		m["errors"] = p.Errors
	}
	if p.Instance != "" {
		m["instance"] = p.Instance
	}
	if p.RequestID != "" {
		m["request_id"] = p.RequestID
	}
	for k, v := range p.Extensions {
		if !isMember(k) {
			m[k] = v
		}
	}
	return m
}

// isMember says whether Body gives name to one of the problem's own
// fields; an extension never takes such a name, even while the field is
// unset (an "instance" extension must not pass for the request path).
func isMember(name string) bool {
	switch name {
	case "type", "title", "status", "detail", "errors", "instance", "request_id":
		return true
	}
	return false
}

// Invalid returns a 422 naming one bad field.
// Fix names the setting an administrator changes to make a refused request
// work: a problem's "fix" member, which the dashboard shows admins as a link.
type Fix struct {
	// Setting is the setting's key in the settings API
	// (generic_sites_enabled, allow_private_networks, platforms.<name>.enabled).
	Setting string `json:"setting"`
	// Label is what the dashboard calls the setting.
	Label string `json:"label"`
	// Href is the dashboard page where it is changed.
	Href string `json:"href"`
}

// WithFix returns a copy of p naming the setting that would allow the request.
func (p *Problem) WithFix(f Fix) *Problem { return p.With("fix", f) }

func Invalid(field, message string) *Problem {
	return ErrValidation.WithField(field, message)
}

// Common problems shared across packages.
var (
	ErrBadRequest      = New(http.StatusBadRequest, "Bad request")
	ErrValidation      = New(http.StatusUnprocessableEntity, "Validation failed")
	ErrUnauthorized    = New(http.StatusUnauthorized, "Authentication required")
	ErrForbidden       = New(http.StatusForbidden, "Forbidden")
	ErrNotFound        = New(http.StatusNotFound, "Not found")
	ErrConflict        = New(http.StatusConflict, "Conflict")
	ErrTooManyRequests = New(http.StatusTooManyRequests, "Too many requests")
	ErrInternal        = New(http.StatusInternalServerError, "Internal server error")
	ErrUnavailable     = New(http.StatusServiceUnavailable, "Service unavailable")
)

// FromStatus returns a generic problem for an HTTP status.
func FromStatus(status int) *Problem {
	title := http.StatusText(status)
	if title == "" {
		title = "Error"
	}
	return New(status, title)
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
