package managed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockPoll is how often a waiting operation retries another process's
// lock.
const lockPoll = 200 * time.Millisecond

// lock makes the caller the only operation on this tools folder: in this
// process (busy) and across processes sharing the folder, such as the
// server and `downlink ytdlp update` (an flock on .lock). Without wait it
// returns ErrBusy at once when another operation runs.
func (i *Installer) lock(ctx context.Context, wait bool) (unlock func(), err error) {
	select {
	case i.busy <- struct{}{}:
	default:
		if !wait {
			return nil, ErrBusy
		}
		select {
		case i.busy <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	release := func() { <-i.busy }
	if err := os.MkdirAll(i.l.dir, 0o750); err != nil {
		release()
		return nil, refuse(CodeIO, err, "cannot create %s", i.l.dir)
	}
	f, err := os.OpenFile(filepath.Join(i.l.dir, lockFile), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		release()
		return nil, refuse(CodeIO, err, "cannot open the lock file in %s", i.l.dir)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			release()
			return nil, refuse(CodeIO, err, "cannot lock %s", i.l.dir)
		}
		if !wait {
			f.Close()
			release()
			return nil, ErrBusy
		}
		select {
		case <-ctx.Done():
			f.Close()
			release()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
		release()
	}, nil
}
