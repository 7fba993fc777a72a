package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"sync"

	moderncsqlite "modernc.org/sqlite"
)

// stmtCacheSize is how many prepared statements each SQLite connection
// keeps. Downlink and River run a few dozen distinct statements; a list
// with filters builds a few more. Each costs SQLite a few KiB.
const stmtCacheSize = 128

// sqliteConnector opens modernc.org/sqlite connections that keep their
// prepared statements. SQLite spends most of a short statement's time
// parsing it (the list of downloads, River's job insert): the driver keeps
// a statement prepared for as long as its driver.Stmt lives, but
// database/sql prepares and closes one per call, and GORM and River call
// with SQL text. The connection therefore answers database/sql's Prepare
// from a cache keyed by that text: a statement closed by database/sql is
// reset (the driver does that when its rows close or its exec ends) and
// kept for the next call instead of finalized.
type sqliteConnector struct {
	dsn    string
	driver *moderncsqlite.Driver
}

func newSQLiteConnector(dsn string) *sqliteConnector {
	return &sqliteConnector{dsn: dsn, driver: &moderncsqlite.Driver{}}
}

func (c *sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return newSQLiteConn(conn), nil
}

func (c *sqliteConnector) Driver() driver.Driver { return c.driver }

// sqliteConn is the driver's connection without its QueryContext and
// ExecContext (so database/sql goes through Prepare, which the cache
// answers) and with a statement cache. database/sql uses a connection from
// one goroutine at a time, but closes an explicitly prepared statement
// when the connection is returned, so the cache has its own lock.
type sqliteConn struct {
	conn driverConn

	mu       sync.Mutex
	stmts    map[string]*list.Element // of *cachedStmt, most recently used first
	lru      list.List
	prepared int // statements this connection has parsed (tests read it)
}

// driverConn is what sqliteConn needs of the driver's connection.
type driverConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func newSQLiteConn(c driver.Conn) driver.Conn {
	full, ok := c.(driverConn)
	if !ok {
		return c // another driver build: no cache, the driver's own paths
	}
	return &sqliteConn{conn: full, stmts: map[string]*list.Element{}}
}

// cachedStmt is a prepared statement the cache owns. inUse is set while
// database/sql holds it (a query's rows are open, or a caller prepared it
// explicitly); a second caller of the same SQL meanwhile gets a statement
// of its own, which is finalized when closed.
type cachedStmt struct {
	driver.Stmt
	owner   *sqliteConn
	query   string
	inUse   bool
	evicted bool
}

// Close hands the statement back to the cache; the driver has already
// reset it.
func (s *cachedStmt) Close() error {
	s.owner.mu.Lock()
	s.inUse = false
	evicted := s.evicted
	s.owner.mu.Unlock()
	if evicted {
		return s.Stmt.Close()
	}
	return nil
}

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (c *sqliteConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *sqliteConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.mu.Lock()
	if e, ok := c.stmts[query]; ok {
		s := e.Value.(*cachedStmt)
		if !s.inUse {
			s.inUse = true
			c.lru.MoveToFront(e)
			c.mu.Unlock()
			return s, nil
		}
		c.prepared++
		c.mu.Unlock()
		return c.conn.PrepareContext(ctx, query) // in use: one of its own
	}
	c.prepared++
	c.mu.Unlock()

	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(interface {
		driver.StmtExecContext
		driver.StmtQueryContext
	}); !ok {
		return st, nil
	}
	s := &cachedStmt{Stmt: st, owner: c, query: query, inUse: true}
	var drop []*cachedStmt
	c.mu.Lock()
	if _, ok := c.stmts[query]; ok {
		c.mu.Unlock()
		return st, nil // prepared meanwhile (an explicit Prepare's close)
	}
	c.stmts[query] = c.lru.PushFront(s)
	for c.lru.Len() > stmtCacheSize {
		o := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.stmts, o.query)
		drop = o.retire(drop)
	}
	c.mu.Unlock()
	finalize(drop)
	return s, nil
}

// retire takes s out of the cache (the owner's lock held): one not in use
// is added to drop, to be finalized once the lock is released; one in use
// is finalized by its Close.
func (s *cachedStmt) retire(drop []*cachedStmt) []*cachedStmt {
	s.evicted = true
	if !s.inUse {
		drop = append(drop, s)
	}
	return drop
}

func finalize(stmts []*cachedStmt) {
	for _, s := range stmts {
		_ = s.Stmt.Close()
	}
}

// Close finalizes the cached statements, then closes the connection.
func (c *sqliteConn) Close() error {
	c.mu.Lock()
	var drop []*cachedStmt
	for e := c.lru.Front(); e != nil; e = e.Next() {
		drop = e.Value.(*cachedStmt).retire(drop)
	}
	c.stmts = map[string]*list.Element{}
	c.lru.Init()
	c.mu.Unlock()
	finalize(drop)
	return c.conn.Close()
}

func (c *sqliteConn) Begin() (driver.Tx, error) {
	return c.conn.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *sqliteConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.BeginTx(ctx, opts)
}

func (c *sqliteConn) Ping(ctx context.Context) error { return c.conn.Ping(ctx) }

func (c *sqliteConn) ResetSession(ctx context.Context) error { return c.conn.ResetSession(ctx) }

func (c *sqliteConn) IsValid() bool { return c.conn.IsValid() }
