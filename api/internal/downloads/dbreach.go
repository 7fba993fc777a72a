package downloads

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/store"
)

// A database outage (Postgres restarted, failed over, briefly unreachable)
// is not a download failure: a worker that meets one neither marks the
// download failed nor throws its files away.

// untilReachable runs op, and again while it fails because the database
// cannot be reached, until it succeeds, fails otherwise, or ctx ends (a
// cancel, a shutdown). It guards registering a finished download, whose
// files are already in the library.
func (s *Service) untilReachable(ctx context.Context, id uuid.UUID, op func() error) error {
	wait := 250 * time.Millisecond
	waited := time.Time{}
	for {
		err := op()
		if err == nil && !waited.IsZero() {
			s.log.Info("database reachable again; the finished download is registered", "download_id", id,
				"waited_ms", time.Since(waited).Milliseconds())
		}
		if err == nil || errors.Is(err, errLostOwnership) || !s.unreachable(ctx, err) {
			return err
		}
		if waited.IsZero() {
			waited = time.Now()
			s.log.Warn("database unreachable; the finished download waits to be registered", "download_id", id, "err", err)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// unreachable says whether err, the error of a database statement, came
// from not reaching the database rather than from the database refusing
// the statement.
func (s *Service) unreachable(ctx context.Context, err error) bool {
	var netErr net.Error
	if err == nil || ctx.Err() != nil {
		return false
	}
	if errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	return s.databaseDown(ctx, err)
}

// databaseDown says whether err, of a step that is not only database
// statements (a platform's own HTTP calls return network errors too), may
// be the database's: the error is a database connection's, or the
// database does not answer now.
func (s *Service) databaseDown(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	return store.ConnError(err) || s.pingFails(ctx)
}

func (s *Service) pingFails(ctx context.Context) bool {
	sqlDB, err := s.db.DB()
	if err != nil {
		return false
	}
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return sqlDB.PingContext(pingCtx) != nil && ctx.Err() == nil
}
