package downloads

import (
	"context"

	"github.com/google/uuid"
)

// RequeueRunning gives a running row a new job, as recovery and the rescue
// job do, whatever the row is (a test makes the move those made before
// they knew better).
func RequeueRunning(s *Service, ctx context.Context, id uuid.UUID) error {
	var r row
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return err
	}
	return s.requeue(ctx, &r)
}

// AfterImport makes f run when a completion's files are in the library,
// before their rows are committed.
func AfterImport(s *Service, f func()) { s.afterImport = f }

// AfterRelayoutCopy makes f run when a move between layouts has staged a
// file, before the library takes it.
func AfterRelayoutCopy(s *Service, f func()) { s.afterRelayoutCopy = f }
