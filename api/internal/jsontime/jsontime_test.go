package jsontime

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	loc := time.FixedZone("x", 3600)
	v := map[string]any{
		"created_at":  time.Date(2026, 12, 7, 5, 6, 24, 123456789, time.UTC),
		"finished_at": time.Date(2026, 12, 7, 6, 6, 24, 0, loc),
		"time":        time.Date(2026, 12, 7, 5, 6, 24, 120000000, time.UTC),
		"nested":      []any{map[string]any{"expires_at": time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)}},
		// A string that only looks like a timestamp member stays as it is.
		"title":     `"created_at":"2026-12-07T05:06:24.1234Z"`,
		"name":      "2026-12-07T05:06:24.1234Z",
		"reset_at":  nil,
		"not_at_ok": "2026-13-45T99:99:99Z",
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(Normalize(b), &got); err != nil {
		t.Fatalf("%v\n%s", err, Normalize(b))
	}
	want := map[string]any{
		"created_at":  "2026-12-07T05:06:24.123Z",
		"finished_at": "2026-12-07T05:06:24.000Z",
		"time":        "2026-12-07T05:06:24.120Z",
		"title":       `"created_at":"2026-12-07T05:06:24.1234Z"`,
		"name":        "2026-12-07T05:06:24.1234Z",
		"not_at_ok":   "2026-13-45T99:99:99Z",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	if e := got["nested"].([]any)[0].(map[string]any)["expires_at"]; e != "2026-01-02T03:04:05.000Z" {
		t.Errorf("nested: %v", e)
	}
	if got["reset_at"] != nil {
		t.Errorf("null changed: %v", got["reset_at"])
	}
}

// BenchmarkNormalize: a list page of 200 download-like items.
func BenchmarkNormalize(b *testing.B) {
	type item struct {
		ID        string     `json:"id"`
		Title     string     `json:"title"`
		URL       string     `json:"url"`
		CreatedAt time.Time  `json:"created_at"`
		UpdatedAt time.Time  `json:"updated_at"`
		StartedAt *time.Time `json:"started_at"`
	}
	now := time.Now()
	items := make([]item, 200)
	for i := range items {
		items[i] = item{ID: "01931c2a-5e8f-7b40-9c3d-2e1f0a9b8c7d", Title: "Never Gonna Give You Up (Official Video)",
			URL: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", CreatedAt: now, UpdatedAt: now, StartedAt: &now}
	}
	raw, _ := json.Marshal(map[string]any{"items": items})
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		Normalize(raw)
	}
}

// TestFastPathAgreesWithTime: the byte-moving path gives what time.Format
// gives, for every fraction length encoding/json writes.
func TestFastPathAgreesWithTime(t *testing.T) {
	base := time.Date(2026, 12, 7, 23, 59, 58, 0, time.UTC)
	for _, ns := range []int{0, 1, 100, 120000000, 123000000, 123400000, 123456789, 999999999, 5000000} {
		tm := base.Add(time.Duration(ns))
		in, _ := tm.MarshalJSON()
		got, ok := fastUTC(in[1 : len(in)-1])
		if !ok || string(got[:]) != Format(tm) {
			t.Errorf("%s: fast %q ok=%v, want %q", in, got, ok, Format(tm))
		}
	}
	for _, bad := range []string{"2026-12-07T05:06:24+01:00", "2026-12-07T05:06:24.Z", "2026-12-07 05:06:24Z", "2026-12-07T05:06:24.12aZ"} {
		if _, ok := fastUTC([]byte(bad)); ok {
			t.Errorf("%q took the fast path", bad)
		}
	}
}
