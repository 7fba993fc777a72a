package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// A request must never wait on the database without end: a paused or
// hung server (processes stopped, sockets open) accepts connections and
// queries and never answers. Every database call made with a request's
// context (WithRequestDeadline, set by the HTTP middleware) gets its own
// deadline, so the request answers 503 "Database unavailable" as it does
// when the server is down. Background work (downloads, migrations, the
// queue) keeps contexts without one: it waits for the database instead.
const (
	// RequestStatementTimeout bounds one statement of a request, the wait
	// for a connection included.
	RequestStatementTimeout = 5 * time.Second
	// RequestTxTimeout bounds a request's transaction from BEGIN to
	// COMMIT (database/sql rolls it back at the deadline).
	RequestTxTimeout = 10 * time.Second
)

// requestTxTimeout is RequestTxTimeout, shorter in tests.
var requestTxTimeout = RequestTxTimeout

// ErrTimeout is a database call of a request that got no answer within
// its deadline; ConnError counts it as the database being unreachable.
var ErrTimeout = errors.New("store: the database did not answer in time")

type requestKey struct{}

// request is what a request's context carries: the context of its latest
// transaction, whose deadline (RequestTxTimeout) can end a statement that
// was running in it without the statement's own context saying why.
type request struct {
	mu sync.Mutex
	tx context.Context
}

// WithRequestDeadline marks ctx as a request's: database calls made with
// it get RequestStatementTimeout each.
func WithRequestDeadline(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestKey{}, &request{})
}

func requestOf(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	return r
}

func isRequest(ctx context.Context) bool { return requestOf(ctx) != nil }

// txTimedOut reports whether the request's transaction ran out of time.
func (r *request) txTimedOut() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tx != nil && errors.Is(context.Cause(r.tx), ErrTimeout)
}

// deadlines is the gorm plugin that gives a request's statements their
// deadline.
type deadlines struct{}

func (deadlines) Name() string { return "store:deadlines" }

const cancelKey = "store:deadline_cancel"

func (deadlines) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	type registrar interface {
		Register(string, func(*gorm.DB)) error
	}
	regs := []registrar{
		cb.Create().Before("*"), cb.Create().After("*"),
		cb.Query().Before("*"), cb.Query().After("*"),
		cb.Update().Before("*"), cb.Update().After("*"),
		cb.Delete().Before("*"), cb.Delete().After("*"),
		cb.Raw().Before("*"), cb.Raw().After("*"),
		// Row and Rows (Scan) hand the result to the caller, who reads it
		// after the callbacks: that deadline ends with the request, or by
		// itself; only the error is marked.
		cb.Row().Before("*"), cb.Row().After("*"),
	}
	for i, r := range regs {
		name, f := "store:deadline", startDeadline
		switch {
		case i == len(regs)-1:
			name, f = "store:deadline_end", markTimeout
		case i%2 == 1:
			name, f = "store:deadline_end", endDeadline
		}
		if err := r.Register(name, f); err != nil {
			return err
		}
	}
	return nil
}

func startDeadline(db *gorm.DB) {
	ctx := db.Statement.Context
	if ctx == nil || !isRequest(ctx) {
		return
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= RequestStatementTimeout {
		return
	}
	ctx, cancel := context.WithTimeoutCause(ctx, RequestStatementTimeout, ErrTimeout)
	db.Statement.Context = ctx
	db.InstanceSet(cancelKey, cancel)
}

func endDeadline(db *gorm.DB) {
	v, ok := db.InstanceGet(cancelKey)
	if !ok {
		return
	}
	markTimeout(db)
	v.(context.CancelFunc)()
}

// markTimeout makes the error of a statement that ran out of time say so:
// its own deadline, or its request's transaction's (database/sql rolled
// the transaction back at RequestTxTimeout: a statement reading its rows
// then finds them closed, and every later one finds the transaction done).
func markTimeout(db *gorm.DB) {
	ctx := db.Statement.Context
	if db.Error == nil || ctx == nil || errors.Is(db.Error, ErrTimeout) {
		return
	}
	r := requestOf(ctx)
	if errors.Is(context.Cause(ctx), ErrTimeout) || (r != nil && (errors.Is(db.Error, sql.ErrTxDone) || r.txTimedOut())) {
		db.Error = fmt.Errorf("%w: %w", ErrTimeout, db.Error)
	}
}

// pool is the connection pool gorm uses: a request's BEGIN (and the wait
// for its connection) gets RequestTxTimeout, the whole transaction's.
type connPool struct{ *sql.DB }

// GetDBConn gives gorm's DB() the pool underneath.
func (p connPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// BeginTx implements gorm.TxBeginner.
func (p connPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	req := requestOf(ctx)
	if req == nil {
		return p.DB.BeginTx(ctx, opts)
	}
	timeout := requestTxTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= timeout {
		return p.DB.BeginTx(ctx, opts)
	}
	// The transaction lives with this context (database/sql rolls back
	// when it ends); it ends at the deadline, or with the request.
	tctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrTimeout)
	// Released once done (by its own timer, whose cause then says
	// ErrTimeout; a cancel racing that timer could have said Canceled).
	context.AfterFunc(tctx, cancel)
	req.mu.Lock()
	req.tx = tctx
	req.mu.Unlock()
	tx, err := p.DB.BeginTx(tctx, opts)
	if err != nil && errors.Is(context.Cause(tctx), ErrTimeout) {
		err = fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return tx, err
}
