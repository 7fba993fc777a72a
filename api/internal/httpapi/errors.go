package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// errorHandler is Echo's one HTTPErrorHandler: every error a handler or
// middleware returns becomes an RFC 9457 problem. Known errors keep their
// status and safe text; anything else is a 500 whose cause goes to the log
// and never to the client.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		s.log.Debug("error after response started", "err", err, "path", c.Path())
		return
	}
	if clientGone(c.Request().Context(), err) {
		// Nobody reads the answer: the request line (logRequests) records
		// a 499 at INFO, and nothing here is an error of ours.
		c.Response().WriteHeader(statusClientClosed)
		return
	}
	// A copy: the error may be a package's shared sentinel, and concurrent
	// requests must not write their ids into it.
	cp := *toProblem(err)
	p := &cp
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 {
		s.log.Error("request failed", "status", p.Status, "err", err,
			"method", c.Request().Method, "route", c.Path(), "request_id", p.RequestID)
		if p.Status == http.StatusInternalServerError {
			// The cause stays in the log; the client gets the generic text.
			p = problem.ErrInternal.WithDetail("Something went wrong on our side. Quote request %s when you report it.", p.RequestID)
			p.Instance, p.RequestID = c.Request().URL.Path, c.Response().Header().Get(echo.HeaderXRequestID)
		}
	}
	writeProblem(c, p)
}

func writeProblem(c echo.Context, p *problem.Problem) {
	h := c.Response().Header()
	for k, v := range p.Headers {
		h.Set(k, v)
	}
	h.Set(echo.HeaderContentType, problem.ContentType)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(p.Status)
	// Written for HEAD too: net/http drops the body and keeps the
	// Content-Length GET would have.
	if b, err := encodeJSON(p.Body()); err == nil {
		_, _ = c.Response().Write(b)
	}
}

// toProblem maps an error to the problem the client sees.
func toProblem(err error) *problem.Problem {
	var p *problem.Problem
	if errors.As(err, &p) {
		return p
	}
	var verrs validator.ValidationErrors
	if errors.As(err, &verrs) {
		return validationProblem(verrs)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return fromEchoError(he)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	var opErr *net.OpError
	if store.ConnError(err) || errors.As(err, &opErr) && opErr.Op == "dial" {
		return errDatabaseDown.WithCause(err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return problem.FromStatus(http.StatusServiceUnavailable).WithDetail("The request took too long.").WithCause(err)
	}
	return problem.ErrInternal.WithCause(err)
}

// statusClientClosed is nginx's 499: the client went away before the
// answer was ready.
const statusClientClosed = 499

// clientGone reports whether err is only the request's own context ending
// because the client disconnected (not a deadline of ours).
func clientGone(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled)
}

var errTooLarge = problem.New(http.StatusRequestEntityTooLarge, "Request body too large")

// errDatabaseDown answers while the database cannot be reached: a
// temporary condition, so a 503 that says when to try again.
var errDatabaseDown = problem.New(http.StatusServiceUnavailable, "Database unavailable").
	WithDetail("The database cannot be reached right now; try again in a few seconds.").
	WithHeader("Retry-After", "5")

func fromEchoError(he *echo.HTTPError) *problem.Problem {
	switch he.Code {
	case http.StatusNotFound:
		return problem.ErrNotFound.WithDetail("No such API route.")
	case http.StatusMethodNotAllowed:
		return problem.FromStatus(http.StatusMethodNotAllowed).WithDetail("This route does not accept that method.")
	case http.StatusRequestEntityTooLarge:
		return errTooLarge
	case http.StatusUnsupportedMediaType:
		return problem.FromStatus(he.Code).WithDetail("Send JSON with Content-Type: application/json.")
	}
	p := problem.FromStatus(he.Code)
	if he.Code < 500 {
		if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
			p = p.WithDetail("%s", msg)
		}
	}
	if he.Internal != nil {
		p = p.WithCause(he.Internal)
	}
	return p
}

func validationProblem(verrs validator.ValidationErrors) *problem.Problem {
	p := problem.ErrValidation.WithDetail("Some fields are not valid.")
	for _, fe := range verrs {
		p = p.WithField(fieldPath(fe), validationMessage(fe))
	}
	return p
}

// fieldPath turns "CreateDownloadRequest.options.preset" into "options.preset".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if i := strings.IndexByte(ns, '.'); i >= 0 {
		return ns[i+1:]
	}
	return fe.Field()
}

func validationMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an e-mail address"
	case "url", "http_url":
		return "must be an http(s) URL"
	case "min":
		if fe.Kind().String() == "string" {
			return "must be at least " + fe.Param() + " characters"
		}
		return "must be at least " + fe.Param()
	case "max":
		if fe.Kind().String() == "string" {
			return "must be at most " + fe.Param() + " characters"
		}
		return "must be at most " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "uuid", "uuid4", "uuid7":
		return "must be a UUID"
	case "cidr":
		return "must be a CIDR like 10.0.0.0/8"
	case "gt":
		return "must be greater than " + fe.Param()
	case "gte":
		return "must be " + fe.Param() + " or more"
	case "lte":
		return "must be " + fe.Param() + " or less"
	case "dive":
		return "has an invalid element"
	}
	return "is not valid (" + fe.Tag() + ")"
}
