// Package store opens Downlink's database (SQLite by default, Postgres for
// teams), runs its versioned migrations and hands GORM and database/sql
// handles to the domain packages.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/downlink/downlink/api/internal/config"
)

// Store is an open database.
type Store struct {
	// DB is the GORM handle domain packages query through.
	DB *gorm.DB
	// SQL is the underlying pool (shared by GORM and River on SQLite, and by
	// River's transactional inserts on Postgres).
	SQL *sql.DB
	// Pool is the pgx pool on Postgres (River's workers and LISTEN/NOTIFY);
	// nil on SQLite.
	Pool *pgxpool.Pool
	// Kind says which database this is.
	Kind config.DatabaseKind
	// DSN is the Postgres connection string or the SQLite path.
	DSN string

	readers *sql.DB // SQLite's read-only pool
}

// Open connects to the database and checks that it answers.
func Open(ctx context.Context, db config.Database, log *slog.Logger) (*Store, error) {
	gcfg := &gorm.Config{
		Logger:                                   newGormLogger(log),
		NowFunc:                                  func() time.Time { return time.Now().UTC() },
		DisableForeignKeyConstraintWhenMigrating: false,
		TranslateError:                           true,
	}
	switch db.Kind {
	case config.SQLite:
		return openSQLite(ctx, db.DSN, gcfg)
	case config.Postgres:
		return openPostgres(ctx, db.DSN, gcfg)
	}
	return nil, fmt.Errorf("unsupported database %q", db.Kind)
}

// sqliteDSN turns a file path into a connection string with WAL, a busy
// timeout, foreign keys and IMMEDIATE transactions.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	// How databases written since 2025 store time: 2006-01-02
	// 15:04:05.999999999-07:00, which sorts as time does within one zone
	// (Downlink writes UTC). modernc.org/sqlite's default is time.String.
	q.Set("_time_format", "sqlite")
	// SQLite reads the name as a URI: %, ? and # in a path must be escaped.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + escaped + "?" + q.Encode()
}

// restrictSQLiteFiles makes the database readable by its owner only, like
// the secret key: it holds password hashes, sessions and sealed secrets.
// A new file is created 0600 before SQLite opens it (SQLite gives its WAL
// and shared-memory files the database file's mode); an existing one, and
// its WAL files, are tightened to 0600.
func restrictSQLiteFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		return f.Close()
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("create sqlite %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("restrict %s to its owner: %w", p, err)
			}
		}
	}
	return nil
}

// sqliteReaders is how many connections serve reads on SQLite.
const sqliteReaders = 4

// openSQLite opens two pools on one file: a single writer connection, so
// writes (ours and River's) queue in Go instead of contending for SQLite's
// lock, and a few read-only connections, which WAL lets read while the
// writer writes. GORM routes statements with dbresolver: reads to the
// readers, writes and transactions to the writer; River uses the writer.
func openSQLite(ctx context.Context, path string, gcfg *gorm.Config) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create database folder: %w", err)
	}
	if err := restrictSQLiteFiles(path); err != nil {
		return nil, err
	}
	writer := sql.OpenDB(newSQLiteConnector(sqliteDSN(path, false)))
	gdb, err := gorm.Open(sqlite.New(sqlite.Config{Conn: connPool{writer}}), gcfg)
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	readers := sql.OpenDB(newSQLiteConnector(sqliteDSN(path, true)))
	readers.SetMaxOpenConns(sqliteReaders)
	readers.SetMaxIdleConns(sqliteReaders)
	err = gdb.Use(dbresolver.Register(dbresolver.Config{
		Replicas: []gorm.Dialector{sqlite.New(sqlite.Config{Conn: readers})},
	}))
	if err == nil {
		err = gdb.Use(deadlines{})
	}
	if err != nil {
		_ = writer.Close()
		_ = readers.Close()
		return nil, err
	}
	return &Store{DB: gdb, SQL: writer, readers: readers, Kind: config.SQLite, DSN: path}, nil
}

func openPostgres(ctx context.Context, dsn string, gcfg *gorm.Config) (*Store, error) {
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DOWNLINK_DATABASE_URL: %w", err)
	}
	// pgxpool's default is four on two cores: too few for the workers,
	// the queue and requests at once. A pool_max_conns in the URL is the
	// operator's choice (a small managed Postgres) and is kept.
	if pcfg.MaxConns < 10 && !strings.Contains(dsn, "pool_max_conns") {
		pcfg.MaxConns = 10
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: connPool{sqlDB}}), gcfg)
	if err == nil {
		err = gdb.Use(deadlines{})
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &Store{DB: gdb, SQL: sqlDB, Pool: pool, Kind: config.Postgres, DSN: dsn}, nil
}

// Ping checks that the database answers within the context's deadline.
func (s *Store) Ping(ctx context.Context) error {
	if s.Pool != nil {
		return s.Pool.Ping(ctx)
	}
	return s.SQL.PingContext(ctx)
}

// Close releases every connection.
func (s *Store) Close() error {
	if s.readers != nil {
		_ = s.readers.Close()
	}
	err := s.SQL.Close()
	if s.Pool != nil {
		s.Pool.Close()
	}
	return err
}

// IsPostgres reports whether this is a Postgres store.
func (s *Store) IsPostgres() bool { return s.Kind == config.Postgres }

// ErrNotFound is returned by lookups that match no row.
var ErrNotFound = errors.New("not found")

// NotFound maps GORM's record-not-found to err (usually a package's own
// sentinel) and leaves other errors alone.
func NotFound(err, notFound error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound
	}
	return err
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

func newGormLogger(log *slog.Logger) logger.Interface {
	return quietCanceled{logger.NewSlogLogger(log.With("source", "store"), logger.Config{
		SlowThreshold:             500 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	})}
}

// quietCanceled does not log a statement that failed because its context
// was canceled (a client that disconnected, a stopping job): the caller
// sees the error and decides; a database error row would be noise.
type quietCanceled struct{ logger.Interface }

func (q quietCanceled) LogMode(l logger.LogLevel) logger.Interface {
	return quietCanceled{q.Interface.LogMode(l)}
}

func (q quietCanceled) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if errors.Is(err, context.Canceled) {
		err = nil // still logged if it was slow, as any statement
	}
	q.Interface.Trace(ctx, begin, fc, err)
}

// ConnError recognizes the errors only a lost or refused database
// connection returns (pgx, database/sql): the database is unreachable, as
// opposed to refusing a statement.
func ConnError(err error) bool {
	var pgErr *pgconn.PgError
	var connectErr *pgconn.ConnectError
	switch {
	case err == nil:
		return false
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &connectErr), errors.Is(err, ErrTimeout):
		return true
	case errors.Is(err, sql.ErrTxDone):
		// A request's transaction rolled back at its deadline, found by
		// its COMMIT (its statements say ErrTimeout: markTimeout).
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01-57P03: the server is
		// shutting down, crashed, or not yet accepting connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return pgconn.SafeToRetry(err)
}

// ForUpdate locks the rows q reads until the transaction ends: FOR UPDATE
// on Postgres. SQLite needs nothing: its transactions are IMMEDIATE, so the
// whole database is already locked for writing.
func ForUpdate(q *gorm.DB) *gorm.DB {
	if q.Dialector.Name() == "postgres" {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// Contains returns a LIKE pattern matching text anywhere, literally: %, _
// and \ in text are escaped. Use it with `LIKE ? ESCAPE '\'`.
func Contains(text string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
}
