package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/paging"
)

// Plans runs fn with a context that marks its statements, and returns
// SQLite's query plan (EXPLAIN QUERY PLAN's details joined by "; ") of
// each statement on table that fn ran through db, in order. SQLite only:
// it plans without statistics (Downlink never runs ANALYZE), as on a
// user's machine.
func Plans(t *testing.T, db *gorm.DB, table string, fn func(ctx context.Context)) []string {
	t.Helper()
	type stmt struct {
		sql  string
		vars []any
	}
	type mark struct{}
	var (
		mu   sync.Mutex
		seen []stmt
	)
	capture := func(tx *gorm.DB) {
		if tx.Statement.Table == table && tx.Statement.Context.Value(mark{}) != nil {
			mu.Lock()
			seen = append(seen, stmt{tx.Statement.SQL.String(), append([]any(nil), tx.Statement.Vars...)})
			mu.Unlock()
		}
	}
	name := "storetest:plans:" + t.Name()
	if err := db.Callback().Row().After("gorm:row").Register(name, capture); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Query().After("gorm:query").Register(name, capture); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = db.Callback().Row().Remove(name)
		_ = db.Callback().Query().Remove(name)
	}()
	fn(context.WithValue(context.Background(), mark{}, true))

	mu.Lock()
	defer mu.Unlock()
	plans := make([]string, 0, len(seen))
	for _, s := range seen {
		rows, err := db.Raw("EXPLAIN QUERY PLAN "+s.sql, s.vars...).Rows()
		if err != nil {
			t.Fatalf("explain %s: %v", s.sql, err)
		}
		var details []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			details = append(details, detail)
		}
		_ = rows.Close()
		plans = append(plans, strings.Join(details, "; ")+"\n  for "+s.sql)
	}
	return plans
}

// SortsEveryRow reports whether a plan from Plans sorts all the rows it
// matches for its ORDER BY instead of reading them in order from an index
// (a sort of ties within the index's order, "RIGHT PART OF ORDER BY", is
// fine).
func SortsEveryRow(plan string) bool {
	return strings.Contains(plan, "USE TEMP B-TREE FOR ORDER BY")
}

// CheckNewestFirstPages lists the first two pages of 20 newest first
// through list ("" is the first page's cursor) and fails t unless the
// second follows the first and both were read from an index in their
// order on table, the second starting at its cursor (a range on
// created_at in the index search). who names the caller in the messages.
func CheckNewestFirstPages[T any](t *testing.T, db *gorm.DB, table, who string,
	list func(ctx context.Context, cursor string) (paging.Page[T], error), createdAt func(T) time.Time) {
	t.Helper()
	plans := Plans(t, db, table, func(ctx context.Context) {
		first, err := list(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if first.NextCursor == nil || len(first.Items) != 20 {
			t.Fatalf("%s: one page of %d", who, len(first.Items))
		}
		second, err := list(ctx, *first.NextCursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(second.Items) != 20 || !createdAt(second.Items[0]).Before(createdAt(first.Items[19])) {
			t.Fatalf("%s: the second page does not follow the first", who)
		}
	})
	if len(plans) != 2 {
		t.Fatalf("%s: %d statements on %s, want the two pages:\n%s", who, len(plans), table, strings.Join(plans, "\n"))
	}
	for i, plan := range plans {
		if SortsEveryRow(plan) {
			t.Errorf("%s, page %d sorts every row it matches: %s", who, i+1, plan)
		}
	}
	if !strings.Contains(plans[1], "created_at<?") {
		t.Errorf("%s, page 2 does not start at its cursor in an index: %s", who, plans[1])
	}
}
