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

// Local keeps the library in a folder. Keys map to paths below the root;
// every access goes through an os.Root, which refuses what would leave
// it ("..", absolute paths, symlinks pointing out).
type Local struct {
	root string // absolute, symlinks resolved
	dir  *os.Root
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
	// Resolve the root itself once, so paths handed out are real ones.
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	dir, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	return &Local{root: abs, dir: dir}, nil
}

// Root is the library folder.
func (l *Local) Root() string { return l.root }

// errOutside is a path that would leave the library.
var errOutside = errors.New("files: path outside the library")

// name turns a key into a name below the root, refusing what is not local
// ("", "..", absolute paths).
func name(key string) (string, error) {
	rel := filepath.FromSlash(key)
	if rel == "" || !filepath.IsLocal(rel) {
		return "", errOutside
	}
	return rel, nil
}

// open opens the regular file behind key inside the library.
func (l *Local) open(key string) (*os.File, fs.FileInfo, error) {
	rel, err := name(key)
	if err != nil {
		return nil, nil, err
	}
	f, err := l.dir.Open(rel)
	if err != nil && !errors.Is(err, fs.ErrPermission) {
		// Missing, or a path the root refuses (a symlink leading out):
		// either way there is no file of ours there.
		return nil, nil, fmt.Errorf("%w: %v", fs.ErrNotExist, err)
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// Put links src into place (atomic, no copy, on the same file system),
// else copies it under a temporary name and links that.
func (l *Local) Put(_ context.Context, key, src, _ string) error {
	rel, err := name(key)
	if err != nil {
		return err
	}
	// Creating the folder through the root proves it is inside.
	if err := l.dir.MkdirAll(filepath.Dir(rel), 0o750); err != nil {
		return errOutside
	}
	err = os.Link(src, filepath.Join(l.root, rel))
	if err != nil && (errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EPERM)) {
		err = l.copyNew(src, rel)
	}
	return err
}

func (l *Local) copyNew(src, rel string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := rel + ".partial"
	out, err := l.dir.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = l.dir.Link(tmp, rel) // fails rather than replace
	}
	_ = l.dir.Remove(tmp)
	return err
}

// Open opens the file behind key.
func (l *Local) Open(_ context.Context, key string) (Object, error) {
	f, st, err := l.open(key)
	if err != nil {
		return nil, notExist(err)
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
	f, st, err := l.open(key)
	if err != nil {
		return ObjectInfo{}, notExist(err)
	}
	_ = f.Close()
	return ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes the file behind key.
func (l *Local) Delete(_ context.Context, key string) error {
	rel, err := name(key)
	if err != nil {
		return nil // never ours to touch
	}
	st, err := l.dir.Lstat(rel)
	if err != nil || !st.Mode().IsRegular() {
		return nil // gone, outside (the root refuses it), or not a file of ours
	}
	if err := l.dir.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
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
