package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/store"
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

// PutShared puts src at <user>/<dir>/<name> as a file of the user's own,
// no download's — a show folder's tvshow.nfo or poster, which every
// episode shares and none owns, so deleting an episode leaves them —
// unless a file is there already: nil then. A file there that no row
// points at and that is older than orphanGrace is a leftover and is
// replaced; a younger one is another completion's, about to be
// registered, and is left to it.
func (s *Service) PutShared(ctx context.Context, src string, userID uuid.UUID, platform, dir, name string) (*Row, error) {
	key := path.Join(userID.String(), dir, SanitizeName(name))
	if !strings.HasPrefix(key, userID.String()+"/") || !filepath.IsLocal(filepath.FromSlash(key)) {
		return nil, fmt.Errorf("%w: leaves the library", ErrTemplate)
	}
	if !s.leftover(ctx, key) {
		return nil, nil
	}
	st, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	mt, kind := TypeOf(key)
	err = s.backend.Put(ctx, key, src, mt)
	if errors.Is(err, fs.ErrExist) {
		info, serr := s.backend.Stat(ctx, key)
		if serr != nil || time.Since(info.ModTime) < orphanGrace || !s.leftover(ctx, key) {
			return nil, nil
		}
		s.log.Warn("replacing a file an interrupted completion left unregistered", "path", key)
		if err = s.backend.Delete(ctx, key); err == nil {
			err = s.backend.Put(ctx, key, src, mt)
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, nil
		}
		return nil, classifyFSError(err)
	}
	_ = os.Remove(src)
	r := Row{ID: store.NewID(), UserID: userID, Name: path.Base(key), RelPath: key, SizeBytes: st.Size(),
		MimeType: mt, Kind: kind, Platform: platform, CreatedAt: time.Now().UTC()}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		s.Discard(key)
		if store.IsUniqueViolation(err) {
			return nil, nil
		}
		return nil, err
	}
	return &r, nil
}

// Exists tells whether a registered file is at <user>/<dir>/<name>.
func (s *Service) Exists(ctx context.Context, userID uuid.UUID, dir, name string) bool {
	return !s.leftover(ctx, path.Join(userID.String(), dir, SanitizeName(name)))
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
