package logs

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/store"
)

// Limits that keep one record from filling the table or an event.
const (
	maxMessage  = 4 << 10 // bytes of a stored message
	maxValue    = 4 << 10 // bytes of one stored string value
	maxAttrKeys = 64      // attributes kept per record
)

// field is one flattened attribute: groups become dotted prefixes.
type field struct {
	key string
	val slog.Value
}

// flatten appends a's leaves to dst with prefix ("" or "group.").
func flatten(dst []field, prefix string, a slog.Attr) []field {
	if a.Equal(slog.Attr{}) {
		return dst
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p = prefix + a.Key + "."
		}
		for _, g := range a.Value.Group() {
			dst = flatten(dst, p, g)
		}
		return dst
	}
	return append(dst, field{key: prefix + a.Key, val: a.Value})
}

// columns are the attributes stored in their own columns rather than in
// attrs (top-level keys only).
var columns = map[string]bool{"source": true, "request_id": true, "user_id": true, "download_id": true,
	"actor_id": true, "ip": true, "target": true, "action": true, "audit": true}

// newRow builds the stored form of a record from its flattened, redacted
// attributes. Attributes repeated later (a record's own after its
// logger's) win.
func newRow(t time.Time, level slog.Level, msg string, fields []field, dbSecrets []string) row {
	r := row{ID: store.NewID(), LoggedAt: t.UTC().Truncate(time.Microsecond), Level: int(level), Message: clip.String(msg, maxMessage)}
	attrs := make(map[string]any, len(fields))
	for _, f := range fields {
		if f.key == SetupTokenKey {
			attrs[f.key] = Redacted // printed for the admin, never stored
			continue
		}
		if columns[f.key] && r.setColumn(f.key, f.val) {
			delete(attrs, f.key)
			continue
		}
		if len(attrs) < maxAttrKeys {
			attrs[f.key] = jsonValue(f.val)
		}
	}
	if r.Source == "" {
		r.Source = sourceSystem
	} else if !KnownSource(r.Source) {
		attrs["component"] = r.Source
		r.Source = sourceSystem
	}
	if r.Source == "audit" {
		r.Audit = true
	}
	if r.Audit && r.Action == nil {
		a := clip.String(msg, 128)
		r.Action = &a
	}
	r.Attrs = encodeAttrs(attrs)
	for _, s := range dbSecrets {
		r.Message = strings.ReplaceAll(r.Message, s, Redacted)
		r.Attrs = strings.ReplaceAll(r.Attrs, s, Redacted)
	}
	return r
}

// setColumn stores a column attribute, reporting false when the value does
// not fit its column (it then stays in attrs).
func (r *row) setColumn(key string, v slog.Value) bool {
	s := valueText(v)
	switch key {
	case "source":
		r.Source = s
	case "audit":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return false
		}
		r.Audit = b
	case "user_id", "download_id", "actor_id":
		id, err := uuid.Parse(s)
		if err != nil || id == uuid.Nil {
			return false
		}
		switch key {
		case "user_id":
			r.UserID = &id
		case "download_id":
			r.DownloadID = &id
		default:
			r.ActorID = &id
		}
	case "request_id", "ip", "target", "action":
		if s == "" || len(s) > 255 {
			return false
		}
		switch key {
		case "request_id":
			if len(s) > 64 {
				return false
			}
			r.RequestID = &s
		case "ip":
			r.IP = &s
		case "target":
			r.Target = &s
		default:
			r.Action = &s
		}
	}
	return true
}

// valueText is a value as plain text.
func valueText(v slog.Value) string {
	if v.Kind() == slog.KindString {
		return v.String()
	}
	if s, ok := v.Any().(string); ok {
		return s
	}
	return v.String()
}

// jsonValue converts a redacted value to what attrs stores.
func jsonValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindString:
		return clip.String(v.String(), maxValue)
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return v.Uint64()
	case slog.KindFloat64:
		f := v.Float64()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return f
	case slog.KindBool:
		return v.Bool()
	case slog.KindDuration:
		return v.Duration().String()
	case slog.KindTime:
		return v.Time().UTC().Format(time.RFC3339Nano)
	}
	switch x := v.Any().(type) {
	case string:
		return clip.String(x, maxValue)
	case nil, bool, float64, []any, map[string]any:
		return x // the redactor's JSON trees
	}
	return clip.String(v.String(), maxValue)
}

// encodeAttrs is the JSON of attrs, without HTML escaping so a text search
// finds what was logged.
func encodeAttrs(attrs map[string]any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(attrs); err != nil {
		return "{}"
	}
	return strings.TrimSuffix(b.String(), "\n")
}
