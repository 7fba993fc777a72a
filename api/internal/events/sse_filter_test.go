package events

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		admin   bool
		want    Filter
		wantErr error
	}{
		{name: "default is own", query: "", want: Filter{UserID: "u1"}},
		{name: "own", query: "?scope=own", want: Filter{UserID: "u1"}},
		{name: "admin all", query: "?scope=all", admin: true, want: Filter{UserID: "u1", All: true}},
		{name: "admin default is own", query: "", admin: true, want: Filter{UserID: "u1"}},
		{name: "user asks all", query: "?scope=all", wantErr: ErrScopeForbidden},
		{name: "unknown scope", query: "?scope=everything", admin: true, wantErr: ErrBadFilter},
		{name: "types", query: "?types=download.progress,log.appended", want: Filter{UserID: "u1", Types: []string{"download.progress", "log.appended"}}},
		{name: "types repeated, spaced, duplicated", query: "?types=download.progress&types=%20file.created%20,,download.progress", want: Filter{UserID: "u1", Types: []string{"download.progress", "file.created"}}},
		{name: "type prefix", query: "?types=download.*", want: Filter{UserID: "u1", Types: []string{"download.*"}}},
		{name: "bare star", query: "?types=*", wantErr: ErrBadFilter},
		{name: "bad type", query: "?types=Download.Progress", wantErr: ErrBadFilter},
		{name: "well-formed but unknown type", query: "?types=download.finished", wantErr: ErrBadFilter},
		{name: "another family", query: "?types=users.*", wantErr: ErrBadFilter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFilter(httptest.NewRequest("GET", "/events"+tt.query, nil).URL.Query(), "u1", tt.admin)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAppendFrame(t *testing.T) {
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{"event", Event{ID: "1", Type: "a.b", Data: []byte(`{"x":1}`)}, "id: 1\nevent: a.b\ndata: {\"x\":1}\n\n"},
		{"no data", Event{ID: "2", Type: "a"}, "id: 2\nevent: a\ndata: null\n\n"},
		{"line breaks dropped", Event{ID: "3\r\n", Type: "a", Data: []byte("{\r\n\"x\":\r1\n}")}, "id: 3\nevent: a\ndata: {\"x\":1}\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendFrame(nil, tt.e)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
