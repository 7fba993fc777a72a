package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
)

// maxBody bounds a search response (recorded ones are ~0.6 MB).
const maxBody = 16 << 20

// postJSON POSTs an innertube request and returns the body of a 200.
func postJSON(ctx context.Context, hc *http.Client, url string, headers map[string]string, payload any) ([]byte, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("search: POST %s: %w: %w", url, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("search: POST %s: %w: %w", url, ErrUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Status: resp.StatusCode, URL: url}
	}
	return body, nil
}

// StatusError is a non-200 answer from an innertube endpoint.
type StatusError struct {
	Status int
	URL    string
}

// Error implements error.
func (e *StatusError) Error() string { return fmt.Sprintf("search: %s: HTTP %d", e.URL, e.Status) }

// Unwrap makes errors.Is(err, ErrUnavailable) true.
func (e *StatusError) Unwrap() error { return ErrUnavailable }

// node is a decoded JSON value walked generically: innertube responses nest
// renderers deeply and vary their wrappers, so parsers look renderers up
// by name rather than by fixed paths.
type node = any

func obj(n node, key string) map[string]any {
	m, _ := n.(map[string]any)
	if m == nil {
		return nil
	}
	v, _ := m[key].(map[string]any)
	return v
}

func str(n node, key string) string {
	m, _ := n.(map[string]any)
	s, _ := m[key].(string)
	return s
}

func list(n node, key string) []any {
	m, _ := n.(map[string]any)
	l, _ := m[key].([]any)
	return l
}

// walk calls fn for every object under n, depth first, in document order;
// fn returns false to skip that object's children.
func walk(n node, fn func(m map[string]any) bool) {
	switch v := n.(type) {
	case map[string]any:
		if !fn(v) {
			return
		}
		for _, k := range sortedKeys(v) {
			walk(v[k], fn)
		}
	case []any:
		for _, e := range v {
			walk(e, fn)
		}
	}
}

// find returns the first value stored under key anywhere below n.
func find(n node, key string) node {
	var out node
	walk(n, func(m map[string]any) bool {
		if out != nil {
			return false
		}
		if v, ok := m[key]; ok {
			out = v
			return false
		}
		return true
	})
	return out
}

// runsText joins the text of a {"runs":[…]} or {"simpleText":…} object.
func runsText(n map[string]any) string {
	if n == nil {
		return ""
	}
	if s, ok := n["simpleText"].(string); ok {
		return s
	}
	var b bytes.Buffer
	for _, r := range list(n, "runs") {
		b.WriteString(str(r, "text"))
	}
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
