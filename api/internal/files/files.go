// Package files keeps the library: finished files under
// <user>/<platform>/ in a Backend (a local folder, <data>/library by
// default, or an S3-compatible bucket), their rows, and serving them
// safely (our own Content-Type, Range and ETag, media inline and everything
// else as an attachment, a sandbox CSP). Paths come from our ids and, in a
// folder, are checked to stay inside the library, symlinks resolved.
package files

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
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
	CreatedAt  time.Time
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

// Service manages library files.
type Service struct {
	db        *gorm.DB
	backend   Backend
	log       *slog.Logger
	audit     *slog.Logger
	Retention Retention
	// OnDelete is told about deleted files (events).
	OnDelete func(ctx context.Context, f File)
	// Quotas gives each user's storage quota (nil: none).
	Quotas Quotas
	// Disk measures the library's file system.
	Disk Disk
	// OnRetention counts files removed by retention (metrics).
	OnRetention func(deleted int)
	// OnOrphans reports the orphan check's result (metrics).
	OnOrphans func(count int)
}

// New returns the service for a library in the folder root.
func New(db *gorm.DB, root string, log *slog.Logger) (*Service, error) {
	b, err := NewLocal(root)
	if err != nil {
		return nil, err
	}
	return NewWithBackend(db, b, log), nil
}

// NewWithBackend returns the service for a library in b.
func NewWithBackend(db *gorm.DB, b Backend, log *slog.Logger) *Service {
	return &Service{db: db, backend: b, log: log.With("source", "files"), audit: log.With("source", "audit", "audit", true),
		Retention: func(context.Context) *time.Duration { return nil }}
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

// View turns a row into the API shape, checking the disk.
func (s *Service) View(ctx context.Context, r Row) File {
	f := File{ID: r.ID, DownloadID: r.DownloadID, UserID: r.UserID, Name: r.Name, SizeBytes: r.SizeBytes,
		MimeType: r.MimeType, Kind: r.Kind, Platform: r.Platform, Pinned: r.Pinned, ThumbnailURL: r.Thumbnail,
		CreatedAt: r.CreatedAt.UTC(), ContentURL: "/api/v1/files/" + r.ID.String() + "/content"}
	if _, err := s.backend.Stat(ctx, r.RelPath); err != nil {
		f.Missing = true
	}
	if !r.Pinned {
		if ret := s.Retention(ctx); ret != nil {
			t := r.CreatedAt.Add(*ret).UTC()
			f.ExpiresAt = &t
		}
	}
	return f
}

// viewParallel bounds the existence checks Views runs at once: one stat
// each in a folder, one HEAD request each on S3.
const viewParallel = 8

// Views turns rows into API shapes.
func (s *Service) Views(ctx context.Context, rows []Row) []File {
	out := make([]File, len(rows))
	sem := make(chan struct{}, viewParallel)
	var wg sync.WaitGroup
	for i, r := range rows {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = s.View(ctx, r)
		}()
	}
	wg.Wait()
	return out
}

// Inside reports whether path is root or below it.
func Inside(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// get loads a file the caller may see; another user's file is "not found".
func (s *Service) get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (Row, error) {
	var r Row
	q := s.db.WithContext(ctx).Where("id = ?", id)
	if !caller.IsAdmin() {
		q = q.Where("user_id = ?", caller.UserID)
	}
	if err := q.Take(&r).Error; err != nil {
		return Row{}, store.NotFound(err, ErrNotFound)
	}
	return r, nil
}

// Get returns one file.
func (s *Service) Get(ctx context.Context, caller *authz.Principal, id uuid.UUID) (File, error) {
	r, err := s.get(ctx, caller, id)
	if err != nil {
		return File{}, err
	}
	return s.View(ctx, r), nil
}

// ForDownloads returns the files of the given downloads, by download.
func (s *Service) ForDownloads(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]File, error) {
	out := map[uuid.UUID][]File{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Row
	if err := s.db.WithContext(ctx).Where("download_id IN ?", ids).Order("created_at, id").Find(&rows).Error; err != nil {
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
	Sort       string     // created_at, -created_at, name, -name, size, -size
	Limit      int
	Cursor     string
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
}

// List returns the caller's files (admins: everyone's, or one user's).
func (s *Service) List(ctx context.Context, caller *authz.Principal, p ListParams) (paging.Page[File], error) {
	if p.UserID != nil && !caller.IsAdmin() {
		return paging.Page[File]{}, ErrAdminParam
	}
	if p.Sort == "" {
		p.Sort = "-created_at"
	}
	srt, ok := sorts[p.Sort]
	if !ok {
		return paging.Page[File]{}, problem.ErrBadRequest.WithField("sort", "must be one of created_at, -created_at, name, -name, size, -size")
	}
	limit, err := paging.Limit(p.Limit)
	if err != nil {
		return paging.Page[File]{}, err
	}
	cur, err := paging.Decode(p.Cursor, p.Sort)
	if err != nil {
		return paging.Page[File]{}, err
	}
	q := s.db.WithContext(ctx).Model(&Row{})
	switch {
	case p.UserID != nil:
		q = q.Where("user_id = ?", *p.UserID)
	case !caller.IsAdmin():
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
		case "created_at":
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
		default:
			key = r.Name
		}
		return paging.NewCursor(p.Sort, key, r.ID.String())
	})
	return paging.Page[File]{Items: s.Views(ctx, page.Items), NextCursor: page.NextCursor}, nil
}

// SetPinned pins or unpins a file.
func (s *Service) SetPinned(ctx context.Context, caller *authz.Principal, id uuid.UUID, pinned bool) (File, error) {
	r, err := s.get(ctx, caller, id)
	if err != nil {
		return File{}, err
	}
	if err := s.db.WithContext(ctx).Model(&Row{}).Where("id = ?", id).Update("pinned", pinned).Error; err != nil {
		return File{}, err
	}
	r.Pinned = pinned
	s.audit.InfoContext(ctx, "file pinned", "action", map[bool]string{true: "file.pinned", false: "file.unpinned"}[pinned],
		"actor_id", caller.UserID, "target", id.String(), "name", r.Name)
	return s.View(ctx, r), nil
}

// Delete removes a file from the table and the disk.
func (s *Service) Delete(ctx context.Context, caller *authz.Principal, id uuid.UUID) error {
	r, err := s.get(ctx, caller, id)
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
		if s.OnDelete != nil {
			s.OnDelete(ctx, s.View(ctx, r))
		}
	}
	return nil
}
