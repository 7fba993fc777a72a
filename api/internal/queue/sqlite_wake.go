package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// SQLite has no LISTEN/NOTIFY. River's SQLite driver stands in for it with an
// outbox table (river_notification: every job insert and cancel writes a row
// in its transaction) and a listener that polls that table every 50 ms; with
// the listener off (poll-only mode) every queue's producer instead polls for
// jobs and settings on its own, which for one queue per platform kept an
// idle node at 6–8 % of a core (docs/performance.md).
//
// sqliteDriver keeps River's driver and replaces only the listener: it reads
// the same outbox, but
//   - at once when this process wrote to it (every executor the driver hands
//     out rings a bell when it writes a notification), polling briefly while
//     the writer's transaction commits;
//   - otherwise every outboxPoll, which is how a job inserted by another
//     process (the CLI) is seen.
//
// So a job submitted through this process starts within milliseconds, one
// from elsewhere within about two seconds, and an idle node makes one
// small query every two seconds instead of dozens a second.
type sqliteDriver struct {
	*riversqlite.Driver
	db   *sql.DB
	bell *bell
}

// outboxPoll is how often the listener reads the outbox when this process
// wrote nothing: the pickup time of a job inserted by another process.
const outboxPoll = 2 * time.Second

// burst is how the listener polls after a ring: the writer's transaction is
// usually committed within the first few milliseconds, rarely much later.
var burst = []time.Duration{time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond,
	30 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond}

func newSQLiteDriver(db *sql.DB) *sqliteDriver {
	return &sqliteDriver{Driver: riversqlite.New(db), db: db, bell: &bell{c: make(chan struct{}, 1)}}
}

func (d *sqliteDriver) GetExecutor() riverdriver.Executor {
	return &bellExecutor{Executor: d.Driver.GetExecutor(), bell: d.bell}
}

func (d *sqliteDriver) UnwrapExecutor(tx *sql.Tx) riverdriver.ExecutorTx {
	return &bellExecutorTx{ExecutorTx: d.Driver.UnwrapExecutor(tx), bell: d.bell}
}

func (d *sqliteDriver) GetListener(params *riverdriver.GetListenenerParams) riverdriver.Listener {
	return &sqliteListener{db: d.db, bell: d.bell, poll: outboxPoll, schema: params.Schema}
}

// bell is rung when this process wrote a notification; one listener hears it.
type bell struct{ c chan struct{} }

func (b *bell) ring() {
	select {
	case b.c <- struct{}{}:
	default: // already rung, not yet heard
	}
}

// bellExecutor and bellExecutorTx are River's executors with a bell on the
// two calls that write notifications (inserts notify through NotifyMany,
// cancels inside JobCancel) and on Begin, whose transactions get one too.
type bellExecutor struct {
	riverdriver.Executor
	bell *bell
}

func (e *bellExecutor) Begin(ctx context.Context) (riverdriver.ExecutorTx, error) {
	tx, err := e.Executor.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &bellExecutorTx{ExecutorTx: tx, bell: e.bell}, nil
}

func (e *bellExecutor) NotifyMany(ctx context.Context, p *riverdriver.NotifyManyParams) error {
	err := e.Executor.NotifyMany(ctx, p)
	if err == nil && len(p.Payload) > 0 {
		e.bell.ring()
	}
	return err
}

func (e *bellExecutor) JobCancel(ctx context.Context, p *riverdriver.JobCancelParams) (*rivertype.JobRow, error) {
	job, err := e.Executor.JobCancel(ctx, p)
	if err == nil {
		e.bell.ring()
	}
	return job, err
}

type bellExecutorTx struct {
	riverdriver.ExecutorTx
	bell *bell
}

func (e *bellExecutorTx) Begin(ctx context.Context) (riverdriver.ExecutorTx, error) {
	tx, err := e.ExecutorTx.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &bellExecutorTx{ExecutorTx: tx, bell: e.bell}, nil
}

func (e *bellExecutorTx) NotifyMany(ctx context.Context, p *riverdriver.NotifyManyParams) error {
	err := e.ExecutorTx.NotifyMany(ctx, p)
	if err == nil && len(p.Payload) > 0 {
		e.bell.ring()
	}
	return err
}

