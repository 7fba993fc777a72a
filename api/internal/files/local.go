package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Local keeps the library in a folder. Keys map to paths below the root,
// checked to stay inside it with symlinks resolved.
type Local struct {
	root string // absolute, symlinks resolved
}

var _ Backend = (*Local)(nil)

// NewLocal returns the backend for the folder root, creating it.
func NewLocal(root string) (*Local, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create library: %w", err)
	}
	// Resolve the root itself once, so checks compare real paths.
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return &Local{root: abs}, nil
}

// Root is the library folder.
func (l *Local) Root() string { return l.root }

// errOutside is a path that would leave the library.
var errOutside = errors.New("files: path outside the library")

// resolve returns the real path of a key, refusing anything that leaves
// the library (through "..", absolute paths or symlinks) and anything that
// is not a regular file.
func (l *Local) resolve(key string) (string, error) {
	rel := filepath.FromSlash(key)
	if rel == "" || filepath.IsAbs(rel) || !filepath.IsLocal(rel) {
		return "", errOutside
	}
	real, err := filepath.EvalSymlinks(filepath.Join(l.root, rel))
	if err != nil {
		return "", err
	}
	if !Inside(l.root, real) {
		return "", errOutside
	}
	st, err := os.Lstat(real)
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fs.ErrNotExist
	}
	return real, nil
}

// Put links src into place (atomic, no copy, on the same file system),
// else copies it under a temporary name and links that.
func (l *Local) Put(_ context.Context, key, src, _ string) error {
	rel := filepath.FromSlash(key)
	if rel == "" || !filepath.IsLocal(rel) {
		return errOutside
	}
	dst := filepath.Join(l.root, rel)
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(dir); err != nil || !Inside(l.root, real) {
		return errOutside
	}
	err := os.Link(src, dst)
	if err != nil && (errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EPERM)) {
		err = copyNew(src, dst)
	}
	return err
}

func copyNew(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".partial"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp, dst) // fails rather than replace
	}
	_ = os.Remove(tmp)
	return err
}

// Open opens the file behind key.
func (l *Local) Open(_ context.Context, key string) (Object, error) {
	p, err := l.resolve(key)
	if err != nil {
		return nil, notExist(err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notExist(err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &localObject{File: f, info: ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()}}, nil
}

type localObject struct {
	*os.File
	info ObjectInfo
}

func (o *localObject) Info() ObjectInfo { return o.info }

// Stat describes the file behind key.
func (l *Local) Stat(_ context.Context, key string) (ObjectInfo, error) {
	p, err := l.resolve(key)
	if err != nil {
		return ObjectInfo{}, notExist(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return ObjectInfo{}, notExist(err)
	}
	return ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes the file behind key.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.resolve(key)
	if err != nil {
		return nil // gone, or never ours to touch
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Walk lists every regular file below the root, skipping copies in
// progress (.partial).
func (l *Local) Walk(ctx context.Context, fn func(ObjectInfo) error) error {
	return filepath.WalkDir(l.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || ctx.Err() != nil {
			return ctx.Err()
		}
		if !d.Type().IsRegular() || filepath.Ext(d.Name()) == ".partial" {
			return nil
		}
		rel, err := filepath.Rel(l.root, path)
		if err != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		return fn(ObjectInfo{Key: filepath.ToSlash(rel), Size: info.Size(), ModTime: info.ModTime()})
	})
}

// notExist folds "outside the library" into not-exist: to a caller both
// mean there is no file to serve.
func notExist(err error) error {
	if errors.Is(err, errOutside) {
		return fmt.Errorf("%w: %v", fs.ErrNotExist, err)
	}
	return err
}
