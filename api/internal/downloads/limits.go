package downloads

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/problem"
)

// UserLimits bound one user's share of the installation (settings'
// limits): 0 means no limit.
type UserLimits struct {
	// MaxRunning is how many of a user's downloads run at once, cluster-wide.
	MaxRunning int
	// MaxProbes is how many probes of one user run at once on a node.
	MaxProbes int
	// ProbePool is how many probes run at once on a node.
	ProbePool int
}

// Causes that stop a run on a limit; limitFailure turns them into what
// the user reads.
var (
	errTooLong  = errors.New("download ran past the maximum duration")
	errTooLarge = errors.New("download grew past the maximum size")
)

// errOverStorage stops a run whose temporary files took its owner past
// their storage quota.
type errOverStorage struct{ used, quota int64 }

func (e *errOverStorage) Error() string { return "storage quota exceeded while downloading" }

// limitFailure says why a run stopped on a limit (nil: it did not).
func limitFailure(cause error, pol PlatformPolicy) error {
	var os *errOverStorage
	switch {
	case errors.Is(cause, errTooLong):
		return Failure("too_long", fmt.Sprintf("The download was stopped after %s, the longest a download may run here (a live or very slow stream?). An administrator sets this limit in Settings → Limits.",
			pol.MaxDuration))
	case errors.Is(cause, errTooLarge):
		return Failure("too_large", fmt.Sprintf("The download was stopped at %s, the largest a download may be here. An administrator sets this limit in Settings → Limits.",
			humanize.IBytes(uint64(pol.MaxBytes))))
	case errors.As(cause, &os):
		return Failure("storage_quota_exceeded", fmt.Sprintf("The download was stopped: your files and downloads in progress take %s of your %s storage quota. Delete some files (or ask an administrator for more) and retry.",
			humanize.IBytes(uint64(os.used)), humanize.IBytes(uint64(os.quota))))
	}
	return nil
}

// guardInterval is how often a running download's folder is measured.
const guardInterval = time.Second

// guard watches a running download until stop is called: it hands the
// bytes in the download's folder to record (the tracker stores them in
// temp_bytes with its throttled row write; they count against the owner's
// storage quota), and stops the run (cancel with a limit cause) when the
// folder passes the platform's maximum size or the owner's quota.
func (s *Service) guard(ctx context.Context, cancel context.CancelCauseFunc, r *row, dir string, pol PlatformPolicy,
	record func(bytes int64)) (stop func()) {
	ctx, done := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(guardInterval)
		defer t.Stop()
		recorded := int64(-1) // a retried row's column holds its last run's bytes: record even 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			size := dirSize(dir)
			if pol.MaxBytes > 0 && size > pol.MaxBytes {
				cancel(errTooLarge)
				return
			}
			if size == recorded {
				continue
			}
			record(size)
			recorded = size
			if s.storageQuota == nil {
				continue
			}
			used, quota, err := s.storageQuota.Usage(ctx, r.UserID)
			if err == nil && quota != nil && used > *quota {
				cancel(&errOverStorage{used: used, quota: *quota})
				return
			}
		}
	}()
	return func() { done(); wg.Wait() }
}

// dirSize sums the regular files below dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			n += info.Size()
		}
		return nil
	})
	return n
}

// ErrTooManyProbes is a probe over the caller's or the node's cap.
var ErrTooManyProbes = problem.New(http.StatusTooManyRequests, "Too many probes at once")

// probeRetryAfter is what a refused probe is told to wait.
const probeRetryAfter = 2

// probeGate bounds the probes running on this node: a node-wide pool and
// a cap per user, both read at every acquire so a settings change applies
// at once.
type probeGate struct {
	mu     sync.Mutex
	total  int
	byUser map[uuid.UUID]int
}

func newProbeGate() *probeGate { return &probeGate{byUser: map[uuid.UUID]int{}} }

// acquire takes a probe slot for the caller, or returns ErrTooManyProbes
// (429 with retry_after).
func (g *probeGate) acquire(caller *authz.Principal, l UserLimits) (release func(), err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	refuse := func(detail string) error {
		return ErrTooManyProbes.WithDetail("%s", detail).With("retry_after", probeRetryAfter).
			WithHeader("Retry-After", strconv.Itoa(probeRetryAfter))
	}
	if l.MaxProbes > 0 && g.byUser[caller.UserID] >= l.MaxProbes {
		return nil, refuse(fmt.Sprintf("You have %d probes running, the most allowed at once; wait for one to finish.", g.byUser[caller.UserID]))
	}
	if l.ProbePool > 0 && g.total >= l.ProbePool {
		return nil, refuse("The server is busy with other probes; try again in a moment.")
	}
	g.total++
	g.byUser[caller.UserID]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.total--
			if g.byUser[caller.UserID]--; g.byUser[caller.UserID] <= 0 {
				delete(g.byUser, caller.UserID)
			}
		})
	}, nil
}
