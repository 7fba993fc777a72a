// Package files keeps the library: finished files under
// <user>/<platform>/ in a Backend (a local folder, <data>/library by
// default, or an S3-compatible bucket), their rows, and serving them
// safely (our own Content-Type, Range and ETag, media inline and everything
// else as an attachment, a sandbox CSP). Paths come from our ids and, in a
// folder, are checked to stay inside the library, symlinks resolved.
package files

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/metrics"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// Kinds of files.
const (
	KindVideo    = "video"
	KindAudio    = "audio"
	KindImage    = "image"
	KindSubtitle = "subtitle"
	KindOther    = "other"
)

// File is a library file as the API shows it.
type File struct {
	ID           uuid.UUID  `json:"id"`
	DownloadID   *uuid.UUID `json:"download_id"`
	UserID       uuid.UUID  `json:"user_id"`
	Name         string     `json:"name"`
	SizeBytes    int64      `json:"size_bytes"`
	MimeType     string     `json:"mime_type"`
	Kind         string     `json:"kind"`
	Platform     string     `json:"platform"`
	Pinned       bool       `json:"pinned"`
	Missing      bool       `json:"missing"`
	ThumbnailURL *string    `json:"thumbnail_url"`
	ExpiresAt    *time.Time `json:"expires_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	ContentURL   string     `json:"content_url"`
}

// Row is the files table (exported so the downloads service can insert
// rows in its own transaction).
type Row struct {
	ID         uuid.UUID  `gorm:"primaryKey;type:uuid"`
	DownloadID *uuid.UUID `gorm:"type:uuid"`
	UserID     uuid.UUID  `gorm:"type:uuid"`
	Name       string
	RelPath    string
	SizeBytes  int64
	MimeType   string
	Kind       string
	Platform   string
	Pinned     bool
	Thumbnail  *string
	// ThumbKey is the library key of a still grabbed from the video
	// (nil: none; Thumbnail, the site's, is preferred when set).
	ThumbKey  *string
	CreatedAt time.Time
	// MissingAt is since when the data has been known to be gone (nil:
	// present when last looked at; see Check and CheckOrphans).
	MissingAt *time.Time
	// UpdatedAt is set by GORM on every create and update through the model.
	UpdatedAt time.Time
}

// TableName implements GORM's Tabler.
func (Row) TableName() string { return "files" }

// Errors.
var (
	ErrNotFound = problem.New(http.StatusNotFound, "File not found")
	// ErrMissingData is a 404 as the contract says for a file missing on
	// disk (a row whose path leaves the library answers the same).
	ErrMissingData = problem.New(http.StatusNotFound, "File missing on disk").
			WithDetail("The file's row exists but its data is gone from the library; delete the row.")
)

// Retention says when unpinned files expire (nil: never); settings
// provide it.
type Retention func(ctx context.Context) *time.Duration

// Publisher publishes live events (file.deleted).
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Deps are the library's collaborators. Backend, DB and Logger are
// required; the rest may be nil.
type Deps struct {
	DB      *gorm.DB
	Backend Backend
	Logger  *slog.Logger
	// Retention says when unpinned files expire (nil: never).
	Retention Retention
	// Quotas gives each user's storage quota (nil: none).
	Quotas Quotas
	// Disk measures the library's file system (nil: not shown).
	Disk Disk
	// Bus hears of deleted files (nil: nobody).
	Bus Publisher
	// Metrics counts retention and orphans (nil: not counted).
	Metrics *metrics.Registry
}

// Service manages library files.
type Service struct {
	db        *gorm.DB
	backend   Backend
	log       *slog.Logger
	audit     *slog.Logger
	retention Retention
	quotas    Quotas
	disk      Disk
	bus       Publisher
	metrics   *metrics.Registry
}

// New returns the service for the library in d.Backend (NewLocal: a
// folder; NewS3: a bucket).
func New(d Deps) *Service {
	if d.Retention == nil {
		d.Retention = func(context.Context) *time.Duration { return nil }
	}
	return &Service{db: d.DB, backend: d.Backend, log: d.Logger.With("source", "files"),
		audit: d.Logger.With("source", "audit", "audit", true), retention: d.Retention, quotas: d.Quotas,
		disk: d.Disk, bus: d.Bus, metrics: d.Metrics}
}

// Root is the library folder, or "" when the library is not in a folder.
func (s *Service) Root() string {
	if l, ok := s.backend.(*Local); ok {
		return l.Root()
	}
	return ""
}

// Backend is where the files live.
func (s *Service) Backend() Backend { return s.backend }

// View turns a row into the API shape. Whether the data is missing is
// what the library last saw (the orphan check, or the last access through
// Check or Serve): lists never touch the disk or the bucket per row.
func (s *Service) View(ctx context.Context, r Row) File {
	return s.view(r, s.retention(ctx))
}

func (s *Service) view(r Row, ret *time.Duration) File {
	f := File{ID: r.ID, DownloadID: r.DownloadID, UserID: r.UserID, Name: r.Name, SizeBytes: r.SizeBytes,
		MimeType: r.MimeType, Kind: r.Kind, Platform: r.Platform, Pinned: r.Pinned, ThumbnailURL: r.Thumbnail,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ContentURL: "/api/v1/files/" + r.ID.String() + "/content",
		Missing: r.MissingAt != nil}
	if f.ThumbnailURL == nil && r.ThumbKey != nil {
		u := "/api/v1/files/" + r.ID.String() + "/thumbnail"
		f.ThumbnailURL = &u
	}
	if !r.Pinned && ret != nil {
		t := r.CreatedAt.Add(*ret).UTC()
		f.ExpiresAt = &t
	}
	return f
}

// Views turns rows into API shapes (see View).
func (s *Service) Views(ctx context.Context, rows []Row) []File {
	out := make([]File, len(rows))
	ret := s.retention(ctx)
	for i, r := range rows {
		out[i] = s.view(r, ret)
	}
	return out
}

// Check looks at one file's data (a stat in a folder, a HEAD request in a
// bucket), records what it saw, and returns the file as View does.
func (s *Service) Check(ctx context.Context, r Row) File {
	_, err := s.backend.Stat(ctx, r.RelPath)
	return s.View(ctx, s.record(ctx, r, err))
}

// record keeps what an access saw of r's data: gone (fs.ErrNotExist, or a
// path that would leave the library) or there (nil). Other errors (the
// bucket unreachable) say nothing about the file and change nothing.
func (s *Service) record(ctx context.Context, r Row, err error) Row {
	gone := errors.Is(err, fs.ErrNotExist)
	if (err != nil && !gone) || gone == (r.MissingAt != nil) {
		return r
	}
	q := s.db.WithContext(ctx).Model(&Row{}).Where("id = ?", r.ID)
	if gone {
		now := time.Now().UTC()
		if q.Where("missing_at IS NULL").Update("missing_at", now).Error == nil {
			r.MissingAt = &now
		}
	} else if q.Where("missing_at IS NOT NULL").Update("missing_at", nil).Error == nil {
		r.MissingAt = nil
	}
	return r
}

// get loads a file the caller may read (act authz.Read) or change
// (authz.Write); another user's file the caller may not read is "not
// found".
func (s *Service) get(ctx context.Context, caller *authz.Principal, id uuid.UUID, act authz.Act) (Row, error) {
	var r Row
	q := s.db.WithContext(ctx).Where("id = ?", id)
	if !caller.MayActOnOthers(authz.Read) {
		q = q.Where("user_id = ?", caller.UserID)
	}
	if err := q.Take(&r).Error; err != nil {
		return Row{}, store.NotFound(err, ErrNotFound)
	}
	if act == authz.Write {
		if err := caller.MayChange(r.UserID); err != nil {
			return Row{}, err
		}
	}
	return r, nil
}

// Get returns one file.
func (s *Service) Get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (File, error) {
	r, err := s.get(ctx, caller, id, authz.Read)
	if err != nil {
		return File{}, err
	}
	return s.Check(ctx, r), nil
}

// ForDownloads returns the files of the given downloads, by download.
func (s *Service) ForDownloads(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]File, error) {
	out := map[uuid.UUID][]File{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := scanRows(s.db.WithContext(ctx).Model(&Row{}).Where("download_id IN ?", ids).Order("created_at, id"), len(ids))
	if err != nil {
		return nil, err
	}
	for i, f := range s.Views(ctx, rows) {
		out[*rows[i].DownloadID] = append(out[*rows[i].DownloadID], f)
	}
	return out, nil
}

// ListParams filter and sort the file list.
type ListParams struct {
	Query      string
	Platform   string
	Kind       string
	Pinned     *bool
	DownloadID *uuid.UUID
	UserID     *uuid.UUID // admin only
	// UpdatedSince keeps the files changed at or after it (incremental sync).
	UpdatedSince *time.Time
	Sort         string // created_at, -created_at, updated_at, -updated_at, name, -name, size, -size
	Limit        int
	Cursor       string
}

// ErrAdminParam refuses user_id for non-admins.
var ErrAdminParam = problem.ErrForbidden.WithDetail("Only administrators may list other users' files.")

var sorts = map[string]struct {
	column string
	desc   bool
}{
	"created_at": {"created_at", false}, "-created_at": {"created_at", true},
	"name": {"name", false}, "-name": {"name", true},
	"size": {"size_bytes", false}, "-size": {"size_bytes", true},
	"updated_at": {"updated_at", false}, "-updated_at": {"updated_at", true},
}

// List returns the caller's files (admins: everyone's, or one user's).
func (s *Service) List(ctx context.Context, caller *authz.Principal, p ListParams) (paging.Page[File], error) {
	if p.UserID != nil && !caller.MayActOnOthers(authz.Read) {
		return paging.Page[File]{}, ErrAdminParam
	}
	if p.Sort == "" {
		p.Sort = "-created_at"
	}
	srt, ok := sorts[p.Sort]
	if !ok {
		return paging.Page[File]{}, problem.ErrBadRequest.WithField("sort", "must be one of created_at, -created_at, updated_at, -updated_at, name, -name, size, -size")
	}
	limit, err := paging.Limit(p.Limit)
	if err != nil {
		return paging.Page[File]{}, err
	}
	bound := paging.Bind(p.Sort, p)
	cur, err := paging.Decode(p.Cursor, bound)
	if err != nil {
		return paging.Page[File]{}, err
	}
	q := s.db.WithContext(ctx).Model(&Row{})
	switch {
	case p.UserID != nil:
		q = q.Where("user_id = ?", *p.UserID)
	case !caller.MayActOnOthers(authz.Read):
		q = q.Where("user_id = ?", caller.UserID)
	}
	if p.Query != "" {
		// The text is matched literally: % and _ are not wildcards.
		q = q.Where(`LOWER(name) LIKE ? ESCAPE '\'`, store.Contains(strings.ToLower(p.Query)))
	}
	if p.Platform != "" {
		q = q.Where("platform = ?", p.Platform)
	}
	if p.Kind != "" {
		q = q.Where("kind = ?", p.Kind)
	}
	if p.Pinned != nil {
		q = q.Where("pinned = ?", *p.Pinned)
	}
	if p.DownloadID != nil {
		q = q.Where("download_id = ?", *p.DownloadID)
	}
	if p.UpdatedSince != nil {
		q = q.Where("updated_at >= ?", p.UpdatedSince.UTC())
	}
	dir := "ASC"
	if srt.desc {
		dir = "DESC"
	}
	if cur != nil {
		var key any
		switch srt.column {
		case "size_bytes":
			var n int64
			if err := cur.KeyAs(&n); err != nil {
				return paging.Page[File]{}, err
			}
			key = n
		case "created_at", "updated_at":
			var t time.Time
			if err := cur.KeyAs(&t); err != nil {
				return paging.Page[File]{}, err
			}
			key = t
		default:
			var str string
			if err := cur.KeyAs(&str); err != nil {
				return paging.Page[File]{}, err
			}
			key = str
		}
		q = q.Where(paging.Keyset(srt.column, srt.desc), key, key, cur.ID)
	}
	var rows []Row
	if err := q.Order(srt.column + " " + dir + ", id " + dir).Limit(limit + 1).Find(&rows).Error; err != nil {
		return paging.Page[File]{}, err
	}
	page := paging.Finish(rows, limit, func(r Row) paging.Cursor {
		var key any
		switch srt.column {
		case "size_bytes":
			key = r.SizeBytes
		case "created_at":
			key = r.CreatedAt.UTC()
		case "updated_at":
			key = r.UpdatedAt.UTC()
		default:
			key = r.Name
		}
		return paging.NewCursor(bound, key, r.ID.String())
	})
	return paging.Page[File]{Items: s.Views(ctx, page.Items), NextCursor: page.NextCursor}, nil
}

