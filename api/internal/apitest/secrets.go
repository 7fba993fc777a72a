package apitest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/downlink/downlink/api/internal/logs"
	"github.com/downlink/downlink/api/internal/store"
)

// Every test server checks, when it stops, that no secret a test used
// reached its output or the logs table: passwords, API keys, session
// cookies, client secrets, webhook secrets and cookie files. The client
// notes them from the traffic it sees (requests and responses); a test
// adds others with Env.Secret.

// minSecretLen keeps short made-up values (a "x" password in a validation
// test) from matching ordinary log text.
const minSecretLen = 8

// secretBook is what a test's server must never log.
type secretBook struct {
	mu sync.Mutex
	// everywhere: never in the output nor the table.
	everywhere map[string]bool
	// tableOnly: printed on purpose (the setup token) but never stored.
	tableOnly map[string]bool
}

func (b *secretBook) add(tableOnly bool, values ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.everywhere == nil {
		b.everywhere, b.tableOnly = map[string]bool{}, map[string]bool{}
	}
	for _, v := range values {
		if v == "" {
			continue
		}
		if tableOnly {
			b.tableOnly[v] = true
		} else {
			b.everywhere[v] = true
		}
	}
}

func (b *secretBook) list() (everywhere, tableOnly []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for v := range b.everywhere {
		everywhere = append(everywhere, v)
	}
	for v := range b.tableOnly {
		tableOnly = append(tableOnly, v)
	}
	return everywhere, tableOnly
}

// Secret registers values the test used that the server must never log
// (in its output or the logs table).
func (e *Env) Secret(values ...string) { e.secrets.add(false, values...) }

// secretFields are request and response JSON fields holding secrets.
var secretFields = map[string]bool{"password": true, "current_password": true, "new_password": true,
	"client_secret": true, "secret": true, "key": true, "cookies": true, "api_key": true, "temporary_password": true}

// noteSecrets registers the secrets of one exchange.
func (e *Env) noteSecrets(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	var found, tableOnly []string
	if a := req.Header.Get("Authorization"); a != "" {
		_, cred, ok := strings.Cut(a, " ")
		if !ok {
			cred = a
		}
		found = append(found, cred)
	}
	found = append(found, req.Header.Get("X-API-Key"))
	for _, c := range req.Cookies() {
		found = append(found, c.Value)
	}
	for _, c := range resp.Cookies() {
		found = append(found, c.Value)
	}
	if strings.HasSuffix(req.URL.Path, "/auth/setup") {
		// The setup token is printed for the admin; it must never be stored.
		var body struct {
			Token string `json:"token"`
		}
		if json.Unmarshal(reqBody, &body) == nil {
			tableOnly = append(tableOnly, body.Token)
		}
	}
	found = append(found, jsonSecrets(reqBody)...)
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		found = append(found, jsonSecrets(respBody)...)
	}
	e.secrets.add(false, long(found)...)
	e.secrets.add(true, long(tableOnly)...)
}

// long keeps the values worth looking for: long enough not to match by
// chance, and not a placeholder such as "[REDACTED]" or "********".
func long(vs []string) []string {
	out := vs[:0]
	for _, v := range vs {
		if len(v) >= minSecretLen && v != logs.Redacted && strings.Trim(v, v[:1]) != "" {
			out = append(out, v)
		}
	}
	return out
}

// jsonSecrets returns the values of secret fields anywhere in a JSON body,
// and each cookie value of a cookies.txt text.
func jsonSecrets(body []byte) []string {
	var v any
	if len(body) == 0 || json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && secretFields[k] {
					if k == "key" && !strings.HasPrefix(s, "dlk_") {
						continue // "key" names other things too (settings keys)
					}
					out = append(out, s)
					if k == "cookies" {
						out = append(out, cookieFileValues(s)...)
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// cookieFileValues returns the values of a Netscape cookies.txt.
func cookieFileValues(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) == 7 && !strings.HasPrefix(f[0], "#") {
			out = append(out, f[6])
		}
	}
	return out
}

// SecretLeaks lists every registered secret found in the server's output
// or in the logs table, and every setup token found in the table. Stop
// the server first to include the records it had not stored yet.
func (e *Env) SecretLeaks() []string {
	everywhere, tableOnly := e.secrets.list()
	out := e.Logs()
	tableOnly = append(tableOnly, printedSetupTokens(out)...)
	var leaks []string
	for _, s := range everywhere {
		if where := findIn(out, s); where != "" {
			leaks = append(leaks, fmt.Sprintf("secret %s in the output: %s", mask(s), where))
		}
	}
	rows, err := e.logRows()
	if err != nil {
		return append(leaks, "cannot read the logs table: "+err.Error())
	}
	for _, s := range append(everywhere, tableOnly...) {
		if where := findIn(rows, s); where != "" {
			leaks = append(leaks, fmt.Sprintf("secret %s in the logs table: %s", mask(s), where))
		}
	}
	return leaks
}

// checkSecrets fails the test for every leak; it runs after the server
// stopped (and flushed its log records).
func (e *Env) checkSecrets() {
	for _, l := range e.SecretLeaks() {
		e.T.Errorf("apitest: %s", l)
	}
}

// logRows returns the logs table as text, one row a line.
func (e *Env) logRows() (string, error) {
	ctx := context.Background()
	db, err := e.Cfg.Database()
	if err != nil {
		return "", err
	}
	st, err := store.Open(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return "", err
	}
	defer st.Close()
	rows, err := st.SQL.QueryContext(ctx, `SELECT message, attrs, COALESCE(request_id, ''), COALESCE(ip, ''),
		COALESCE(target, ''), COALESCE(action, '') FROM logs`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var cols [6]string
		if err := rows.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			return "", err
		}
		b.WriteString(strings.Join(cols[:], " | "))
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// printedSetupTokens returns the setup tokens the server printed.
func printedSetupTokens(out string) []string {
	var toks []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			Token string `json:"setup_token"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && len(rec.Token) >= minSecretLen {
			toks = append(toks, rec.Token)
		}
	}
	return toks
}

// findIn returns the line of text holding s as is or JSON-escaped, or "".
func findIn(text, s string) string {
	esc, _ := json.Marshal(s)
	for _, form := range []string{s, string(esc[1 : len(esc)-1])} {
		if i := strings.Index(text, form); i >= 0 {
			start := strings.LastIndexByte(text[:i], '\n') + 1
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				end = len(text) - i
			}
			line := strings.ReplaceAll(text[start:i+end], form, mask(s))
			if len(line) > 600 {
				line = line[:600] + "…"
			}
			return line
		}
	}
	return ""
}

// mask shows enough of a secret to recognise it in a failure message.
func mask(s string) string {
	if len(s) <= 8 {
		return `"` + s[:2] + `…"`
	}
	return `"` + s[:6] + `…"`
}
