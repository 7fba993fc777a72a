package ytdlp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/downlink/downlink/api/internal/problem"
)

// DecodeOptions decodes user options strictly: an unknown key, a value of
// the wrong type or trailing data is a 422 naming the field (e.g.
// "subtitles.lang"). Empty input and null are the zero Options. "latest"
// becomes PlaylistItems. It does not call Validate: the caller knows the
// platform's Constraints.
func DecodeOptions(raw json.RawMessage) (Options, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return Options{}, nil
	}
	// Check keys ourselves first: encoding/json's DisallowUnknownFields
	// names the key but not where it was, and stops at the first one.
	if err := checkKeys(raw, reflect.TypeFor[Options](), ""); err != nil {
		return Options{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var o Options
	if err := dec.Decode(&o); err != nil {
		return Options{}, decodeProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Options{}, problem.Invalid("options", "unexpected data after the options object")
	}
	if n := o.Latest; n != nil {
		switch {
		case *n < 1 || *n > MaxLatest:
			return Options{}, problem.Invalid("latest", "must be a whole number from 1 to "+strconv.Itoa(MaxLatest))
		case o.PlaylistItems != "":
			return Options{}, problem.Invalid("latest", "give latest or playlist_items, not both")
		}
		o.PlaylistItems, o.Latest = "1-"+strconv.Itoa(*n), nil
	}
	return o, nil
}

// checkKeys reports every key of the JSON object raw that t has no json
// field for, descending into nested structs.
func checkKeys(raw json.RawMessage, t reflect.Type, prefix string) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		field := strings.TrimSuffix(prefix, ".")
		if field == "" {
			field = "options"
		}
		return problem.Invalid(field, "must be an object")
	}
	fields := jsonFields(t)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	p := problem.ErrValidation
	for _, k := range keys {
		ft, ok := fields[k]
		if !ok {
			p = p.WithField(prefix+k, "unknown option")
			continue
		}
		if st := structType(ft); st != nil && !bytes.Equal(bytes.TrimSpace(obj[k]), []byte("null")) {
			if err := checkKeys(obj[k], st, prefix+k+"."); err != nil {
				var sub *problem.Problem
				if errors.As(err, &sub) {
					for _, fe := range sub.Errors {
						p = p.WithField(fe.Field, fe.Message)
					}
				}
			}
		}
	}
	if len(p.Errors) > 0 {
		return p
	}
	return nil
}

// jsonFields maps the json names of t's exported fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

// structType returns the struct behind t (or *t), nil for other kinds.
func structType(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return t
	}
	return nil
}

// decodeProblem turns a decoding error into a field error.
func decodeProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "options"
		}
		return problem.Invalid(field, fmt.Sprintf("must be %s", jsonKind(typeErr.Type)))
	case errors.As(err, &syntaxErr):
		return problem.Invalid("options", "is not valid JSON")
	case errors.Is(err, errAudioQualityType):
		// Our own UnmarshalJSON errors carry no field name.
		return problem.Invalid("audio_quality", err.Error())
	default:
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			return problem.Invalid(strings.Trim(f, `"`), "unknown option")
		}
		return problem.Invalid("options", "is not valid: "+msg)
	}
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(jsonKind(t.Elem()), "a ") + "s"
	case reflect.Struct, reflect.Pointer, reflect.Map:
		return "an object"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	default:
		return "of another type"
	}
}
