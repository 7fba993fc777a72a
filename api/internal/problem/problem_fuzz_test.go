package problem

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"testing"
	"unicode/utf8"
)

// typeURI is what New makes of any title: the base and a lower-case,
// dash-separated slug (possibly empty).
var typeURI = regexp.MustCompile(`^https://downlink\.dev/problems/([a-z0-9]+(-[a-z0-9]+)*)?$`)

// FuzzProblemBody: any problem, built from arbitrary strings the way
// packages build theirs (New, WithDetail, WithField, With, WithHeader,
// WithCause), renders as valid JSON carrying the RFC 9457 members, keeps
// extensions from overriding them, never shows its Cause, and never
// changes the problem it was copied from (packages share sentinels).
func FuzzProblemBody(f *testing.F) {
	f.Add(404, "Download not found", "No download 42.", "url", "must be an http(s) URL", "reset_at", "2026-01-01T00:00:00Z", int64(7), 1.5, "/api/v1/downloads/42", "req-1", "dial tcp 10.0.0.1:5432: connection refused")
	f.Add(500, "Internal server error", "", "", "", "status", "200", int64(-1), 0.0, "", "", "password=hunter2")
	f.Add(422, "Validation failed", "Some fields are not valid.", "options.preset", "must be one of: best, audio", "type", "about:blank", int64(1)<<62, -2.5e300, "/x", "r", "")
	f.Add(0, "", "", "", "", "", "", int64(0), math.Inf(1), "", "", "")
	f.Add(999, "Ünïcödé — “quotes” \u2028 \x00 \xff", "<script>alert(1)</script>", "a\"b", "\\", "title", "\x7f", int64(math.MinInt64), math.NaN(), "/%2e%2e/", "\n", "\xc3")
	f.Add(-1, "%s %d %!", "%v", "errors", "x", "detail", "y", int64(3), 1e-320, "instance", "request_id", "cause")
	// An extension named like a member that is unset must not stand in
	// for it (found while writing this target; Body let it).
	f.Add(409, "Conflict", "", "", "", "instance", "not a URI", int64(0), 0.0, "", "", "")
	f.Add(409, "Conflict", "", "", "", "detail", "from an extension", int64(0), 0.0, "", "", "")
	f.Fuzz(func(t *testing.T, status int, title, detail, field, message, extKey, extStr string, extInt int64, extFloat float64,
		instance, requestID, cause string) {
		base := New(status, title)
		baseCopy := *base
		p := base.WithDetail("%s", detail).With(extKey, extStr).With(extKey+"_n", extInt).WithHeader("Retry-After", extStr)
		// JSON has no NaN or infinity; no package puts a float in a
		// problem today, and one that does must send a finite one.
		if !math.IsNaN(extFloat) && !math.IsInf(extFloat, 0) {
			p = p.With(extKey+"_f", extFloat)
		}
		if field != "" || message != "" {
			p = p.WithField(field, message)
		}
		p.Instance, p.RequestID = instance, requestID

		if !typeURI.MatchString(p.Type) {
			t.Fatalf("type %q is not the base plus a slug", p.Type)
		}
		if base.Detail != baseCopy.Detail || len(base.Errors) != 0 || len(base.Extensions) != 0 || len(base.Headers) != 0 {
			t.Fatalf("building a problem changed the one it was copied from: %+v", base)
		}

		body := render(t, p)
		withCause := p.WithCause(errors.New(cause))
		if got := render(t, withCause); !bytes.Equal(got, body) {
			t.Fatalf("the cause changes the body:\nwithout: %s\nwith:    %s", body, got)
		}
		direct, err := json.Marshal(withCause)
		if err != nil || !json.Valid(direct) {
			t.Fatalf("json.Marshal(problem) = %s, %v", direct, err)
		}
		if plain, _ := json.Marshal(p); !bytes.Equal(direct, plain) {
			t.Fatalf("json.Marshal(problem) shows its cause:\nwithout: %s\nwith:    %s", plain, direct)
		}

		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("body is not a JSON object: %v: %s", err, body)
		}
		if got, ok := m["type"].(string); !ok || got != p.Type {
			t.Fatalf("type member %v, want %q", m["type"], p.Type)
		}
		if got, ok := m["status"].(float64); !ok || got != float64(status) {
			t.Fatalf("status member %v, want %d", m["status"], status)
		}
		if got, ok := m["title"].(string); !ok || utf8.ValidString(title) && got != title {
			t.Fatalf("title member %v, want %q", m["title"], title)
		}
		checkOptional(t, m, "detail", detail)
		checkOptional(t, m, "instance", instance)
		checkOptional(t, m, "request_id", requestID)
		if field != "" || message != "" {
			errs, ok := m["errors"].([]any)
			if !ok || len(errs) != 1 {
				t.Fatalf("errors member %v, want one field error", m["errors"])
			}
		}
		if _, ok := m["Cause"]; ok {
			t.Fatal("body has a Cause member")
		}
		if _, ok := m["Headers"]; ok {
			t.Fatal("body has a Headers member")
		}
	})
}

// render encodes a problem's body as the HTTP layer does.
func render(t *testing.T, p *Problem) []byte {
	t.Helper()
	b, err := json.Marshal(p.Body())
	if err != nil {
		t.Fatalf("body does not encode: %v (%+v)", err, p.Body())
	}
	if !json.Valid(b) {
		t.Fatalf("invalid JSON: %s", b)
	}
	return b
}

// checkOptional checks a string member that is present exactly when set.
func checkOptional(t *testing.T, m map[string]any, key, want string) {
	t.Helper()
	got, present := m[key]
	switch {
	case want == "" && present:
		t.Fatalf("%s member %v present for an empty value", key, got)
	case want != "" && !present:
		t.Fatalf("%s member missing, want %q", key, want)
	case want != "" && utf8.ValidString(want) && got != want:
		t.Fatalf("%s member %v, want %q", key, got, want)
	}
}
