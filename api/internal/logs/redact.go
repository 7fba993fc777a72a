package logs

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Redacted replaces every secret in both outputs.
const Redacted = "[REDACTED]"

// SetupTokenKey is the attribute that carries the first-run setup token. It
// is the one secret printed on stdout (the admin reads it there) and it is
// never stored in the table.
const SetupTokenKey = "setup_token"

// secretValue matches secrets wherever they appear in a message or value:
// API keys (dlk_, also cut short), webhook secrets (whsec_), bearer
// credentials, passwords in URLs (scheme://user:pass@) and secret-looking
// query parameters (?token=…, &client_secret=…).
var secretValue = regexp.MustCompile(
	`dlk_[0-9A-Za-z]{16,}` +
		`|whsec_[0-9A-Za-z+/=_-]{8,}` +
		`|(?i:bearer)\s+[0-9A-Za-z._~+/=-]{8,}` +
		`|(?i:[a-z][a-z0-9+.-]*://)[^\s/:@"']+:[^\s/@"']+@` +
		`|(?i:[?&;][a-z0-9_-]*(?:password|passwd|secret|token|api_?key|signature|sig)=)[^&\s"']+`)

// keyWords are words that make an attribute key name a secret when they
// end it ("client_secret", "csrfToken", "set-cookie").
var keyWords = []string{"password", "passwd", "passphrase", "secret", "secrets", "token", "tokens",
	"authorization", "cookie", "cookies", "credential", "credentials", "apikey"}

// keyPrefixes name a key whose last word is "key" as a secret ("api_key",
// "private-key"); a bare "key" is redacted only when its value is a key.
var keyPrefixes = []string{"api", "private", "secret", "signing", "encryption", "access"}

// sensitiveKey reports whether an attribute with this key holds a secret
// whatever its value.
func sensitiveKey(key string) bool {
	k := strings.ToLower(key)
	words := strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' })
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if strings.HasPrefix(w, "password") || strings.HasPrefix(w, "passwd") {
			return true // password_hash, password_confirm, …
		}
	}
	last := words[len(words)-1]
	for _, w := range keyWords {
		if strings.HasSuffix(last, w) {
			return true
		}
	}
	if last == "key" && len(words) > 1 {
		for _, p := range keyPrefixes {
			if words[len(words)-2] == p || strings.HasSuffix(words[len(words)-2], p) {
				return true
			}
		}
	}
	return false
}

// redactor removes secrets from records. stdout keeps the setup token;
// the table never does.
type redactor struct {
	// literals are exact secret values known at start (client secrets
	// from the configuration); each is replaced wherever it appears.
	literals []string
}

// minLiteral keeps short configured values from redacting ordinary words.
const minLiteral = 8

func newRedactor(literals []string) *redactor {
	r := &redactor{}
	for _, l := range literals {
		if len(l) >= minLiteral {
			r.literals = append(r.literals, l)
		}
	}
	return r
}

// text scrubs secrets out of free text.
func (r *redactor) text(s string) string {
	for _, l := range r.literals {
		if strings.Contains(s, l) {
			s = strings.ReplaceAll(s, l, Redacted)
		}
	}
	if !mayHoldSecret(s) {
		return s
	}
	return secretValue.ReplaceAllStringFunc(s, redactMatch)
}

// redactMatch keeps what says where the secret was (the URL scheme, the
// parameter name, "Bearer") and replaces the secret itself.
func redactMatch(m string) string {
	switch {
	case strings.Contains(m, "://"):
		return m[:strings.Index(m, "://")+3] + Redacted + "@"
	case m[0] == '?' || m[0] == '&' || m[0] == ';':
		return m[:strings.IndexByte(m, '=')+1] + Redacted
	case len(m) > 6 && strings.EqualFold(m[:6], "bearer"):
		return m[:6] + " " + Redacted
	}
	return Redacted
}

// mayHoldSecret is a cheap test that skips the regular expression for the
// common line with nothing that looks like a secret.
func mayHoldSecret(s string) bool {
	return strings.Contains(s, "dlk_") || strings.Contains(s, "whsec_") || strings.Contains(s, "earer") ||
		strings.Contains(s, "EARER") || strings.Contains(s, "@") || strings.Contains(s, "=")
}

// attr returns a with every secret replaced. keepSetupToken keeps the
// setup token (stdout only).
func (r *redactor) attr(a slog.Attr, keepSetupToken bool) slog.Attr {
	a.Value = a.Value.Resolve()
	if a.Key == SetupTokenKey && keepSetupToken {
		return a
	}
	if a.Value.Kind() == slog.KindGroup {
		if sensitiveKey(a.Key) {
			return slog.String(a.Key, Redacted)
		}
		group := a.Value.Group()
		out := make([]slog.Attr, len(group))
		for i, g := range group {
			out[i] = r.attr(g, keepSetupToken)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	}
	if sensitiveKey(a.Key) || a.Key == SetupTokenKey {
		switch {
		case a.Value.Kind() == slog.KindBool:
			return a // whether something is set is not the secret
		case a.Value.Kind() == slog.KindString && a.Value.String() == "":
			return a
		}
		return slog.String(a.Key, Redacted)
	}
	a.Value = r.value(a.Value)
	return a
}

// value scrubs one non-group value. Values of arbitrary types become their
// text or a JSON tree, so no formatter can print a secret from inside them.
func (r *redactor) value(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(r.text(v.String()))
	case slog.KindAny:
	default:
		return v
	}
	switch x := v.Any().(type) {
	case nil:
		return v
	case error:
		return slog.StringValue(r.text(x.Error()))
	case []byte:
		return slog.StringValue(r.text(string(x)))
	case encoding.TextMarshaler:
		b, err := x.MarshalText()
		if err != nil {
			return slog.StringValue(r.text(fmt.Sprint(x)))
		}
		return slog.StringValue(r.text(string(b)))
	case fmt.Stringer:
		return slog.StringValue(r.text(x.String()))
	}
	b, err := json.Marshal(v.Any())
	if err != nil {
		return slog.StringValue(r.text(fmt.Sprint(v.Any())))
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return slog.StringValue(r.text(string(b)))
	}
	return slog.AnyValue(r.tree(tree))
}

// tree scrubs a decoded JSON value: secret keys of objects and secret text
// anywhere.
func (r *redactor) tree(v any) any {
	switch x := v.(type) {
	case string:
		return r.text(x)
	case []any:
		for i := range x {
			x[i] = r.tree(x[i])
		}
		return x
	case map[string]any:
		for k, e := range x {
			if sensitiveKey(k) {
				if _, isBool := e.(bool); !isBool && e != nil && e != "" {
					x[k] = Redacted
					continue
				}
			}
			x[k] = r.tree(e)
		}
		return x
	}
	return v
}
