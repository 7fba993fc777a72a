package clip

import "testing"

func TestString(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer text", 8, "a longer…"},
		{"héllo", 2, "h…"}, // é is two bytes: not split
		{"日本語", 4, "日…"},
		{"abc", 0, "…"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := String(tt.in, tt.n); got != tt.want {
			t.Errorf("String(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestStripBidi(t *testing.T) {
	for in, want := range map[string]string{
		"Invoice\u202egpj.exe":              "Invoicegpj.exe",
		"\u2066a\u2069 \u202ab\u202c\u200e": "a b",
		"שלום world":                        "שלום world",
		"family 👨\u200d👩\u200d👧":            "family 👨\u200d👩\u200d👧", // ZWJ stays
		"plain":                             "plain",
	} {
		if got := StripBidi(in); got != want {
			t.Errorf("StripBidi(%q) = %q, want %q", in, got, want)
		}
	}
}
