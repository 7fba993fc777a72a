// Package clip shortens text for logs, errors and stored messages: at most
// n bytes, cut at a character boundary, marked with "…" where it was cut.
package clip

import (
	"strings"
	"unicode/utf8"
)

// String returns s when it has at most n bytes, else its first n bytes or
// fewer (never half a character) followed by "…".
func String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Body is a response body as an error message quotes it: trimmed, and cut
// to 200 bytes.
func Body(b []byte) string { return String(strings.TrimSpace(string(b)), 200) }

// StripBidi removes the bidirectional formatting characters (embeddings,
// overrides, isolates and the directional marks) from text shown to
// people, such as a title from a remote page: "Invoice\u202Egpj.exe"
// would otherwise read as "Invoiceexe.jpg". Letters of right-to-left
// scripts are kept; they display correctly without these.
func StripBidi(s string) string {
	if !strings.ContainsFunc(s, isBidiControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

func isBidiControl(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', // LRE, RLE, PDF, LRO, RLO
		r >= '\u2066' && r <= '\u2069',              // LRI, RLI, FSI, PDI
		r == '\u200e', r == '\u200f', r == '\u061c': // LRM, RLM, ALM
		return true
	}
	return false
}
