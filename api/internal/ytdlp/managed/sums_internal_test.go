package managed

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSums(t *testing.T) {
	t.Parallel()
	sum := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		in   string
		want map[string]string
		bad  bool
	}{
		{"sha256sum text mode", sum + "  yt-dlp_linux\n", map[string]string{"yt-dlp_linux": sum}, false},
		{"binary mode star", sum + " *yt-dlp_linux\n", map[string]string{"yt-dlp_linux": sum}, false},
		{"CRLF and blank lines", "\r\n" + strings.ToUpper(sum) + "  a\r\n\n" + sum + "  b c\n", map[string]string{"a": sum, "b c": sum}, false},
		{"one space", sum + " yt-dlp_linux\n", nil, true},
		{"not hex", strings.Repeat("zz", 32) + "  x\n", nil, true},
		{"empty", "\n\n", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSums([]byte(tc.in))
			var r *Refusal
			if tc.bad {
				if !errors.As(err, &r) || r.Code != CodeBadRelease {
					t.Fatalf("err %v, want a bad_release refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v", got)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestReleasedOn(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{"2026.10.26": "2026-10-26", "2026.1.5": "2026-01-05", "2026.11.02.233124": "2026-11-02"} {
		d, ok := releasedOn(v)
		if !ok || d.Format("2006-01-02") != want {
			t.Errorf("releasedOn(%q) = %v %v, want %s", v, d, ok, want)
		}
	}
	for _, v := range []string{"", "latest", "2026.13.40", "../2026.1.1"} {
		if _, ok := releasedOn(v); ok {
			t.Errorf("releasedOn(%q) accepted", v)
		}
	}
}
