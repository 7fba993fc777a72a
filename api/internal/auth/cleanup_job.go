package auth

import (
	"context"
	"time"

	"github.com/downlink/downlink/api/internal/queue"
)

// cleanupArgs is the job that removes expired sessions and stale
// login-throttle counters.
type cleanupArgs struct{}

// Kind implements river.JobArgs.
func (cleanupArgs) Kind() string { return "auth_cleanup" }

// CleanupTask runs Cleanup every 15 minutes (and at start).
func (s *Service) CleanupTask() queue.Task {
	return queue.NewTask[cleanupArgs](queue.TaskOptions{Every: 15 * time.Minute, Unique: 10 * time.Minute, RunOnStart: true},
		func(ctx context.Context) error { return s.Cleanup(ctx) })
}
