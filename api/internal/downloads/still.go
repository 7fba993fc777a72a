package downloads

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/frames"
)

// Stiller grabs a still from a video and reads its duration
// (frames.Grabber; nil: no stills).
type Stiller interface {
	Grab(ctx context.Context, src, dst string) (frames.Still, error)
}

// still is a frame grabbed for a download that came without a thumbnail.
type still struct {
	path     string  // the JPEG in the job folder
	media    int     // index in paths of the video it shows
	duration float64 // the video's duration (0: unknown)
}

// grabStill takes a still of the first video among paths when the site
// gave no thumbnail (nil when there is none to take or it fails: the
// download is fine without it).
func (s *Service) grabStill(ctx context.Context, r *row, paths []string, thumb *string) *still {
	if s.stiller == nil || (thumb != nil && *thumb != "") {
		return nil
	}
	for i, p := range paths {
		if _, kind := files.TypeOf(p); kind != files.KindVideo {
			continue
		}
		dst := filepath.Join(s.jobDir(r.ID), "downlink-still.jpg")
		st, err := s.stiller.Grab(ctx, p, dst)
		if err != nil {
			if !errors.Is(err, frames.ErrNoVideo) && ctx.Err() == nil {
				s.log.Warn("no thumbnail grabbed from the video", "download_id", r.ID, "err", err)
			}
			return nil
		}
		return &still{path: dst, media: i, duration: st.DurationSeconds}
	}
	return nil
}

// importStill moves a grabbed still into the library beside the video it
// shows (media-server layout: "<name>-thumb.jpg" as Kodi and Jellyfin
// look for; otherwise "<title> [<tag>].thumb.jpg"), and returns its key
// (nil when it cannot: the video is kept without).
func (s *Service) importStill(ctx context.Context, r *row, st *still, media files.Imported, dir, stem, tag string) *string {
	var im files.Imported
	var err error
	if dir != "" {
		base := strings.TrimSuffix(path.Base(media.RelPath), path.Ext(media.RelPath))
		im, err = s.files.ImportAt(ctx, st.path, r.UserID, dir, base+"-thumb", ".jpg")
	} else {
		im, err = s.files.ImportContext(ctx, st.path, r.UserID, r.Platform, stem, tag, ".thumb.jpg")
	}
	if err != nil {
		s.log.Warn("cannot keep the grabbed thumbnail", "download_id", r.ID, "err", err)
		_ = os.Remove(st.path)
		return nil
	}
	return &im.RelPath
}
