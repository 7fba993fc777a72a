package downloads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/ytdlp"
)

// Relayout states.
const (
	RelayoutRunning     = "running"
	RelayoutInterrupted = "interrupted" // its node stopped; the next start or run resumes it
	RelayoutCompleted   = "completed"
)

// Relayout is a move of the library's existing files to the current
// layout: an explicit admin action, worked download by download with its
// progress in the database, so a restart resumes where it stopped.
type Relayout struct {
	ID         uuid.UUID         `json:"id"`
	Status     string            `json:"status"`
	Layout     files.Layout      `json:"layout"`
	Total      int               `json:"total"`
	Done       int               `json:"done"`
	Moved      int               `json:"moved"`
	Failed     int               `json:"failed"`
	Failures   []RelayoutFailure `json:"failures"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	FinishedAt *time.Time        `json:"finished_at"`
}

// RelayoutFailure is a download whose files could not be moved (they
// stay where they were; the move goes on with the next).
type RelayoutFailure struct {
	DownloadID uuid.UUID `json:"download_id"`
	Error      string    `json:"error"`
}

// maxRelayoutFailures bounds the failures an operation lists (the count
// goes on).
const maxRelayoutFailures = 100

type relayoutRow struct {
	ID          uuid.UUID `gorm:"primaryKey;type:uuid"`
	Status      string
	Layout      string
	RequestedBy *uuid.UUID `gorm:"type:uuid"`
	Total       int
	Done        int
	Moved       int
	Failed      int
	Failures    string
	Cursor      string
	Node        *string
	HeartbeatAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
}

func (relayoutRow) TableName() string { return "library_relayouts" }

func (r relayoutRow) view() Relayout {
	v := Relayout{ID: r.ID, Status: r.Status, Total: r.Total, Done: r.Done, Moved: r.Moved, Failed: r.Failed,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, FinishedAt: r.FinishedAt, Failures: []RelayoutFailure{}}
	_ = json.Unmarshal([]byte(r.Layout), &v.Layout)
	_ = json.Unmarshal([]byte(r.Failures), &v.Failures)
	if v.Failures == nil {
		v.Failures = []RelayoutFailure{}
	}
	return v
}

// ErrNoRelayout is GET of the relayout when none was ever started.
var ErrNoRelayout = errors.New("downloads: no relayout")

// LatestRelayout is the most recent move between layouts.
func (s *Service) LatestRelayout(ctx context.Context) (Relayout, error) {
	var r relayoutRow
	err := s.db.WithContext(ctx).Order("created_at DESC, id DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Relayout{}, ErrNoRelayout
	}
	if err != nil {
		return Relayout{}, err
	}
	return r.view(), nil
}

// StartRelayout moves the library to the current layout. An unfinished
// move (running or interrupted) is resumed instead of starting another;
// the answer is the operation to poll (LatestRelayout). The work goes on
// in the background, detached from ctx.
func (s *Service) StartRelayout(ctx context.Context, by uuid.UUID) (Relayout, error) {
	for attempt := 0; ; attempt++ {
		op, err := s.startRelayout(ctx, by)
		// Another admin's move was created meanwhile (the unique index on
		// unfinished moves): resume that one.
		if err != nil && attempt == 0 && !errors.Is(err, context.Canceled) && s.unfinishedRelayout(ctx) {
			continue
		}
		return op, err
	}
}

func (s *Service) unfinishedRelayout(ctx context.Context) bool {
	var n int64
	s.db.WithContext(ctx).Model(&relayoutRow{}).Where("status IN ?", []string{RelayoutRunning, RelayoutInterrupted}).Count(&n)
	return n > 0
}

func (s *Service) startRelayout(ctx context.Context, by uuid.UUID) (Relayout, error) {
	var r relayoutRow
	claimed := false
	err := s.db.WithContext(ctx).Where("status IN ?", []string{RelayoutRunning, RelayoutInterrupted}).
		Order("created_at").Take(&r).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		layout := files.Layout{Mode: files.LayoutDefault}
		if s.layout != nil {
			layout = s.layout(ctx)
		}
		lb, _ := json.Marshal(layout)
		var total int64
		if err := s.db.WithContext(ctx).Model(&row{}).Where("status = ?", StatusCompleted).Count(&total).Error; err != nil {
			return Relayout{}, err
		}
		// Created claimed by this node: created unclaimed, the periodic
		// resume could take it before this request does, and both run it.
		now := time.Now().UTC()
		node := s.cfg.NodeName
		r = relayoutRow{ID: store.NewID(), Status: RelayoutRunning, Layout: string(lb), RequestedBy: &by,
			Total: int(total), Failures: "[]", Node: &node, HeartbeatAt: &now, CreatedAt: now, UpdatedAt: now}
		if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
			return Relayout{}, err
		}
		s.audit.Info("library relayout started", "relayout_id", r.ID, "layout", layout.Mode, "actor", by)
		claimed = true
	case err != nil:
		return Relayout{}, err
	}
	bg := context.WithoutCancel(ctx)
	if !claimed {
		if claimed, err = s.claimRelayout(bg, r.ID); err != nil {
			return Relayout{}, err
		}
	}
	if claimed {
		go s.runRelayout(bg, r.ID)
	}
	return s.getRelayout(bg, r.ID)
}

func (s *Service) getRelayout(ctx context.Context, id uuid.UUID) (Relayout, error) {
	var r relayoutRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return Relayout{}, err
	}
	return r.view(), nil
}

// claimRelayout makes this node the one moving id: an interrupted move,
// or a running one whose node stopped beating.
func (s *Service) claimRelayout(ctx context.Context, id uuid.UUID) (bool, error) {
	now := time.Now().UTC()
	node := s.cfg.NodeName
	res := s.db.WithContext(ctx).Model(&relayoutRow{}).
		Where("id = ? AND (status = ? OR (status = ? AND (heartbeat_at IS NULL OR heartbeat_at < ?)))",
			id, RelayoutInterrupted, RelayoutRunning, now.Add(-s.cfg.HeartbeatTimeout)).
		Updates(map[string]any{"status": RelayoutRunning, "node": node, "heartbeat_at": now, "updated_at": now})
	return res.RowsAffected == 1, res.Error
}

// ResumeRelayouts runs a move that no node is working on (its node was
// stopped or died); the periodic RelayoutTask calls it.
func (s *Service) ResumeRelayouts(ctx context.Context) error {
	var ids []uuid.UUID
	if err := s.db.WithContext(ctx).Model(&relayoutRow{}).Where("status IN ?", []string{RelayoutRunning, RelayoutInterrupted}).
		Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		ok, err := s.claimRelayout(ctx, id)
		if err != nil {
			return err
		}
		if ok {
			// Like a POST's, the move outlives the job (and its timeout):
			// the claim and heartbeat keep it to this node.
			go s.runRelayout(context.WithoutCancel(ctx), id)
		}
	}
	return nil
}

type relayoutArgs struct{}

// Kind implements river.JobArgs.
func (relayoutArgs) Kind() string { return "library_relayout_resume" }

// RelayoutTask resumes an interrupted move between layouts, at start and
// every minute.
func (s *Service) RelayoutTask() queue.Task {
	return queue.NewTask[relayoutArgs](queue.TaskOptions{Every: time.Minute, Unique: 50 * time.Second, RunOnStart: true},
		s.ResumeRelayouts)
}

// runRelayout moves the completed downloads after the cursor, in id
// order, recording each in the operation's row; it gives the claim back
// (interrupted) when ctx ends or the test hook stops it.
func (s *Service) runRelayout(ctx context.Context, id uuid.UUID) {
	var op relayoutRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&op).Error; err != nil {
		s.log.Error("relayout: cannot read the operation", "relayout_id", id, "err", err)
		return
	}
	var layout files.Layout
	_ = json.Unmarshal([]byte(op.Layout), &layout)
	failures := []RelayoutFailure{}
	_ = json.Unmarshal([]byte(op.Failures), &failures)
	release := func() {
		now := time.Now().UTC()
		s.db.WithContext(context.WithoutCancel(ctx)).Model(&relayoutRow{}).Where("id = ? AND node = ?", id, s.cfg.NodeName).
			Updates(map[string]any{"status": RelayoutInterrupted, "node": nil, "heartbeat_at": nil, "updated_at": now})
	}
	for {
		var batch []row
		q := s.db.WithContext(ctx).Where("status = ?", StatusCompleted).Order("id").Limit(50)
		if op.Cursor != "" {
			q = q.Where("id > ?", op.Cursor)
		}
		if err := q.Find(&batch).Error; err != nil {
			s.log.Warn("relayout: cannot list downloads", "relayout_id", id, "err", err)
			release()
			return
		}
		if len(batch) == 0 {
			now := time.Now().UTC()
			s.db.WithContext(ctx).Model(&relayoutRow{}).Where("id = ?", id).
				Updates(map[string]any{"status": RelayoutCompleted, "node": nil, "heartbeat_at": nil, "updated_at": now, "finished_at": now})
			s.audit.Info("library relayout finished", "relayout_id", id, "moved", op.Moved, "failed", op.Failed)
			return
		}
		for i := range batch {
			if ctx.Err() != nil {
				release()
				return
			}
			r := &batch[i]
			moved, err := s.relayoutOne(ctx, r, layout)
			if ctx.Err() != nil {
				release() // the download is redone on resume: its cursor did not move
				return
			}
			op.Done++
			if moved {
				op.Moved++
			}
			if err != nil {
				op.Failed++
				s.log.Warn("relayout: a download's files were not moved", "relayout_id", id, "download_id", r.ID, "err", err)
				if len(failures) < maxRelayoutFailures {
					failures = append(failures, RelayoutFailure{DownloadID: r.ID, Error: err.Error()})
				}
			}
			op.Cursor = r.ID.String()
			fb, _ := json.Marshal(failures)
			now := time.Now().UTC()
			if err := s.db.WithContext(ctx).Model(&relayoutRow{}).Where("id = ? AND node = ?", id, s.cfg.NodeName).
				Updates(map[string]any{"cursor": op.Cursor, "done": op.Done, "moved": op.Moved, "failed": op.Failed,
					"failures": string(fb), "heartbeat_at": now, "updated_at": now}).Error; err != nil {
				release()
				return
			}
			if s.relayoutHook != nil && s.relayoutHook(op.Done) != nil {
				release()
				return
			}
		}
	}
}

// isSidecar tells the media-server layout's extras (a video's .nfo and
// thumbnail, an album's cover) from the media.
func isSidecar(name string) bool {
	return strings.HasSuffix(name, ".nfo") || strings.HasSuffix(name, "-thumb.jpg") || name == "cover.jpg"
}

// relayoutMeta is what the layout names r by: what its completion kept,
// or (downloads completed before that was kept) what its row knows.
func relayoutMeta(r *row) files.Meta {
	var m files.Meta
	if r.LibraryMeta != nil && json.Unmarshal([]byte(*r.LibraryMeta), &m) == nil {
		return m
	}
	it := Item{Options: r.Options}
	if r.Meta != nil {
		it.Meta = json.RawMessage(*r.Meta)
	}
	title := ""
	if r.Title != nil {
		title = *r.Title
	}
	_, key := ArchiveKey(r.URL)
	return layoutMeta(r, it, ytdlp.Info{ID: key}, title)
}

// relayoutOne moves r's files to where layout files them; moved is false
// when they are there already. A file that fails stops this download
// (what moved stays moved and registered; a rerun finishes it).
func (s *Service) relayoutOne(ctx context.Context, r *row, layout files.Layout) (moved bool, err error) {
	var frs []files.Row
	if err := s.db.WithContext(ctx).Where("download_id = ?", r.ID).Order("created_at, id").Find(&frs).Error; err != nil {
		return false, err
	}
	var media, extras []files.Row
	for _, f := range frs {
		if isSidecar(f.Name) {
			extras = append(extras, f)
		} else {
			media = append(media, f)
		}
	}
	if len(media) == 0 {
		return false, nil
	}
	user := r.UserID.String()
	meta := relayoutMeta(r)
	mediaServer := layout.Mode == files.LayoutMediaServer
	var dir, base string
	if mediaServer {
		if dir, base, err = layout.Place(meta, r.CreatedAt); err != nil {
			return false, err
		}
	}
	tag := r.ID.String()[len(r.ID.String())-8:]
	stem := "download"
	if r.Title != nil && *r.Title != "" {
		stem = *r.Title
	}
	// where is the folder and name prefix a file of the layout has.
	where := func(f files.Row) (folder, prefix string) {
		if mediaServer {
			return path.Join(user, dir), files.SanitizeName(base)
		}
		return path.Join(user, files.SanitizeName(r.Platform)), files.SanitizeName(stem) + " [" + tag
	}
	for i, f := range media {
		folder, prefix := where(f)
		if path.Dir(f.RelPath) == folder && strings.HasPrefix(f.Name, prefix) {
			continue
		}
		ext := mediaExt(f.Name, i > 0)
		if err := s.moveFile(ctx, r, f, func(src string) (files.Imported, error) {
			if mediaServer {
				return s.files.ImportAt(ctx, src, r.UserID, dir, base, ext)
			}
			return s.files.ImportContext(ctx, src, r.UserID, r.Platform, stem, tag, ext)
		}); err != nil {
			return moved, fmt.Errorf("%s: %w", f.Name, err)
		}
		moved = true
	}
	inPlace := len(extras) == 0
	if mediaServer {
		inPlace = meta.Audio
		for _, e := range extras {
			inPlace = inPlace || (strings.HasSuffix(e.Name, ".nfo") && path.Dir(e.RelPath) == path.Join(user, dir))
		}
	}
	if !moved && inPlace {
		return false, nil
	}
	// The extras follow the media: gone in the default layout, written
	// anew (the thumbnail moved) beside it in the media-server layout.
	var thumb *files.Row
	var drop []files.Row
	for i, e := range extras {
		if thumb == nil && strings.HasSuffix(e.Name, ".jpg") && mediaServer {
			thumb = &extras[i]
			continue
		}
		drop = append(drop, e)
	}
	// The old extras go first, so the new .nfo takes their name.
	if len(drop) > 0 {
		if err := s.files.DeleteRows(ctx, drop); err != nil {
			return moved, err
		}
	}
	if mediaServer {
		var first files.Row
		if err := s.db.WithContext(ctx).Where("id = ?", media[0].ID).Take(&first).Error; err != nil {
			return moved, err
		}
		mediaBase := strings.TrimSuffix(first.Name, path.Ext(first.Name))
		thumbRef := ""
		if thumb != nil {
			name, ext := mediaBase+"-thumb", ".jpg"
			if meta.Audio {
				name = "cover"
			}
			if path.Dir(thumb.RelPath) != path.Join(user, dir) || thumb.Name != name+ext {
				if err := s.moveFile(ctx, r, *thumb, func(src string) (files.Imported, error) {
					return s.files.ImportAt(ctx, src, r.UserID, dir, name, ext)
				}); err != nil {
					return moved, fmt.Errorf("%s: %w", thumb.Name, err)
				}
			}
			thumbRef = mediaBase + "-thumb.jpg"
		}
		if !meta.Audio {
			nfo, err := files.NFO(meta, r.CreatedAt, thumbRef)
			if err != nil {
				return moved, err
			}
			if err := s.addExtra(ctx, r, dir, mediaBase, ".nfo", nfo, first.Thumbnail); err != nil {
				return moved, err
			}
		}
	}
	return true, nil
}

// mediaExt is the extension a media file keeps: its last one, and for a
// download's second and later files (subtitles, carousel items) the short
// part before it too (".en.vtt").
func mediaExt(name string, secondary bool) string {
	ext := path.Ext(name)
	if secondary {
		rest := strings.TrimSuffix(name, ext)
		if e := path.Ext(rest); len(e) > 1 && len(e) <= 6 && !strings.ContainsAny(e, " []") {
			ext = e + ext
		}
	}
	return ext
}

// moveFile copies f's data out of the library into relayoutDir,
// places it with put (through the library backend: never outside it),
// points f's row at the new key and then removes the old one. A crash
// before the row changes leaves an unregistered copy the next put
// replaces; after it, an orphan the orphan check lists.
func (s *Service) moveFile(ctx context.Context, r *row, f files.Row, put func(src string) (files.Imported, error)) error {
	tmp := s.relayoutDir(r.ID)
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	obj, err := s.files.Backend().Open(ctx, f.RelPath)
	if err != nil {
		return err
	}
	src := filepath.Join(tmp, "relayout"+files.SanitizeExt(path.Ext(f.Name)))
	out, err := os.Create(src)
	if err != nil {
		obj.Close()
		return err
	}
	_, err = io.Copy(out, obj)
	obj.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(src)
		return err
	}
	if s.afterRelayoutCopy != nil {
		s.afterRelayoutCopy()
	}
	im, err := put(src)
	if err != nil {
		_ = os.Remove(src)
		return err
	}
	mt, kind := files.TypeOf(im.Name)
	if err := s.db.WithContext(ctx).Model(&files.Row{}).Where("id = ?", f.ID).
		Updates(map[string]any{"rel_path": im.RelPath, "name": im.Name, "mime_type": mt, "kind": kind}).Error; err != nil {
		s.files.Discard(im.RelPath)
		return err
	}
	if err := s.files.Backend().Delete(ctx, f.RelPath); err != nil {
		s.log.Warn("relayout: the old copy stays (an orphan)", "path", f.RelPath, "err", err)
	}
	return nil
}

// addExtra writes data as <dir>/<name><ext> through the library and
// registers it as a file of r.
func (s *Service) addExtra(ctx context.Context, r *row, dir, name, ext string, data []byte, thumbURL *string) error {
	tmp := s.relayoutDir(r.ID)
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p := filepath.Join(tmp, "extra"+ext)
	if err := os.WriteFile(p, data, 0o640); err != nil {
		return err
	}
	im, err := s.files.ImportAt(ctx, p, r.UserID, dir, name, ext)
	if err != nil {
		_ = os.Remove(p)
		return err
	}
	mt, kind := files.TypeOf(im.Name)
	fr := files.Row{ID: store.NewID(), DownloadID: &r.ID, UserID: r.UserID, Name: im.Name, RelPath: im.RelPath,
		SizeBytes: im.Size, MimeType: mt, Kind: kind, Platform: r.Platform, Thumbnail: thumbURL, CreatedAt: time.Now().UTC()}
	if err := s.db.WithContext(ctx).Create(&fr).Error; err != nil {
		s.files.Discard(im.RelPath)
		return err
	}
	return nil
}
