package apikeys

import (
	"strings"
	"testing"
)

func TestGeneratedKeysAreWellFormedAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		k, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != KeyLen || !strings.HasPrefix(k, "dlk_") {
			t.Fatalf("key %q: length %d", k, len(k))
		}
		if !WellFormed(k) {
			t.Fatalf("generated key %q fails its own checksum", k)
		}
		if seen[k] {
			t.Fatal("duplicate key")
		}
		seen[k] = true
	}
}

func TestWellFormedRejectsTypos(t *testing.T) {
	k, _ := Generate()
	flip := func(i int) string {
		b := []byte(k)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	tests := []struct {
		name string
		key  string
	}{
		{"empty", ""},
		{"prefix only", "dlk_"},
		{"wrong prefix", "dlx_" + k[4:]},
		{"one char changed in body", flip(10)},
		{"one char changed in checksum", flip(len(k) - 1)},
		{"truncated", k[:len(k)-1]},
		{"extended", k + "a"},
		{"non-base62", k[:20] + "-" + k[21:]},
		{"swapped neighbours", k[:10] + string(k[11]) + string(k[10]) + k[12:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.key == k {
				t.Skip("the swap produced the same key")
			}
			if WellFormed(tt.key) {
				t.Fatalf("%q accepted", tt.key)
			}
		})
	}
}

func FuzzWellFormed(f *testing.F) {
	k, _ := Generate()
	f.Add(k)
	f.Add("dlk_")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if WellFormed(s) && (len(s) != KeyLen || !strings.HasPrefix(s, Prefix)) {
			t.Fatalf("accepted malformed %q", s)
		}
	})
}

func BenchmarkWellFormed(b *testing.B) {
	k, _ := Generate()
	for b.Loop() {
		if !WellFormed(k) {
			b.Fatal("rejected")
		}
	}
}
