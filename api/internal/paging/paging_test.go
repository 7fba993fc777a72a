package paging

import (
	"errors"
	"testing"
)

func TestBindCoversFiltersButNotPaging(t *testing.T) {
	type params struct {
		Query  string
		Kinds  []string
		Limit  int
		Cursor string
	}
	base := Bind("-created_at", params{Query: "cat", Kinds: []string{"video"}, Limit: 10, Cursor: "x"})
	if got := Bind("-created_at", params{Query: "cat", Kinds: []string{"video"}, Limit: 50}); got != base {
		t.Errorf("page size or cursor changed the binding: %s vs %s", got, base)
	}
	c := NewCursor(base, "2026-12-07", "id-1").Encode()
	if _, err := Decode(c, base); err != nil {
		t.Fatalf("own cursor refused: %v", err)
	}
	for name, other := range map[string]string{
		"query": Bind("-created_at", params{Query: "dog", Kinds: []string{"video"}}),
		"kinds": Bind("-created_at", params{Query: "cat"}),
		"sort":  Bind("created_at", params{Query: "cat", Kinds: []string{"video"}}),
	} {
		if _, err := Decode(c, other); !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: cursor accepted under other filters (err %v)", name, err)
		}
	}
}
