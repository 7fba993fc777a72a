package managed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// diskMargin is free space kept beyond a build's size (its marker, the
// new state file, the file system's own needs).
const diskMargin = 1 << 20

// checkFree refuses before downloading when size cannot fit.
func (i *Installer) checkFree(size int64) error {
	if err := os.MkdirAll(i.l.dir, 0o750); err != nil {
		return diskError(err, "cannot create %s", i.l.dir)
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(i.l.dir, &fs); err != nil {
		return nil // unknown: the write will tell
	}
	free := int64(fs.Bavail) * int64(fs.Bsize)
	if free < size+diskMargin {
		return refuse(CodeDiskFull, nil, "not enough free disk in %s for the new yt-dlp: it needs %d bytes, %d are free", i.l.dir, size+diskMargin, free)
	}
	return nil
}

// incoming is a build being staged in its own folder beside the versions
// (same file system, so placing it is a rename).
type incoming struct {
	dir, asset string
	sum        string
	size       int64
	placed     bool
}

func (c *incoming) binary() string { return filepath.Join(c.dir, c.asset) }

// discard removes the folder unless it was placed.
func (c *incoming) discard() {
	if !c.placed {
		_ = os.RemoveAll(c.dir)
	}
}

// seal writes the marker and flushes the folder to disk.
func (c *incoming) seal(m marker) error {
	m.VerifiedAt = time.Now().UTC()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(c.dir, markerFile), b); err != nil {
		return diskError(err, "cannot write %s", markerFile)
	}
	return nil
}

// stage writes a build into a new incoming folder through fill, hashing
// it on the way; on any error the folder is gone.
func (i *Installer) stage(fill func(io.Writer) error) (*incoming, error) {
	if err := os.MkdirAll(i.l.dir, 0o750); err != nil {
		return nil, diskError(err, "cannot create %s", i.l.dir)
	}
	dir, err := os.MkdirTemp(i.l.dir, incomingPrefix+"*")
	if err != nil {
		return nil, diskError(err, "cannot create a folder in %s", i.l.dir)
	}
	c := &incoming{dir: dir, asset: i.cfg.Asset}
	ok := false
	defer func() {
		if !ok {
			c.discard()
		}
	}()
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, diskError(err, "cannot prepare %s", dir)
	}
	f, err := os.OpenFile(c.binary(), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return nil, diskError(err, "cannot create %s", c.binary())
	}
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	if err := fill(cw); err != nil {
		f.Close()
		var r *Refusal
		if errors.As(err, &r) {
			return nil, r
		}
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, diskError(err, "cannot write the new yt-dlp")
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, diskError(err, "cannot write the new yt-dlp")
	}
	if err := f.Close(); err != nil {
		return nil, diskError(err, "cannot write the new yt-dlp")
	}
	c.sum, c.size = hex.EncodeToString(h.Sum(nil)), cw.n
	ok = true
	return c, nil
}

// readErr remembers a read error, to tell a broken upload from a full
// disk.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		e.err = err
	}
	return n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// diskError turns a file system error into a refusal: disk_full when the
// disk or quota is full, io otherwise.
func diskError(err error, format string, args ...any) error {
	var r *Refusal
	if errors.As(err, &r) {
		return r
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return refuse(CodeDiskFull, err, "the disk is full: %s", fmt.Sprintf(format, args...))
	}
	return refuse(CodeIO, err, format, args...)
}

// reporter never returns nil.
func reporter(f func(Progress)) func(Progress) {
	if f == nil {
		return func(Progress) {}
	}
	return f
}
