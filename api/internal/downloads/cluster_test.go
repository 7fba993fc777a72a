package downloads

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testLibrary is a file library on st in a temporary folder.
func testLibrary(t *testing.T, st *store.Store) *files.Service {
	t.Helper()
	backend, err := files.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return files.New(files.Deps{DB: st.DB, Backend: backend, Logger: storetest.Logger()})
}

func insertRow(t *testing.T, s *Service, platform, status string, jobID int64, heartbeat *time.Time) *row {
	t.Helper()
	now := time.Now().UTC()
	r := &row{ID: uuid.New(), UserID: uuid.New(), URL: "https://example.com/" + uuid.NewString(), Platform: platform,
		Kind: "video", Status: Status(status), JobID: &jobID, HeartbeatAt: heartbeat, CreatedAt: now, UpdatedAt: now}
	if err := s.db.Create(r).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func TestClusterCapCountsLiveRunsEverywhere(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	node := func(name string) *Service {
		return New(Config{NodeName: name, HeartbeatTimeout: 90 * time.Second, Workers: func() int { return 8 },
			ClusterCaps: map[string]int{"youtube": 2}}, Deps{DB: st.DB, Logger: storetest.Logger()})
	}
	a, b := node("node-a"), node("node-b")
	fresh := time.Now().UTC()
	stale := fresh.Add(-10 * time.Minute)
	other1 := insertRow(t, b, "youtube", string(StatusDownloading), 1, &fresh)
	insertRow(t, b, "youtube", string(StatusPostProcessing), 2, &fresh)
	insertRow(t, b, "youtube", string(StatusDownloading), 3, &stale) // its node died: no longer counts
	insertRow(t, b, "instagram", string(StatusDownloading), 4, &fresh)
	queued := insertRow(t, a, "youtube", string(StatusQueued), 10, nil)

	if _, err := a.claim(context.Background(), queued, 10); !errors.Is(err, errClusterFull) {
		t.Fatalf("claim with 2 of 2 running elsewhere: %v", err)
	}
	// One of them goes quiet: its slot is free.
	if err := a.db.Model(&row{}).Where("id = ?", other1.ID).Update("heartbeat_at", stale).Error; err != nil {
		t.Fatal(err)
	}
	ok, err := a.claim(context.Background(), queued, 10)
	if err != nil || !ok {
		t.Fatalf("claim with a free slot: %v, %v", ok, err)
	}
	var got row
	a.db.Where("id = ?", queued.ID).Take(&got)
	if got.Status != StatusFetchingInfo || got.Node == nil || *got.Node != "node-a" || got.HeartbeatAt == nil {
		t.Fatalf("claimed row = %s on %v", got.Status, got.Node)
	}
	// A re-run of the row's own job (a restart) does not count itself.
	if ok, err := a.claim(context.Background(), queued, 10); err != nil || !ok {
		t.Fatalf("re-claiming its own row: %v, %v", ok, err)
	}
	next := insertRow(t, a, "youtube", string(StatusQueued), 11, nil)
	if _, err := a.claim(context.Background(), next, 11); !errors.Is(err, errClusterFull) {
		t.Fatalf("third youtube claim: %v", err)
	}
	// Platforms without a cap are limited per node only.
	ig := insertRow(t, a, "instagram", string(StatusQueued), 12, nil)
	if ok, err := a.claim(context.Background(), ig, 12); err != nil || !ok {
		t.Fatalf("instagram claim: %v, %v", ok, err)
	}
	// A stale job (the row was re-queued with another) claims nothing.
	if ok, err := a.claim(context.Background(), ig, 99); err != nil || ok {
		t.Fatalf("stale job claim: %v, %v", ok, err)
	}
}

func TestClusterCapHoldsUnderRacingClaims(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	const nodes, jobs, limit = 4, 12, 3
	var svcs []*Service
	for i := range nodes {
		svcs = append(svcs, New(Config{NodeName: fmt.Sprintf("node-%d", i), HeartbeatTimeout: 90 * time.Second,
			Workers: func() int { return 8 }, ClusterCaps: map[string]int{"youtube": limit}},
			Deps{DB: st.DB, Logger: storetest.Logger()}))
	}
	var rows []*row
	for i := range jobs {
		rows = append(rows, insertRow(t, svcs[0], "youtube", string(StatusQueued), int64(100+i), nil))
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed int
		errs    []error
	)
	for i, r := range rows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := svcs[i%nodes].claim(context.Background(), r, int64(100+i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case ok:
				claimed++
			case err != nil && !errors.Is(err, errClusterFull):
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("claims failed: %v", errs)
	}
	if claimed != limit {
		t.Fatalf("%d claims went through at once, want exactly the cap %d", claimed, limit)
	}
}
