package logs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/events"
)

// Publisher sends each stored record to live subscribers (the events bus;
// Publish never blocks).
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Counter is the metric that counts dropped records (a Prometheus counter).
type Counter interface {
	Add(float64)
}

// ErrNotAttached is returned by Run before Attach.
var ErrNotAttached = errors.New("logs: no database attached")

var errRunTwice = errors.New("logs: Run called twice")

// writeTimeout bounds one batch insert, so a stuck database delays the
// writer but never holds it forever.
const writeTimeout = 10 * time.Second

// maxEventBytes keeps log.appended events small: a larger record goes out
// without its attributes (the full one is in GET /logs).
const maxEventBytes = 2 << 10

// sink is the bounded buffer between callers and the writer.
type sink struct {
	c       *core
	ch      chan row
	batch   int
	every   time.Duration
	stopped atomic.Bool

	mu      sync.Mutex // guards what Attach sets and the drop count
	db      *gorm.DB
	pub     Publisher
	metric  Counter
	drops   uint64
	running bool
}

func newSink(c *core, o Options) *sink {
	return &sink{c: c, ch: make(chan row, o.BufferSize), batch: o.BatchSize, every: o.FlushInterval}
}

// accepting reports whether a record could be queued now: a full buffer
// is a drop, counted here before any work is spent on the record.
func (s *sink) accepting() bool {
	if s.stopped.Load() {
		return false
	}
	if len(s.ch) >= cap(s.ch) {
		s.drop(1)
		return false
	}
	return true
}

// offer queues r without waiting; a full buffer drops it.
func (s *sink) offer(r row) {
	select {
	case s.ch <- r:
	default:
		s.drop(1)
	}
}

// drop counts n records that will never be stored: the buffer was full,
// or the database refused their batch.
func (s *sink) drop(n int) {
	s.mu.Lock()
	s.drops += uint64(n)
	m := s.metric
	s.mu.Unlock()
	if m != nil {
		m.Add(float64(n))
	}
}

func (s *sink) dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drops
}

// Attach gives the handler its database (migrated), the bus that carries
// log.appended events (nil: none) and the metric counting dropped records
// (nil: none; drops before Attach are added to it). Records buffered before
// Attach are stored once Run starts.
func (h *Handler) Attach(db *gorm.DB, pub Publisher, dropped Counter) {
	s := h.c.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	s.db = db.Session(&gorm.Session{Logger: logger.Discard, NewDB: true})
	s.pub = pub
	s.metric = dropped
	if dropped != nil && s.drops > 0 {
		dropped.Add(float64(s.drops))
	}
}

// Run stores buffered records until ctx ends, then stores what is still
// buffered and returns; records logged after that are printed only. Call
// it once, after Attach, and stop it after everything else has logged its
// last words and before the database closes.
func (h *Handler) Run(ctx context.Context) error {
	s := h.c.sink
	s.mu.Lock()
	db, pub, running := s.db, s.pub, s.running
	s.running = s.running || db != nil
	s.mu.Unlock()
	if db == nil {
		return ErrNotAttached
	}
	if running {
		return errRunTwice
	}
	defer s.stopped.Store(true)
	w := writer{s: s, db: db, pub: pub, base: context.WithoutCancel(ctx)}
	// The flush timer runs only while records wait: an idle node is not
	// woken twice a second for nothing.
	flush := time.NewTimer(s.every)
	flush.Stop()
	defer flush.Stop()
	var due <-chan time.Time
	batch := make([]row, 0, s.batch)
	for {
		select {
		case r := <-s.ch:
			batch = append(batch, r)
			switch {
			case len(batch) >= s.batch:
				batch = w.write(batch)
				flush.Stop()
				due = nil
			case due == nil:
				flush.Reset(s.every)
				due = flush.C
			}
		case <-due:
			due = nil
			batch = w.write(batch)
		case <-ctx.Done():
			// Keep what is buffered now; later records are printed only.
			s.stopped.Store(true)
			for {
				select {
				case r := <-s.ch:
					batch = append(batch, r)
					if len(batch) >= s.batch {
						batch = w.write(batch)
					}
					continue
				default:
				}
				break
			}
			w.write(batch)
			return nil
		}
	}
}

// writer stores batches and announces them.
type writer struct {
	s    *sink
	db   *gorm.DB
	pub  Publisher
	base context.Context
}

// write stores batch and returns it emptied for reuse. A failed insert is
// reported on the output only (logging it through the table could fail
// the same way, forever).
func (w writer) write(batch []row) []row {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(w.base, writeTimeout)
	defer cancel()
	if err := w.db.WithContext(ctx).Create(&batch).Error; err != nil {
		w.s.c.report(ctx, "could not store log records", "records", len(batch), "err", err)
		w.s.drop(len(batch))
		return batch[:0]
	}
	if w.pub != nil {
		for _, r := range batch {
			_ = w.pub.Publish(ctx, events.Event{Type: events.TypeLogAppended, Data: eventData(r), Time: r.LoggedAt})
		}
	}
	return batch[:0]
}

// eventData is the LogEntry of r, without its attributes when it is large.
func eventData(r row) json.RawMessage {
	e := r.entry()
	b, err := json.Marshal(e)
	if err == nil && len(b) <= maxEventBytes {
		return b
	}
	e.Attrs = json.RawMessage(`{"truncated":true}`)
	e.Message = clip.String(e.Message, 512)
	b, _ = json.Marshal(e)
	return b
}

// report prints a problem of the log writer itself on the output, never
// through the table.
func (c *core) report(ctx context.Context, msg string, args ...any) {
	r := slog.NewRecord(time.Now(), slog.LevelError, msg, 0)
	r.Add(append([]any{"source", sourceSystem}, args...)...)
	red := slog.NewRecord(r.Time, r.Level, msg, 0)
	r.Attrs(func(a slog.Attr) bool {
		red.AddAttrs(c.red.attr(a, false))
		return true
	})
	if c.out.Enabled(ctx, red.Level) {
		_ = c.out.Handle(ctx, red)
	}
}
