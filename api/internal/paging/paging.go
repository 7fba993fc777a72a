// Package paging implements cursor pagination: `?limit=&cursor=` in,
// `{items, next_cursor}` out. A cursor is opaque to clients: base64url of
// the sort key and id of the last item seen, so pages stay stable while
// rows are added.
package paging

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/downlink/downlink/api/internal/problem"
)

// Limits for page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Page is one page of a list.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// ErrBadCursor is returned for a cursor this server did not make.
var ErrBadCursor = problem.New(http.StatusBadRequest, "Invalid cursor").
	WithDetail("The cursor is not one this server returned for this list with these filters and sort; start again without it.")

// Cursor is the position after the last item of a page.
type Cursor struct {
	// Sort is what the cursor belongs to (the sort, or Bind's sort and
	// filters); a cursor from another is refused rather than misread.
	Sort string `json:"s"`
	// Key is the last item's sort value (a string, number or time).
	Key json.RawMessage `json:"k,omitempty"`
	// ID is the last item's id, the tie-breaker.
	ID string `json:"i"`
}

// Bind is what a cursor of a filtered list belongs to: the sort and a
// fingerprint of the filters, which are every field of params but Limit and
// Cursor. Pass it to Decode and NewCursor in place of the sort: a cursor
// used with other filters is then ErrBadCursor, not a page that skips or
// repeats rows. Apply defaults to params first, so an omitted filter and
// its default bind alike.
func Bind(sort string, params any) string {
	b, err := json.Marshal(params)
	if err != nil {
		panic(fmt.Sprintf("paging: list params %T do not encode: %v", params, err))
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) == nil {
		for _, k := range []string{"Limit", "Cursor", "limit", "cursor"} {
			delete(m, k)
		}
		b, _ = json.Marshal(m) // keys sorted
	}
	sum := sha256.Sum256(b)
	return sort + "~" + base64.RawURLEncoding.EncodeToString(sum[:9])
}

// Encode returns the opaque form of c.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode parses a cursor made by Encode for the given sort. An empty
// string is no cursor (nil, nil).
func Decode(s, sort string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 2048 {
		return nil, ErrBadCursor
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" || c.Sort != sort {
		return nil, ErrBadCursor
	}
	return &c, nil
}

// KeyAs decodes the cursor's sort value into v.
func (c *Cursor) KeyAs(v any) error {
	if err := json.Unmarshal(c.Key, v); err != nil {
		return ErrBadCursor
	}
	return nil
}

// NewCursor builds a cursor for the last item of a page.
func NewCursor(sort string, key any, id string) Cursor {
	var raw json.RawMessage
	if key != nil {
		raw, _ = json.Marshal(key)
	}
	return Cursor{Sort: sort, Key: raw, ID: id}
}

// Limit clamps a requested page size: 0 means the default.
func Limit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLimit, nil
	case n < 1 || n > MaxLimit:
		return 0, problem.ErrBadRequest.WithField("limit", "must be between 1 and 200")
	}
	return n, nil
}

// Finish trims a result fetched with limit+1 rows to limit and sets
// NextCursor from the last kept item when there were more.
func Finish[T any](rows []T, limit int, cursorOf func(T) Cursor) Page[T] {
	p := Page[T]{Items: rows}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(rows) > limit {
		p.Items = rows[:limit]
		next := cursorOf(p.Items[limit-1]).Encode()
		p.NextCursor = &next
	}
	return p
}

// Map converts a page's items.
func Map[T, U any](p Page[T], f func(T) U) Page[U] {
	out := Page[U]{Items: make([]U, 0, len(p.Items)), NextCursor: p.NextCursor}
	for _, it := range p.Items {
		out.Items = append(out.Items, f(it))
	}
	return out
}

// Keyset is the condition that continues a list sorted by column, then id,
// after a cursor: bind the cursor's key twice, then its id. It reads
// "column <= key AND (column < key OR id < cursor id)" (>= and > going up)
// rather than the equivalent "column < key OR (column = key AND id < ...)":
// the leading range lets the database start the page at the cursor in the
// column's index instead of walking it from the first row.
func Keyset(column string, desc bool) string {
	op := ">"
	if desc {
		op = "<"
	}
	return column + " " + op + "= ? AND (" + column + " " + op + " ? OR id " + op + " ?)"
}
