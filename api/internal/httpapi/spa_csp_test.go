package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// TestIndexCSPAllowsExactlyItsInlineScripts: index.html's inline script
// (the theme, set before first paint) runs under the CSP by its hash, a
// script with another text does not, and 'unsafe-inline' never appears in
// script-src. The browser journey's CSP check proves a browser agrees.
func TestIndexCSPAllowsExactlyItsInlineScripts(t *testing.T) {
	t.Parallel()
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	const theme = "\n      document.documentElement.classList.add(\"dark\");\n    "
	index := `<!doctype html><html><head><script>` + theme + `</script>` +
		`<script type="module" crossorigin src="/assets/index.js"></script></head><body></body></html>`
	for _, tc := range []struct {
		name, index, want string
	}{
		{"with the theme script", index, "script-src 'self' " + hash(theme) + ";"},
		{"without inline scripts", `<script type="module" src="/a.js"></script>`, "script-src 'self';"},
		{"no index.html", "", "script-src 'self';"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			csp := indexCSP([]byte(tc.index))
			if !strings.Contains(csp, tc.want) {
				t.Fatalf("CSP %q, want %q", csp, tc.want)
			}
			_, scriptSrc, _ := strings.Cut(csp, "script-src ")
			scriptSrc, _, _ = strings.Cut(scriptSrc, ";")
			if strings.Contains(scriptSrc, "unsafe-inline") || strings.Contains(scriptSrc, hash(theme+" ")) {
				t.Fatalf("CSP %q allows more than the page's own script", csp)
			}
		})
	}
}
