package downloads

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// complete moves the files into the library and marks the row completed
// in one transaction, fenced by the job id: if the row was canceled or
// taken over meanwhile, nothing is registered and the files are removed.
// Warnings (what a partly successful item skipped) are stored with it;
// none keeps what Source stored.
func (s *Service) complete(ctx context.Context, r *row, jobID int64, title string, paths []string, thumb *string, warnings []Warning, meta files.Meta) error {
	tag := r.ID.String()[len(r.ID.String())-8:]
	stem := title
	if stem == "" {
		stem = "download"
	}
	var imported []files.Imported
	var thumbKey *string
	discard := func() {
		for _, im := range imported {
			s.files.Discard(im.RelPath)
		}
		if thumbKey != nil {
			s.files.Discard(*thumbKey)
		}
	}
	layout := files.Layout{Mode: files.LayoutDefault}
	if s.layout != nil {
		layout = s.layout(ctx)
	}
	// A video from a site that gave no thumbnail gets a still of its own,
	// grabbed before the media move into the library.
	grabbed := s.grabStill(ctx, r, paths, thumb)
	var dir, base string
	var thumbData []byte // the thumbnail fetched for the media-server layout
	if layout.Mode == files.LayoutMediaServer {
		var err error
		if dir, base, err = layout.Place(meta, r.CreatedAt); err != nil {
			s.log.Warn("media-server layout refused; filing as usual", "download_id", r.ID, "err", err)
			dir = ""
		}
	}
	for _, p := range paths {
		ext := filepath.Ext(p)
		name := stem
		if len(paths) > 1 {
			// Keep what tells several files apart (language of subtitles,
			// carousel index) from yt-dlp's own name.
			base := strings.TrimSuffix(filepath.Base(p), ext)
			if i := strings.LastIndexByte(base, '.'); i > 0 {
				ext = base[i:] + ext
			}
		}
		var im files.Imported
		var err error
		if dir != "" {
			im, err = s.files.ImportAt(ctx, p, r.UserID, dir, base, ext)
		} else {
			im, err = s.files.ImportContext(ctx, p, r.UserID, r.Platform, name, tag, ext)
		}
		if err != nil {
			discard()
			if errors.Is(err, files.ErrDiskFull) {
				return &ytdlp.ExitError{Reason: ytdlp.ReasonDiskFull, SafeMessage: "The disk is full: the download could not be saved."}
			}
			return err
		}
		imported = append(imported, im)
	}
	if dir != "" && len(imported) > 0 {
		// The .nfo and the thumbnail go beside the media, named as it is.
		mediaBase := strings.TrimSuffix(path.Base(imported[0].RelPath), path.Ext(imported[0].RelPath))
		var extras []files.Imported
		extras, thumbData = s.sidecars(ctx, r, dir, mediaBase, meta, thumb)
		imported = append(imported, extras...)
	}
	if grabbed != nil && grabbed.media < len(imported) {
		thumbKey = s.importStill(ctx, r, grabbed, imported[grabbed.media], dir, stem, tag)
	}
	if s.afterImport != nil {
		s.afterImport()
	}
	now := time.Now().UTC()
	var fileRows []files.Row
	var total int64
	// The files are in the library now: while the database cannot be
	// reached, wait for it rather than discard them.
	err := s.untilReachable(ctx, r.ID, func() error {
		fileRows, total = nil, 0
		return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for i, im := range imported {
				mt, kind := files.TypeOf(im.Name)
				fr := files.Row{ID: store.NewID(), DownloadID: &r.ID, UserID: r.UserID, Name: im.Name, RelPath: im.RelPath,
					SizeBytes: im.Size, MimeType: mt, Kind: kind, Platform: r.Platform, Thumbnail: thumb, CreatedAt: now}
				if thumbKey != nil && i == grabbed.media {
					fr.ThumbKey = thumbKey
				}
				if err := tx.Create(&fr).Error; err != nil {
					return err
				}
				total += im.Size
				fileRows = append(fileRows, fr)
			}
			fields := map[string]any{"percent": 100, "downloaded_bytes": total, "post_processor": nil,
				"error_code": nil, "error_message": nil, "error_details": nil}
			if len(warnings) > 0 {
				fields["warnings"] = warningsColumn(warnings)
			}
			if b, err := json.Marshal(meta); err == nil {
				fields["library_meta"] = string(b)
			}
			if grabbed != nil && grabbed.duration > 0 && r.DurationSeconds == nil {
				// Sites that say nothing of it: the duration as ffmpeg read it.
				fields["duration_seconds"] = grabbed.duration
			}
			moved, err := s.transition(ctx, tx, move{ids: []uuid.UUID{r.ID}, job: &jobID, to: StatusCompleted, fields: fields})
			if err == nil && moved == 0 {
				err = errLostOwnership // canceled or taken over: the file rows roll back
			}
			if err != nil {
				return err
			}
			return archiveTx(ctx, tx, r)
		})
	})
	if err != nil {
		discard()
		if errors.Is(err, errLostOwnership) {
			return errLostOwnership
		}
		return err
	}
	s.metrics.DownloadsFinished.WithLabelValues(r.Platform, string(StatusCompleted)).Inc()
	s.metrics.DownloadBytes.WithLabelValues(r.Platform).Add(float64(total))
	// What is committed is published whatever happens to the run's
	// context now (ctx is the run's: a cancel may end it at any time).
	ctx = context.WithoutCancel(ctx)
	if dir != "" && !meta.Audio {
		if show, ok := layout.ShowDir(meta, r.CreatedAt); ok {
			fileRows = append(fileRows, s.showFiles(ctx, r, show, meta, thumbData)...)
		}
	}
	for _, fr := range fileRows {
		f := s.files.View(ctx, fr)
		data, _ := json.Marshal(f)
		_ = s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: events.TypeFileCreated, UserID: r.UserID.String(), Data: data})
	}
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
	s.log.Info("download completed", "download_id", r.ID, "platform", r.Platform, "files", len(fileRows), "bytes", total)
	return nil
}