// SetPinned pins or unpins a file.
func (s *Service) SetPinned(ctx context.Context, caller *authz.Principal, id uuid.UUID, pinned bool) (File, error) {
	r, err := s.get(ctx, caller, id, authz.Write)
	if err != nil {
		return File{}, err
	}
	now := time.Now().UTC()
	if err := s.db.WithContext(ctx).Model(&Row{}).Where("id = ?", id).Updates(map[string]any{"pinned": pinned, "updated_at": now}).Error; err != nil {
		return File{}, err
	}
	r.Pinned, r.UpdatedAt = pinned, now
	s.audit.InfoContext(ctx, "file pinned", "action", map[bool]string{true: "file.pinned", false: "file.unpinned"}[pinned],
		"actor_id", caller.UserID, "target", id.String(), "name", r.Name)
	return s.View(ctx, r), nil
}

// Delete removes a file from the table and the disk.
func (s *Service) Delete(ctx context.Context, caller *authz.Principal, id uuid.UUID) error {
	r, err := s.get(ctx, caller, id, authz.Write)
	if err != nil {
		return err
	}
	if err := s.DeleteRows(ctx, []Row{r}); err != nil {
		return err
	}
	s.audit.InfoContext(ctx, "file deleted", "action", "file.deleted", "actor_id", caller.UserID, "target", "file:"+id.String(), "name", r.Name)
	return nil
}