func (e *bellExecutorTx) JobCancel(ctx context.Context, p *riverdriver.JobCancelParams) (*rivertype.JobRow, error) {
	job, err := e.ExecutorTx.JobCancel(ctx, p)
	if err == nil {
		e.bell.ring()
	}
	return job, err
}

// sqliteListener reads river_notification as River's own SQLite listener
// does (rows after the last one seen, for the topics listened to, each topic
// from the row current when it was subscribed), on the bell and outboxPoll.
type sqliteListener struct {
	db     *sql.DB
	bell   *bell
	poll   time.Duration
	schema string

	mu        sync.Mutex
	connected bool
	lastID    int64
	topics    map[string]int64
	pending   []notification
	burstAt   int // index into burst while the writer's commit is awaited; len(burst) when idle
}

type notification struct {
	id             int64
	payload, topic string
}

func (l *sqliteListener) Close(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.connected, l.pending, l.topics = false, nil, nil
	return nil
}

func (l *sqliteListener) Connect(ctx context.Context) error {
	last, err := l.lastRowID(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.connected {
		return errors.New("connection already established")
	}
	l.connected, l.lastID, l.topics, l.burstAt = true, last, map[string]int64{}, len(burst)
	return nil
}

func (l *sqliteListener) lastRowID(ctx context.Context) (int64, error) {
	var id int64
	err := l.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM river_notification`).Scan(&id)
	return id, err
}

func (l *sqliteListener) Listen(ctx context.Context, topic string) error {
	last, err := l.lastRowID(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.connected {
		return errors.New("listener is not connected")
	}
	if _, ok := l.topics[topic]; !ok {
		l.topics[topic] = max(l.lastID, last)
	}
	return nil
}

func (l *sqliteListener) Unlisten(_ context.Context, topic string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.connected {
		return errors.New("listener is not connected")
	}
	delete(l.topics, topic)
	return nil
}

func (l *sqliteListener) Ping(ctx context.Context) error { return l.db.PingContext(ctx) }
func (l *sqliteListener) Schema() string                 { return l.schema }
func (l *sqliteListener) SetAfterConnectExec(string)     {}

// WaitForNotification returns the next notification of a topic listened to,
// reading the outbox when the bell rings (then a few times quickly, until
// the ringing transaction's rows are visible) or every poll.
func (l *sqliteListener) WaitForNotification(ctx context.Context) (*riverdriver.Notification, error) {
	for {
		if n, ok := l.next(); ok {
			return n, nil
		}
		found, err := l.read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		if found {
			continue
		}
		l.mu.Lock()
		wait := l.poll
		if l.burstAt < len(burst) {
			wait = burst[l.burstAt]
			l.burstAt++
		}
		l.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-l.bell.c:
			t.Stop()
			l.mu.Lock()
			l.burstAt = 0
			l.mu.Unlock()
		case <-t.C:
		}
	}
}

// next hands out a buffered notification of a topic still listened to.
func (l *sqliteListener) next() (*riverdriver.Notification, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.pending) > 0 {
		n := l.pending[0]
		l.pending = l.pending[1:]
		if start, ok := l.topics[n.topic]; ok && n.id > start {
			return &riverdriver.Notification{Payload: n.payload, Topic: n.topic}, true
		}
	}
	return nil, false
}

// read buffers the rows after the last one seen; found says whether any.
func (l *sqliteListener) read(ctx context.Context) (bool, error) {
	l.mu.Lock()
	if !l.connected {
		l.mu.Unlock()
		return false, errors.New("listener is not connected")
	}
	after := l.lastID
	topics := make([]string, 0, len(l.topics))
	for t := range l.topics {
		topics = append(topics, t)
	}
	l.mu.Unlock()
	if len(topics) == 0 {
		return false, nil
	}
	tj, err := json.Marshal(topics)
	if err != nil {
		return false, err
	}
	rows, err := l.db.QueryContext(ctx, `SELECT id, payload, topic FROM river_notification
		WHERE id > ? AND topic IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 256`, after, string(tj))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var got []notification
	for rows.Next() {
		var n notification
		if err := rows.Scan(&n.id, &n.payload, &n.topic); err != nil {
			return false, err
		}
		got = append(got, n)
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	if len(got) == 0 {
		return false, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lastID == after { // not reset by a Close/Connect meanwhile
		l.pending = append(l.pending, got...)
		l.lastID = got[len(got)-1].id
		l.burstAt = len(burst)
	}
	return true, nil
}
