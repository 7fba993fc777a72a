package files

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// checkSanitizedName fails unless name is a safe file name stem.
func checkSanitizedName(t *testing.T, in, name string) {
	t.Helper()
	switch {
	case name == "":
		t.Fatalf("SanitizeName(%q) is empty", in)
	case !utf8.ValidString(name):
		t.Fatalf("SanitizeName(%q) = %q is not valid UTF-8", in, name)
	case len(name) > maxNameBytes:
		t.Fatalf("SanitizeName(%q) is %d bytes, more than %d", in, len(name), maxNameBytes)
	case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-"):
		t.Fatalf("SanitizeName(%q) = %q starts with a dot or dash", in, name)
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		t.Fatalf("SanitizeName(%q) = %q ends with a dot or space", in, name)
	case strings.ContainsAny(name, `/\`+"\x00"):
		t.Fatalf("SanitizeName(%q) = %q holds a path separator or NUL", in, name)
	case filepath.Base(name) != name || !filepath.IsLocal(name):
		t.Fatalf("SanitizeName(%q) = %q is not a plain local name", in, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("SanitizeName(%q) = %q holds control or format character %U", in, name, r)
		}
	}
}

var sanitizeSeeds = []string{
	"", " ", ".", "..", "...", "-", "--exec", "-rf /", ".hidden", "..\\..\\boot.ini",
	"../../etc/passwd", "/etc/passwd", `C:\Windows\System32`, "a/b\\c:d*e?f\"g<h>i|j",
	"Never Gonna Give You Up (Official Video)", "  spaced   out  ", "tab\there", "new\nline", "cr\rlf",
	"nul\x00byte", "del\x7f", "bell\a", "\u202egnp.exe", "zero\u200bwidth", "bom\ufeff", "\u2028line\u2029sep",
	"émoji 🎵 名前 – ümlaut", strings.Repeat("a", 400), strings.Repeat("é", 200), strings.Repeat("🎵", 100),
	strings.Repeat("a", 179) + "é", strings.Repeat("a", 179) + ".", strings.Repeat(" .", 200),
	"\xff\xfe invalid utf8", "\xc3", "trailing dots...", "trailing space ", "CON", "nul", "com1", "LPT1",
	"_underscore", "-._ -._", "\u00a0nbsp\u00a0", "\u3000ideographic space", "…", "%2e%2e%2f",
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range sanitizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := SanitizeName(in)
		checkSanitizedName(t, in, out)
		if again := SanitizeName(out); again != out {
			t.Fatalf("SanitizeName is not stable: %q → %q → %q", in, out, again)
		}
	})
}

// TestSanitizeNameSeeds runs the seeds as plain tests, with a few exact
// answers.
func TestSanitizeNameSeeds(t *testing.T) {
	for _, s := range sanitizeSeeds {
		checkSanitizedName(t, s, SanitizeName(s))
	}
	exact := map[string]string{
		"":                     "download",
		"../../etc/passwd":     "etc_passwd",
		"--exec":               "exec",
		".hidden":              "hidden",
		"a/b\\c":               "a_b_c",
		"  spaced   out  ":     "spaced out",
		"trailing dots...":     "trailing dots",
		"\u202egnp.exe":        "gnp.exe",
		"Never Gonna: Part 2?": "Never Gonna_ Part 2_",
	}
	for in, want := range exact {
		if got := SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
