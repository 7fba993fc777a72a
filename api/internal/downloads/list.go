package downloads

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
)

// ListParams filter and sort the download list.
type ListParams struct {
	Statuses        []Status
	Platform        string
	Query           string
	ParentID        *uuid.UUID
	IncludeChildren bool
	UserID          *uuid.UUID // admin only
	// UpdatedSince keeps the rows changed at or after it (incremental sync).
	UpdatedSince *time.Time
	Sort         string
	Limit        int
	Cursor       string
}

var listSorts = map[string]struct {
	column string
	desc   bool
}{
	"created_at": {"created_at", false}, "-created_at": {"created_at", true},
	"title": {"COALESCE(title, '')", false}, "-title": {"COALESCE(title, '')", true},
	"status": {"status", false}, "-status": {"status", true},
	"updated_at": {"updated_at", false}, "-updated_at": {"updated_at", true},
}

// sortPlaylist is the default order of a parent's children (not a sort
// clients name); playlistOrder is its column.
const sortPlaylist = "playlist"

var playlistOrder = struct {
	column string
	desc   bool
}{"playlist_index", false}

// List returns downloads, newest first by default. Without a parent,
// children are left out unless asked for.
func (s *Service) List(ctx context.Context, caller *authz.Principal, p ListParams) (paging.Page[Download], error) {
	if p.UserID != nil && !caller.MayActOnOthers(authz.Read) {
		return paging.Page[Download]{}, ErrAdminParam
	}
	inPlaylistOrder := p.Sort == "" && p.ParentID != nil
	if p.Sort == "" {
		p.Sort = "-created_at"
		if inPlaylistOrder {
			// Children in playlist order; the order's own cursor key, as
			// children made by one expansion share their created_at.
			p.Sort = sortPlaylist
		}
	}
	srt, ok := listSorts[p.Sort]
	if p.Sort == sortPlaylist {
		srt, ok = playlistOrder, inPlaylistOrder
	}
	if !ok {
		return paging.Page[Download]{}, problem.ErrBadRequest.WithField("sort", "must be one of created_at, -created_at, updated_at, -updated_at, title, -title, status, -status")
	}
	for _, st := range p.Statuses {
		if !slices.Contains(Statuses, st) {
			return paging.Page[Download]{}, problem.ErrBadRequest.WithField("status", "unknown status "+string(st))
		}
	}
	limit, err := paging.Limit(p.Limit)
	if err != nil {
		return paging.Page[Download]{}, err
	}
	bound := paging.Bind(p.Sort, p)
	cur, err := paging.Decode(p.Cursor, bound)
	if err != nil {
		return paging.Page[Download]{}, err
	}
	q := s.db.WithContext(ctx).Model(&row{})
	switch {
	case p.UserID != nil:
		q = q.Where("user_id = ?", *p.UserID)
	case !caller.MayActOnOthers(authz.Read):
		q = q.Where("user_id = ?", caller.UserID)
	}
	switch {
	case p.ParentID != nil:
		q = q.Where("parent_id = ?", *p.ParentID)
	case !p.IncludeChildren:
		q = q.Where("parent_id IS NULL")
	}
	if len(p.Statuses) > 0 {
		ss := make([]string, len(p.Statuses))
		for i, st := range p.Statuses {
			ss[i] = string(st)
		}
		q = q.Where("status IN ?", ss)
	}
	if p.Platform != "" {
		q = q.Where("platform = ?", p.Platform)
	}
	if p.UpdatedSince != nil {
		q = q.Where("updated_at >= ?", p.UpdatedSince.UTC())
	}
	if t := strings.TrimSpace(p.Query); t != "" {
		// The text is matched literally: % and _ are not wildcards.
		like := store.Contains(strings.ToLower(t))
		q = q.Where(`(LOWER(COALESCE(title, '')) LIKE ? ESCAPE '\' OR LOWER(url) LIKE ? ESCAPE '\' OR `+
			`LOWER(COALESCE(uploader, '')) LIKE ? ESCAPE '\')`, like, like, like)
	}
	dir := "ASC"
	if srt.desc {
		dir = "DESC"
	}
	if cur != nil {
		var key any
		switch srt.column {
		case "created_at", "updated_at":
			var t time.Time
			if err := cur.KeyAs(&t); err != nil {
				return paging.Page[Download]{}, err
			}
			key = t
		case "playlist_index":
			var n int
			if err := cur.KeyAs(&n); err != nil {
				return paging.Page[Download]{}, err
			}
			key = n
		default:
			var str string
			if err := cur.KeyAs(&str); err != nil {
				return paging.Page[Download]{}, err
			}
			key = str
		}
		q = q.Where(paging.Keyset(srt.column, srt.desc), key, key, cur.ID)
	}
	order := srt.column + " " + dir + ", id " + dir
	rows, err := findView(q.Order(order).Limit(limit+1), limit+1, false)
	if err != nil {
		return paging.Page[Download]{}, err
	}
	page := paging.Finish(rows, limit, func(r row) paging.Cursor {
		var key any = r.CreatedAt.UTC()
		switch srt.column {
		case "status":
			key = r.Status
		case "playlist_index":
			key = r.PlaylistIndex
		case "updated_at":
			key = r.UpdatedAt.UTC()
		case "created_at":
		default:
			t := ""
			if r.Title != nil {
				t = *r.Title
			}
			key = t
		}
		return paging.NewCursor(bound, key, r.ID.String())
	})
	items, err := s.withDetails(ctx, page.Items)
	if err != nil {
		return paging.Page[Download]{}, err
	}
	return paging.Page[Download]{Items: items, NextCursor: page.NextCursor}, nil
}

