package events

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	tests := []struct {
		name     string
		in       Event
		wantErr  bool
		wantData string
	}{
		{name: "minimal", in: Event{Type: TypeDownloadProgress}},
		{name: "data compacted", in: Event{Type: "a.b", Data: []byte("{\n  \"id\": 1,\r\n  \"x\": [1, 2]\n}")}, wantData: `{"id":1,"x":[1,2]}`},
		{name: "keeps id and time", in: Event{ID: "given", Type: "a", Time: fixed}},
		{name: "empty type", in: Event{}, wantErr: true},
		{name: "upper-case type", in: Event{Type: "Download.Updated"}, wantErr: true},
		{name: "type with newline", in: Event{Type: "a\nb"}, wantErr: true},
		{name: "type too long", in: Event{Type: strings.Repeat("a", maxTypeLen+1)}, wantErr: true},
		{name: "id with newline", in: Event{Type: "a", ID: "x\ny"}, wantErr: true},
		{name: "data not json", in: Event{Type: "a", Data: []byte("{nope")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalize(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidEvent) {
					t.Fatalf("err = %v, want ErrInvalidEvent", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID == "" || (tt.in.ID != "" && got.ID != tt.in.ID) {
				t.Errorf("ID = %q", got.ID)
			}
			if got.Time.IsZero() || got.Time.Location() != time.UTC {
				t.Errorf("Time = %v, want set and UTC", got.Time)
			}
			if !tt.in.Time.IsZero() && !got.Time.Equal(tt.in.Time) {
				t.Errorf("Time = %v, want %v", got.Time, tt.in.Time)
			}
			if tt.wantData != "" && string(got.Data) != tt.wantData {
				t.Errorf("Data = %s, want %s", got.Data, tt.wantData)
			}
		})
	}
}

func TestNewIDSortsByCreation(t *testing.T) {
	prev := NewID()
	for range 1000 {
		id := NewID()
		if id <= prev {
			t.Fatalf("NewID not increasing: %s after %s", id, prev)
		}
		prev = id
	}
}
