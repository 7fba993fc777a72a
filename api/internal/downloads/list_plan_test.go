package downloads

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

// TestListReadsItsPageFromAnIndex: the lists a user opens read their page
// from an index, starting at the cursor, on a database without statistics
// (Downlink never runs ANALYZE on SQLite). An admin's top-level list used
// to take the parent_id index for "parent_id IS NULL" and sort every
// top-level download on each request (46 ms of CPU at 20,000 downloads),
// and a later page walked the index from the newest row to its cursor.
func TestListReadsItsPageFromAnIndex(t *testing.T) {
	t.Parallel()
	if storetest.Kind() != "sqlite" {
		t.Skip("Postgres plans from its statistics; this is about SQLite without them")
	}
	st := storetest.New(t)
	s := New(Config{NodeName: "n"}, Deps{DB: st.DB, Files: testLibrary(t, st), Logger: storetest.Logger()})
	owner, other := uuid.New(), uuid.New()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []row
	for i := range 300 {
		at := start.Add(time.Duration(i) * time.Second)
		r := row{ID: uuid.New(), UserID: owner, URL: fmt.Sprint("https://example.com/", i), Platform: "youtube",
			Kind: "video", Status: StatusCompleted, CreatedAt: at, UpdatedAt: at}
		if i%3 == 0 {
			r.UserID = other
		}
		batch = append(batch, r)
	}
	if err := st.DB.CreateInBatches(batch, 100).Error; err != nil {
		t.Fatal(err)
	}

	for _, caller := range []*authz.Principal{
		{UserID: uuid.New(), Role: authz.RoleAdmin, Method: authz.MethodSession, Email: "admin"},
		{UserID: owner, Role: authz.RoleUser, Method: authz.MethodSession, Email: "user"},
	} {
		storetest.CheckNewestFirstPages(t, st.DB, "downloads", caller.Email,
			func(ctx context.Context, cursor string) (paging.Page[Download], error) {
				return s.List(ctx, caller, ListParams{Limit: 20, Cursor: cursor})
			},
			func(d Download) time.Time { return d.CreatedAt })
	}
}
