package events

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEncodeNotify(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)
	big := strings.Repeat("x", 9000)
	tests := []struct {
		name          string
		data          string
		wantTruncated bool
		wantData      string // "" means: the original data
	}{
		{name: "small", data: `{"id":"d1","percent":50}`},
		{name: "no data", data: ""},
		{name: "html characters stay short", data: `{"t":"<a>&</a>"}`},
		{name: "just under the limit", data: `{"s":"` + strings.Repeat("y", MaxNotifyBytes-200) + `"}`},
		{name: "string id kept", data: `{"id":"d1","blob":"` + big + `"}`, wantTruncated: true, wantData: `{"id":"d1","truncated":true}`},
		{name: "number id kept", data: `{"blob":"` + big + `","id":42}`, wantTruncated: true, wantData: `{"id":42,"truncated":true}`},
		{name: "no id", data: `{"blob":"` + big + `"}`, wantTruncated: true, wantData: `{"truncated":true}`},
		{name: "object id not kept", data: `{"id":{"a":1},"blob":"` + big + `"}`, wantTruncated: true, wantData: `{"truncated":true}`},
		{name: "array data", data: `["` + big + `"]`, wantTruncated: true, wantData: `{"truncated":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Event{ID: NewID(), Type: TypeDownloadUpdated, UserID: "u1", Time: at}
			if tt.data != "" {
				in.Data = json.RawMessage(tt.data)
			}
			payload, truncated, err := encodeNotify("node-a", in)
			if err != nil {
				t.Fatal(err)
			}
			if len(payload) > MaxNotifyBytes {
				t.Fatalf("payload is %d bytes", len(payload))
			}
			if truncated != tt.wantTruncated {
				t.Fatalf("truncated = %v, want %v", truncated, tt.wantTruncated)
			}
			node, out, err := decodeNotify(string(payload))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.data
			if tt.wantData != "" {
				want = tt.wantData
			}
			if node != "node-a" || out.ID != in.ID || out.Type != in.Type || out.UserID != in.UserID ||
				!out.Time.Equal(at) || string(out.Data) != want || out.Truncated != tt.wantTruncated {
				t.Errorf("round trip: node %q, got %+v (data %s), want data %s", node, out, out.Data, want)
			}
		})
	}
}

func TestEncodeNotifyHugeUserID(t *testing.T) {
	e := Event{ID: NewID(), Type: "a", UserID: strings.Repeat("u", 9000), Time: time.Now()}
	if _, _, err := encodeNotify("n", e); !errors.Is(err, ErrInvalidEvent) {
		t.Fatalf("err = %v, want ErrInvalidEvent", err)
	}
}

func TestDecodeNotifyRejects(t *testing.T) {
	tests := []struct{ name, payload string }{
		{"not json", "{"},
		{"no type", `{"n":"x","i":"1"}`},
		{"bad type", `{"n":"x","i":"1","t":"A\nB"}`},
		{"no id", `{"n":"x","t":"a"}`},
		{"id with newline", `{"n":"x","i":"1\n2","t":"a"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := decodeNotify(tt.payload); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
