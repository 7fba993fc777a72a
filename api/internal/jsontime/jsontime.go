// Package jsontime gives every timestamp Downlink writes in JSON one form:
// RFC 3339 in UTC with exactly three fractional digits
// (2026-12-07T05:06:24.123Z). encoding/json writes a time.Time with 0–9
// fractional digits in its own zone, which some parsers (Python's strptime
// with %f) refuse; rather than a custom type on every field, the encoded
// bytes are normalized once where JSON leaves the server.
package jsontime

import (
	"bytes"
	"regexp"
	"time"
)

// Layout is the one timestamp form.
const Layout = "2006-01-02T15:04:05.000Z"

// Format writes t in Layout.
func Format(t time.Time) string { return t.UTC().Format(Layout) }

// KeyPattern is the rule for a timestamp member's name: `*_at`, `time`,
// `timestamp`, `cutoff` (openapi.yaml's date-time properties are all named
// so, which a test checks).
var KeyPattern = regexp.MustCompile(`^([a-z0-9_]*_at|time|timestamp|cutoff)$`)

func timestampKey(k []byte) bool {
	switch string(k) {
	case "time", "timestamp", "cutoff":
		return true
	}
	return bytes.HasSuffix(k, []byte("_at"))
}

func keyByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' }

// Normalize rewrites every timestamp member of b (compact JSON as
// encoding/json writes it: `"key":"value"` with no spaces) into Layout:
// a member whose name KeyPattern accepts and whose value parses as RFC
// 3339. Inside a JSON string every quote is escaped, so text within a
// string never passes for a member. Other bytes are left as they are; b is
// returned as it is when nothing changes.
func Normalize(b []byte) []byte {
	var out []byte // allocated at the first change
	done := 0      // b[:done] is in out
	pos := 0
	for {
		i := bytes.Index(b[pos:], []byte(`":"`))
		if i < 0 {
			break
		}
		m := pos + i // the quote that closes the key
		pos = m + 3
		ks := m
		for ks > 0 && keyByte(b[ks-1]) {
			ks--
		}
		if ks == m || ks == 0 || b[ks-1] != '"' || !timestampKey(b[ks:m]) {
			continue
		}
		v := m + 3
		e := bytes.IndexByte(b[v:min(len(b), v+40)], '"')
		if e < 20 {
			continue
		}
		val := b[v : v+e]
		if len(val) == len(Layout) && val[19] == '.' && val[23] == 'Z' {
			continue // already in Layout (or not a time at all)
		}
		var t time.Time
		utc, ok := fastUTC(val)
		if !ok {
			var err error
			if t, err = time.Parse(time.RFC3339Nano, string(val)); err != nil {
				continue
			}
		}
		if out == nil {
			out = make([]byte, 0, len(b)+len(b)/16)
		}
		out = append(out, b[done:v]...)
		if ok {
			out = append(out, utc[:]...)
		} else {
			out = t.UTC().AppendFormat(out, Layout)
		}
		done = v + e
		pos = done
	}
	if out == nil {
		return b
	}
	return append(out, b[done:]...)
}

// fastUTC rewrites a UTC timestamp as encoding/json writes one
// (2006-01-02T15:04:05[.fraction]Z) into Layout by moving bytes, as
// time.Format would (it truncates the fraction); ok is false for anything
// else, which then goes through time.Parse.
func fastUTC(v []byte) (out [len(Layout)]byte, ok bool) {
	n := len(v)
	if n < 20 || v[n-1] != 'Z' || n > 30 || n > 20 && (n == 21 || v[19] != '.') {
		return out, false
	}
	const shape = "dddd-dd-ddTdd:dd:dd"
	for i := range len(shape) {
		if c := v[i]; shape[i] == 'd' && (c < '0' || c > '9') || shape[i] != 'd' && c != shape[i] {
			return out, false
		}
	}
	frac := v[min(20, n-1) : n-1]
	for _, c := range frac {
		if c < '0' || c > '9' {
			return out, false
		}
	}
	// Range checks are time.Parse's: leave odd values to it.
	if v[5] > '1' || v[8] > '3' || v[11] > '2' || v[14] > '5' || v[17] > '5' {
		return out, false
	}
	copy(out[:19], v[:19])
	out[19] = '.'
	for i := range 3 {
		out[20+i] = '0'
		if i < len(frac) {
			out[20+i] = frac[i]
		}
	}
	out[23] = 'Z'
	return out, true
}
