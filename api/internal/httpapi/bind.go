package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/problem"
)

var errMalformedJSON = problem.New(http.StatusBadRequest, "Malformed JSON")

// newValidator reports fields by their JSON names.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	return v
}

// decode reads a JSON body strictly into dst and validates it: malformed
// JSON is a 400, an unknown or mistyped field a 422 naming it, a too-large
// body a 413.
// errNotJSON answers a body that is not sent as JSON.
var errNotJSON = problem.FromStatus(http.StatusUnsupportedMediaType)

func (s *Server) decode(c echo.Context, dst any) error {
	r := c.Request()
	switch ct := r.Header.Get(echo.HeaderContentType); {
	case ct == "" && r.ContentLength != 0:
		// A body of unknown type (a body-less request falls through to
		// "the request body is empty").
		return errNotJSON.WithDetail("The request has a body but no Content-Type: send JSON with Content-Type: application/json.")
	case ct != "":
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errNotJSON.WithDetail("The body was sent as %q: send JSON with Content-Type: application/json.", clip.String(ct, 80))
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errMalformedJSON.WithDetail("The body holds more than one JSON value.")
	}
	if err := s.validate.Struct(dst); err != nil {
		var inv *validator.InvalidValidationError
		if errors.As(err, &inv) {
			return nil // not a struct: nothing to validate
		}
		return err
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return errTooLarge
	case errors.Is(err, io.EOF):
		return errMalformedJSON.WithDetail("The request body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errMalformedJSON.WithDetail("The JSON body ends too early.")
	case errors.As(err, &syn):
		return errMalformedJSON.WithDetail("Invalid JSON at byte %d: %s.", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return errMalformedJSON.WithDetail("The body must be a JSON object.")
		}
		return problem.Invalid(field, fmt.Sprintf("must be %s", jsonKind(typ.Type)))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return problem.Invalid(name, "is not a known field")
	}
	var p *problem.Problem
	if errors.As(err, &p) {
		return p
	}
	return errMalformedJSON.WithDetail("%s", err.Error())
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of type " + t.String()
}
