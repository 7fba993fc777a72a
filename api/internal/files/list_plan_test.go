package files_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

// TestListReadsItsPageFromAnIndex: a user's library, newest first, reads
// its page from an index, starting at the cursor, on a database without
// statistics. It used to take the (user_id, updated_at) index and sort all
// of the user's files on each request.
func TestListReadsItsPageFromAnIndex(t *testing.T) {
	t.Parallel()
	if storetest.Kind() != "sqlite" {
		t.Skip("Postgres plans from its statistics; this is about SQLite without them")
	}
	st := storetest.New(t)
	b, err := files.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := files.New(files.Deps{DB: st.DB, Backend: b, Logger: storetest.Logger()})
	owner := uuid.New()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []files.Row
	for i := range 200 {
		at := start.Add(time.Duration(i) * time.Second)
		uid := owner
		if i%4 == 0 {
			uid = uuid.New()
		}
		name := fmt.Sprintf("clip %d.mp4", i)
		batch = append(batch, files.Row{ID: uuid.New(), UserID: uid, Name: name, RelPath: uid.String() + "/" + name,
			SizeBytes: 1, MimeType: "video/mp4", Kind: "video", Platform: "generic", CreatedAt: at, UpdatedAt: at})
	}
	if err := st.DB.CreateInBatches(batch, 100).Error; err != nil {
		t.Fatal(err)
	}
	for _, caller := range []*authz.Principal{
		{UserID: uuid.New(), Role: authz.RoleAdmin, Method: authz.MethodSession, Email: "admin"},
		{UserID: owner, Role: authz.RoleUser, Method: authz.MethodSession, Email: "user"},
	} {
		storetest.CheckNewestFirstPages(t, st.DB, "files", caller.Email,
			func(ctx context.Context, cursor string) (paging.Page[files.File], error) {
				return svc.List(ctx, caller, files.ListParams{Limit: 20, Cursor: cursor})
			},
			func(f files.File) time.Time { return f.CreatedAt })
	}
}
