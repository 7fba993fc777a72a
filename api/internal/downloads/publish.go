package downloads

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/events"
)

// Events about a download go out one at a time per row, so that a
// subscriber applying them in order never sees the row go back: a running
// download's progress events (from memory, as yt-dlp prints) and its row
// updates (from the database, with the newest progress laid over them)
// share its run's publication lock, and nothing about a run is published
// once its context ended (a cancel publishes the end itself, after taking
// the same lock).

// publish sends an event about a download to its owner (and admins).
func (s *Service) publish(ctx context.Context, typ string, v any) {
	var owner string
	switch d := v.(type) {
	case Download:
		owner = d.UserID.String()
	case progressEvent:
		owner = d.userID
	case deletedEvent:
		owner = d.UserID.String()
	}
	data, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode event", "err", err)
		return
	}
	if err := s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: typ, UserID: owner, Data: data}); err != nil {
		s.log.Warn("publish event", "type", typ, "err", err)
	}
}

type deletedEvent struct {
	ID     uuid.UUID `json:"id"`
	UserID uuid.UUID `json:"-"`
}

// publishRow publishes a download's current state (download.updated),
// after whatever its run is publishing.
func (s *Service) publishRow(ctx context.Context, id uuid.UUID) {
	s.awaitAnnounced(id)
	if r := s.runs.get(id); r != nil {
		r.pub.Lock()
		defer r.pub.Unlock()
	}
	if d, ok := s.current(ctx, id); ok {
		s.publish(ctx, events.TypeDownloadUpdated, d)
	}
}

// current is a download as the database holds it now.
func (s *Service) current(ctx context.Context, id uuid.UUID) (Download, bool) {
	var r row
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Where("id = ?", id).Take(&r).Error; err != nil {
		return Download{}, false
	}
	ds, err := s.withDetails(context.WithoutCancel(ctx), []row{r})
	if err != nil {
		return Download{}, false
	}
	return ds[0], true
}

// run is one download running on this node.
type run struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	// pub serializes what is published about the row while it runs.
	pub sync.Mutex
	// done is closed when the run has ended, its clean-up included.
	done chan struct{}
}

// runTable knows which downloads run on this node: to cancel them at
// once, and to publish about them one event at a time.
type runTable struct {
	mu   sync.Mutex
	runs map[uuid.UUID]*run
}

func newRunTable() *runTable { return &runTable{runs: map[uuid.UUID]*run{}} }

func (t *runTable) add(id uuid.UUID, ctx context.Context, cancel context.CancelCauseFunc) *run {
	r := &run{ctx: ctx, cancel: cancel, done: make(chan struct{})}
	t.mu.Lock()
	t.runs[id] = r
	t.mu.Unlock()
	return r
}

// remove ends r, the run of id (not a later run of the same download).
func (t *runTable) remove(id uuid.UUID, r *run) {
	t.mu.Lock()
	if t.runs[id] == r {
		delete(t.runs, id)
	}
	t.mu.Unlock()
	close(r.done)
}

// waitIdle returns once no run of id is left on this node. A download
// retried right after a cancel gets a new job while the canceled run may
// still be cleaning up, and that clean-up removes the download's job
// folder: the retry's run, started meanwhile, failed with "job folder: no
// such file or directory" (CI, the TypeScript client's cancel/retry).
func (t *runTable) waitIdle(ctx context.Context, id uuid.UUID) error {
	for {
		r := t.get(id)
		if r == nil {
			return nil
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// get returns the download's run here, nil when it runs nowhere here.
func (t *runTable) get(id uuid.UUID) *run {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.runs[id]
}

func (t *runTable) cancel(id uuid.UUID, cause error) bool {
	r := t.get(id)
	if r != nil {
		r.cancel(cause)
	}
	return r != nil
}

// Running is how many downloads this node runs now.
func (s *Service) Running() int {
	s.runs.mu.Lock()
	defer s.runs.mu.Unlock()
	return len(s.runs.runs)
}

// announce marks id as being created here until the returned func runs
// (after download.created is published): publishRow waits for it, so a
// worker that claims the job the moment the row commits cannot publish its
// first update ahead of the creation.
func (s *Service) announce(id uuid.UUID) (done func()) {
	ch := make(chan struct{})
	s.announcing.Store(id, ch)
	return func() {
		s.announcing.Delete(id)
		close(ch)
	}
}

// announceWait bounds the wait for a creation's event (a publish is
// milliseconds; a stuck one must not hold a worker).
const announceWait = 5 * time.Second

func (s *Service) awaitAnnounced(id uuid.UUID) {
	v, ok := s.announcing.Load(id)
	if !ok {
		return
	}
	select {
	case <-v.(chan struct{}):
	case <-time.After(announceWait):
	}
}
