package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"syscall"

	"github.com/google/uuid"
)

// ErrDiskFull is returned when the library's disk has no room.
var ErrDiskFull = errors.New("files: disk full")

// Imported is a file moved into the library but not yet registered.
type Imported struct {
	RelPath string
	Name    string
	Size    int64
}

// Import is ImportContext without a deadline.
func (s *Service) Import(src string, userID uuid.UUID, platform, stem, tag, ext string) (Imported, error) {
	return s.ImportContext(context.Background(), src, userID, platform, stem, tag, ext)
}

// ImportContext moves src into the library as
// <user>/<platform>/<stem> [<tag>]<ext> without ever replacing a
// registered file, then removes src. On a local library the move is a hard
// link (atomic) when src is on the same file system, else a copy under a
// temporary name; on S3 it is an upload. On failure nothing is left in the
// library.
//
// The tag names the download (the caller registers the file in the same
// step that completes it): a file at one of its names that no row points
// at is what a crash between an earlier move and its commit left. It is
// replaced, not kept beside a "-2" copy, so a crash at any point leaves
// either a registered file or, until the download runs again, one the
// orphan check reports.
func (s *Service) ImportContext(ctx context.Context, src string, userID uuid.UUID, platform, stem, tag, ext string) (Imported, error) {
	st, err := os.Stat(src)
	if err != nil {
		return Imported{}, err
	}
	dir := path.Join(userID.String(), SanitizeName(platform))
	base := SanitizeName(stem)
	ext = SanitizeExt(ext)
	return s.putFree(ctx, src, st.Size(), dir, func(i int) string {
		if i == 0 {
			return base + " [" + tag + "]" + ext
		}
		return fmt.Sprintf("%s [%s-%d]%s", base, tag, i+1, ext)
	})
}

// putFree moves src (size bytes) into dir under the first name nameFor
// gives (for i = 0, 1, …) that no registered file holds: a file at a name
// that no row points at (what an interrupted completion left) is replaced.
// On failure nothing is left in the library.
func (s *Service) putFree(ctx context.Context, src string, size int64, dir string, nameFor func(i int) string) (Imported, error) {
	for i := 0; i < 100; i++ {
		name := nameFor(i)
		key := path.Join(dir, name)
		mt, _ := TypeOf(name)
		err := s.backend.Put(ctx, key, src, mt)
		if errors.Is(err, fs.ErrExist) && s.leftover(ctx, key) {
			s.log.Warn("replacing a file an interrupted completion left unregistered", "path", key)
			if derr := s.backend.Delete(ctx, key); derr == nil {
				err = s.backend.Put(ctx, key, src, mt)
			}
		}
		switch {
		case err == nil:
			_ = os.Remove(src)
			return Imported{RelPath: key, Name: name, Size: size}, nil
		case errors.Is(err, fs.ErrExist):
			continue
		default:
			return Imported{}, classifyFSError(err)
		}
	}
	return Imported{}, errors.New("files: no free name in the library")
}

// leftover reports whether no row points at key: a file of the library
// that no download registered.
func (s *Service) leftover(ctx context.Context, key string) bool {
	var n int64
	err := s.db.WithContext(ctx).Model(&Row{}).Where("rel_path = ? OR thumb_key = ?", key, key).Count(&n).Error
	return err == nil && n == 0
}

// Discard removes an imported file that could not be registered, unless
// a row points at it now (another run of the same download, which took
// it over, registered that name meanwhile).
func (s *Service) Discard(rel string) {
	if !s.leftover(context.Background(), rel) {
		return
	}
	if err := s.backend.Delete(context.Background(), rel); err != nil {
		s.log.Warn("cannot remove an unregistered file", "path", rel, "err", err)
	}
}

func classifyFSError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	}
	return err
}
