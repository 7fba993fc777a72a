package apikeys

import (
	"net/http/httptest"
	"testing"
)

func TestKeyInQuery(t *testing.T) {
	tests := []struct {
		query string
		want  bool
	}{
		{"", false},
		{"limit=5&cursor=abc", false},
		{"q=dlk", false},
		{"api_key=anything", true},
		{"apikey=x", true},
		{"API_KEY=x", true},
		{"access_token=x", true},
		{"q=dlk_abc", true},
		{"q=dlk%5Fabc", true}, // an escaped underscore is still a key
		{"q=%64lk_abc", true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/system?"+tt.query, nil)
			if got := keyInQuery(r); got != tt.want {
				t.Fatalf("keyInQuery(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}