// DeleteRows deletes rows and their data: the row goes first (so nothing
// ever points at a missing file), then the data. A file already gone from
// disk is not an error.
func (s *Service) DeleteRows(ctx context.Context, rows []Row) error {
	for _, r := range rows {
		if err := s.db.WithContext(ctx).Where("id = ?", r.ID).Delete(&Row{}).Error; err != nil {
			return err
		}
		if err := s.backend.Delete(ctx, r.RelPath); err != nil {
			s.log.Warn("cannot remove file data", "file_id", r.ID, "err", err)
		}
		if r.ThumbKey != nil {
			if err := s.backend.Delete(ctx, *r.ThumbKey); err != nil {
				s.log.Warn("cannot remove a file's thumbnail", "file_id", r.ID, "err", err)
			}
		}
		s.publishDeleted(ctx, r)
	}
	return nil
}

// publishDeleted tells the file's owner (and admins) it is gone.
func (s *Service) publishDeleted(ctx context.Context, r Row) {
	if s.bus == nil {
		return
	}
	data, _ := json.Marshal(map[string]any{"id": r.ID, "download_id": r.DownloadID})
	_ = s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: events.TypeFileDeleted, UserID: r.UserID.String(), Data: data})
}

// rowColumns are Row's columns in scanRows' order.
var rowColumns = []string{"id", "download_id", "user_id", "name", "rel_path", "size_bytes", "mime_type", "kind",
	"platform", "pinned", "thumbnail", "thumb_key", "created_at", "updated_at", "missing_at"}

// scanRows runs q (a query on files) for rowColumns and scans the rows by
// hand instead of by GORM's reflection (a list of downloads reads its files
// on every request; docs/performance.md, round 2).
func scanRows(q *gorm.DB, sizeHint int) ([]Row, error) {
	rs, err := q.Select(rowColumns).Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make([]Row, 0, sizeHint)
	for rs.Next() {
		var r Row
		if err := rs.Scan(&r.ID, &r.DownloadID, &r.UserID, &r.Name, &r.RelPath, &r.SizeBytes, &r.MimeType, &r.Kind,
			&r.Platform, &r.Pinned, &r.Thumbnail, &r.ThumbKey, &r.CreatedAt, &r.UpdatedAt, &r.MissingAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}
