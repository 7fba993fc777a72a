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
// <user>/<platform>/<stem> [<tag>]<ext> without ever replacing an existing
// file, then removes src. On a local library the move is a hard link
// (atomic) when src is on the same file system, else a copy under a
// temporary name; on S3 it is an upload. On failure nothing is left in the
// library.
func (s *Service) ImportContext(ctx context.Context, src string, userID uuid.UUID, platform, stem, tag, ext string) (Imported, error) {
	st, err := os.Stat(src)
	if err != nil {
		return Imported{}, err
	}
	dir := path.Join(userID.String(), SanitizeName(platform))
	base := SanitizeName(stem)
	ext = SanitizeExt(ext)
	for i := 0; i < 100; i++ {
		name := base + " [" + tag + "]" + ext
		if i > 0 {
			name = fmt.Sprintf("%s [%s-%d]%s", base, tag, i+1, ext)
		}
		key := path.Join(dir, name)
		mt, _ := TypeOf(name)
		err := s.backend.Put(ctx, key, src, mt)
		switch {
		case err == nil:
			_ = os.Remove(src)
			return Imported{RelPath: key, Name: name, Size: st.Size()}, nil
		case errors.Is(err, fs.ErrExist):
			continue
		default:
			return Imported{}, classifyFSError(err)
		}
	}
	return Imported{}, errors.New("files: no free name in the library")
}

// Discard removes an imported file that could not be registered.
func (s *Service) Discard(rel string) {
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
