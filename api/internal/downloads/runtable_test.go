package downloads

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
)

// A retried download's run waits for the canceled run of the same
// download to finish its clean-up (which removes the job folder), and the
// canceled run's end does not unregister the new one (a cancel would then
// no longer reach it).
func TestRetriedRunWaitsForTheCanceledOne(t *testing.T) {
	t.Parallel()
	table := newRunTable()
	id := uuid.New()
	oldCtx, oldCancel := context.WithCancelCause(context.Background())
	old := table.add(id, oldCtx, oldCancel)

	idle := make(chan error, 1)
	go func() { idle <- table.waitIdle(context.Background(), id) }()
	select {
	case err := <-idle:
		t.Fatalf("waitIdle returned (%v) while the canceled run was still cleaning up", err)
	case <-time.After(50 * time.Millisecond):
	}
	table.remove(id, old)
	select {
	case err := <-idle:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("waitIdle did not return once the canceled run ended")
	}

	// Runs that overlap anyway (another path): the older one's end leaves
	// the newer registered.
	a := table.add(id, oldCtx, oldCancel)
	newCtx, newCancel := context.WithCancelCause(context.Background())
	b := table.add(id, newCtx, newCancel)
	table.remove(id, a)
	if table.get(id) != b {
		t.Fatal("the older run's end unregistered the newer run of the same download")
	}
	table.remove(id, b)
	if table.get(id) != nil {
		t.Fatal("the run is still registered after it ended")
	}
}