// viewColumns are the columns row.view and the list's cursors read: a list
// leaves out the bookkeeping ones (job, heartbeat, idempotency, entry key),
// which are a sixth of a row to scan and never shown.
var viewColumns = []string{"id", "user_id", "parent_id", "url", "platform", "kind", "status", "title", "uploader",
	"thumbnail_url", "duration_seconds", "source_url", "playlist_index", "subscription_id", "percent", "downloaded_bytes", "total_bytes",
	"speed_bps", "eta_seconds", "fragment_index", "fragment_count", "post_processor", "ytdlp_version", "error_code",
	"error_message", "warnings", "options", "meta", "node", "attempts", "created_at", "started_at", "finished_at",
	"updated_at"}

// childAgg sums a parent's children.
type childAgg struct {
	ParentID  uuid.UUID
	Status    string
	N         int
	Bytes     int64
	Total     int64
	Unknown   int
	PercentSm float64
}

// withDetails adds files, and for parents the children's summary and
// summed progress.
func (s *Service) withDetails(ctx context.Context, rows []row) ([]Download, error) {
	out := make([]Download, len(rows))
	ids := make([]uuid.UUID, len(rows))
	var parents []uuid.UUID // only these can have children
	for i := range rows {
		out[i] = rows[i].view()
		ids[i] = rows[i].ID
		if rows[i].ParentID == nil && platforms.Kind(rows[i].Kind).IsParent() {
			parents = append(parents, rows[i].ID)
		}
	}
	fs, err := s.files.ForDownloads(ctx, ids)
	if err != nil {
		return nil, err
	}
	var aggs []childAgg
	if len(parents) > 0 {
		err = s.db.WithContext(ctx).Model(&row{}).
			Select("parent_id, status, COUNT(*) AS n, COALESCE(SUM(downloaded_bytes),0) AS bytes, COALESCE(SUM(total_bytes),0) AS total, "+
				"SUM(CASE WHEN total_bytes IS NULL THEN 1 ELSE 0 END) AS unknown, COALESCE(SUM(percent),0) AS percent_sm").
			Where("parent_id IN ?", parents).Group("parent_id, status").Scan(&aggs).Error
		if err != nil {
			return nil, err
		}
	}
	byParent := map[uuid.UUID][]childAgg{}
	for _, a := range aggs {
		byParent[a.ParentID] = append(byParent[a.ParentID], a)
	}
	for i := range out {
		if f := fs[out[i].ID]; f != nil {
			out[i].Files = f
		}
		if ch, ok := byParent[out[i].ID]; ok {
			applyChildren(&out[i], ch)
		}
	}
	return out, nil
}

func applyChildren(d *Download, ch []childAgg) {
	sum := map[string]int{}
	for _, st := range Statuses {
		sum[string(st)] = 0
	}
	var n, unknown int
	var bytes, total int64
	var pct float64
	for _, a := range ch {
		sum[a.Status] += a.N
		n += a.N
		bytes += a.Bytes
		total += a.Total
		unknown += a.Unknown
		if Status(a.Status) == StatusCompleted {
			pct += 100 * float64(a.N)
		} else {
			pct += a.PercentSm
		}
	}
	d.ChildrenCount = n
	d.ChildrenSummary = sum
	if n == 0 {
		return
	}
	d.Progress = Progress{Percent: pct / float64(n), DownloadedBytes: bytes}
	if unknown == 0 {
		d.Progress.TotalBytes = &total
	}
}
