package downloads

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

// discard is a bus nobody listens to.
type discard struct{}

func (discard) Publish(context.Context, events.Event) error { return nil }

func TestParentStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		by    map[Status]int
		total int
		want  Status
	}{
		{"all completed", map[Status]int{StatusCompleted: 3}, 3, StatusCompleted},
		{"all finished, one failed", map[Status]int{StatusCompleted: 2, StatusFailed: 1}, 3, StatusFailed},
		{"all finished, one canceled", map[Status]int{StatusCompleted: 2, StatusCanceled: 1}, 3, StatusCanceled},
		{"failed wins over canceled", map[Status]int{StatusFailed: 1, StatusCanceled: 1}, 2, StatusFailed},
		{"one waits for a match", map[Status]int{StatusCompleted: 2, StatusNeedsMatch: 1}, 3, StatusNeedsMatch},
		{"a running child shows over a waiting one", map[Status]int{StatusNeedsMatch: 1, StatusDownloading: 1}, 2, StatusDownloading},
		{"queued behind finished ones", map[Status]int{StatusCompleted: 1, StatusQueued: 2}, 3, StatusQueued},
	}
	for _, tt := range tests {
		if got := parentStatus(tt.by, tt.total); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestParentFollowsRacingChildren: children of one playlist change at
// once, each refreshing the parent after its own commit; whatever order
// the refreshes run in, the parent ends showing the children's final
// state (a refresh that counted early must not write last).
func TestParentFollowsRacingChildren(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	s := New(Config{NodeName: "node-a", HeartbeatTimeout: 90 * time.Second, Workers: func() int { return 8 }},
		Deps{DB: st.DB, Files: testLibrary(t, st), Bus: discard{}, Logger: storetest.Logger()})
	ctx := context.Background()
	for round := 0; round < 10; round++ {
		parent := insertRow(t, s, "spotify", string(StatusQueued), int64(1000+round*100), nil)
		const n = 8
		kids := make([]*row, n)
		for i := range kids {
			kids[i] = insertRow(t, s, "spotify", string(StatusQueued), int64(1000+round*100+i+1), nil)
			if err := s.db.Model(&row{}).Where("id = ?", kids[i].ID).Update("parent_id", parent.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for i, k := range kids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each child passes through a running state on its way, as
				// a worker's child would.
				for _, st := range []Status{StatusDownloading, StatusCompleted} {
					if i == 0 && st == StatusCompleted {
						st = StatusNeedsMatch
					}
					if err := s.db.Model(&row{}).Where("id = ?", k.ID).Update("status", string(st)).Error; err != nil {
						t.Error(err)
						return
					}
					s.refreshParent(ctx, parent.ID)
				}
			}()
		}
		wg.Wait()
		var got row
		if err := s.db.Where("id = ?", parent.ID).Take(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusNeedsMatch {
			t.Fatalf("round %d: parent %s, want needs_match (7 completed, 1 waiting for a match)", round, got.Status)
		}
	}
}
