package downloads

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// maxChildren bounds one expansion (a channel can be endless); use
// options.playlist_items to pick others.
const maxChildren = 1000

// expand turns a parent into one child row (and job) per item, in one
// transaction with the parent's own update, so a crash leaves either the
// parent to expand again or every child queued.
func (s *Service) expand(ctx context.Context, r *row, jobID int64, h PlatformHandler, it Item) error {
	var (
		title    string
		children []Child
		handled  bool
		err      error
	)
	if h != nil {
		title, children, handled, err = h.Expand(ctx, it)
		if err != nil {
			return err
		}
	}
	if !handled {
		dir := s.jobDir(r.ID)
		settings, cleanup, err := s.settingsFor(ctx, r, dir)
		if err != nil {
			return err
		}
		pl, err := s.runner.ListPlaylist(ctx, r.URL, it.Options.PlaylistItems, settings)
		cleanup()
		s.removeJobDir(r.ID)
		if err != nil {
			return err
		}
		title = pl.Title
		for _, e := range pl.Entries {
			children = append(children, Child{URL: e.URL, Title: e.Title, Duration: e.DurationSeconds, Kind: "video"})
		}
	}
	if len(children) == 0 {
		return Failure("unavailable", "The playlist has no items that can be downloaded.")
	}
	if len(children) > maxChildren {
		children = children[:maxChildren]
	}
	// Children download single items: playlist selection applied here.
	childOpts := it.Options
	childOpts.PlaylistItems = ""
	optsJSON, _ := json.Marshal(childOpts)
	now := time.Now().UTC()
	parentKind := r.Kind
	if parentKind == "video" || parentKind == "other" {
		parentKind = "playlist"
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		updates := map[string]any{"status": string(StatusQueued), "kind": parentKind, "updated_at": now,
			"heartbeat_at": nil, "percent": 0}
		if title != "" {
			updates["title"] = title
		}
		res := tx.Model(&row{}).Where("id = ? AND job_id = ? AND status IN ?", r.ID, jobID, runningStatuses).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errLostOwnership
		}
		for i, c := range children {
			kind := c.Kind
			if kind == "" {
				kind = "video"
			}
			cr := row{ID: newID(), UserID: r.UserID, APIKeyID: r.APIKeyID, ParentID: &r.ID, URL: c.URL,
				Platform: r.Platform, Kind: kind, Status: string(StatusQueued), Options: string(optsJSON),
				PlaylistIndex: i + 1, CreatedAt: now, UpdatedAt: now}
			if c.Title != "" {
				cr.Title = ptr(c.Title)
			}
			if c.Uploader != "" {
				cr.Uploader = ptr(c.Uploader)
			}
			if c.Duration > 0 {
				cr.DurationSeconds = ptr(c.Duration)
			}
			if c.ThumbnailURL != "" {
				cr.ThumbnailURL = ptr(c.ThumbnailURL)
			}
			if len(c.Meta) > 0 {
				cr.Meta = ptr(string(c.Meta))
			}
			if err := tx.Create(&cr).Error; err != nil {
				return err
			}
			if err := s.enqueueTx(ctx, tx, &cr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("playlist expanded", "download_id", r.ID, "items", len(children))
	s.refreshParent(ctx, r.ID)
	return nil
}
