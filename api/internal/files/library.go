package files

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// Import moves src into the library as <user>/<platform>/<stem> [<tag>]<ext>
// without ever replacing an existing file. The move is a rename (atomic)
// when src is on the library's file system, else a copy to a temporary name
// then a rename. On failure nothing is left in the library.
func (s *Service) Import(src string, userID uuid.UUID, platform, stem, tag, ext string) (Imported, error) {
	dirRel := filepath.Join(userID.String(), SanitizeName(platform))
	dir := filepath.Join(s.root, dirRel)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Imported{}, classifyFSError(err)
	}
	if real, err := filepath.EvalSymlinks(dir); err != nil || !Inside(s.root, real) {
		return Imported{}, errOutside
	}
	st, err := os.Stat(src)
	if err != nil {
		return Imported{}, err
	}
	base := SanitizeName(stem)
	ext = SanitizeExt(ext)
	for i := 0; i < 100; i++ {
		name := base + " [" + tag + "]" + ext
		if i > 0 {
			name = fmt.Sprintf("%s [%s-%d]%s", base, tag, i+1, ext)
		}
		dst := filepath.Join(dir, name)
		err := os.Link(src, dst)
		switch {
		case err == nil:
			_ = os.Remove(src)
			return Imported{RelPath: filepath.Join(dirRel, name), Name: name, Size: st.Size()}, nil
		case errors.Is(err, fs.ErrExist):
			continue
		case isCrossDevice(err) || errors.Is(err, syscall.EPERM):
			if err := copyNew(src, dst); err != nil {
				if errors.Is(err, fs.ErrExist) {
					continue
				}
				return Imported{}, classifyFSError(err)
			}
			_ = os.Remove(src)
			return Imported{RelPath: filepath.Join(dirRel, name), Name: name, Size: st.Size()}, nil
		default:
			return Imported{}, classifyFSError(err)
		}
	}
	return Imported{}, errors.New("files: no free name in the library")
}

// Discard removes an imported file that could not be registered.
func (s *Service) Discard(rel string) {
	if p, err := s.resolve(rel); err == nil {
		_ = os.Remove(p)
	}
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

func isCrossDevice(err error) bool { return errors.Is(err, syscall.EXDEV) }

func classifyFSError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	}
	return err
}
