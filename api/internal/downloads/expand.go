package downloads

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/store"
)

// MaxChildren bounds one expansion (a channel can be endless); use
// options.playlist_items to pick others. A handler listing a parent
// itself lists one more, which tells the list was cut.
const MaxChildren = 1000

const maxChildren = MaxChildren

// expand turns a parent into one child row (and job) per item, in one
// transaction with the parent's own update, so a crash leaves either the
// parent to expand again or every child queued.
func (s *Service) expand(ctx context.Context, r *row, jobID int64, h PlatformHandler, it Item) error {
	exp, err := h.Expand(ctx, it)
	if err != nil {
		return err
	}
	title, children := exp.Title, exp.Children
	if exp.ListURL != "" {
		dir := s.jobDir(r.ID)
		settings, cleanup, err := s.settingsFor(ctx, r, dir)
		if err != nil {
			return err
		}
		if it.Options.PlaylistItems == "" {
			// Stop listing past the cap (one more tells it was cut): an
			// endless feed must not keep yt-dlp busy for minutes.
			settings.ListLimit = maxChildren + 1
		}
		pl, err := s.runner.ListPlaylist(ctx, exp.ListURL, it.Options.PlaylistItems, settings)
		cleanup()
		s.removeJobDir(r.ID)
		if err != nil {
			return err
		}
		title = pl.Title
		for _, e := range pl.Entries {
			children = append(children, Child{URL: e.URL, Title: e.Title, Duration: e.DurationSeconds, Kind: "video", Key: e.ID})
		}
	}
	if len(children) == 0 {
		return Failure("unavailable", "The playlist has no items that can be downloaded.")
	}
	warnings := exp.Warnings
	if len(children) > maxChildren {
		children = children[:maxChildren]
		warnings = append(warnings, Warning{Code: "list_truncated", Message: fmt.Sprintf(
			"Only the first %d items were listed and queued, the most one download expands into; choose others with playlist_items.", maxChildren)})
	}
	// Children download single items: playlist selection applied here.
	childOpts := it.Options
	childOpts.PlaylistItems = ""
	now := time.Now().UTC()
	parentKind := r.Kind
	if parentKind == "video" || parentKind == "other" {
		parentKind = "playlist"
	}
	keys := entryKeys(children)
	created := 0
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fields := map[string]any{"kind": parentKind, "percent": 0, "warnings": warningsColumn(warnings)}
		if title != "" {
			fields["title"] = title
		}
		moved, err := s.transition(ctx, tx, move{ids: []uuid.UUID{r.ID}, job: &jobID, to: StatusQueued, fields: fields})
		if err != nil {
			return err
		}
		if moved == 0 {
			return errLostOwnership
		}
		// Children already there (an expansion that ran before) are kept:
		// the unique (parent_id, entry_key) index makes a second copy
		// impossible, so only the missing ones are created.
		var existing []string
		if err := tx.Model(&row{}).Where("parent_id = ? AND entry_key IS NOT NULL", r.ID).
			Pluck("entry_key", &existing).Error; err != nil {
			return err
		}
		fresh := 0
		for i := range children {
			if !slices.Contains(existing, keys[i]) {
				fresh++
			}
		}
		// Each item counts against a key's daily quota. The submission
		// counted the first item of the first expansion; items past the
		// quota are not queued.
		charge := fresh
		if len(existing) == 0 && charge > 0 {
			charge--
		}
		allowed := fresh
		if r.APIKeyID != nil && s.keyQuota != nil && charge > 0 {
			granted, err := s.keyQuota.ConsumeDownloads(ctx, tx, *r.APIKeyID, charge)
			if err != nil {
				return err
			}
			if granted < charge {
				allowed = fresh - (charge - granted)
				warnings := append(warnings, Warning{Code: "quota_exceeded", Message: fmt.Sprintf(
					"Only %d of the %d items were queued: the API key's daily download quota is used up (each item counts as one download). Retry tomorrow (UTC) for the rest.",
					len(existing)+allowed, len(children))})
				if err := tx.Model(&row{}).Where("id = ?", r.ID).Update("warnings", warningsColumn(warnings)).Error; err != nil {
					return err
				}
			}
		}
		for i, c := range children {
			if slices.Contains(existing, keys[i]) {
				continue
			}
			if allowed == 0 {
				break
			}
			allowed--
			kind := c.Kind
			if kind == "" {
				kind = "video"
			}
			cr := row{ID: store.NewID(), UserID: r.UserID, APIKeyID: r.APIKeyID, ParentID: &r.ID, URL: c.URL,
				Platform: r.Platform, Kind: kind, Status: StatusQueued, Options: childOpts,
				PlaylistIndex: i + 1, EntryKey: &keys[i], CreatedAt: now, UpdatedAt: now}
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
			if err := s.createWithJobTx(ctx, tx, &cr); err != nil {
				return err
			}
			created++
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("playlist expanded", "download_id", r.ID, "items", len(children), "created", created)
	s.refreshParent(ctx, r.ID)
	return nil
}

// entryKeys keys each child by its entry: a digest of the listing's id
// for the entry (or, without one, its URL), so the same playlist listed
// again gives the same keys. An entry listed twice keeps its place as a
// child of its own: its repeats are told apart by their ordinal.
func entryKeys(children []Child) []string {
	keys := make([]string, len(children))
	seen := map[string]int{}
	for i, c := range children {
		id := c.Key
		if id == "" {
			id = c.URL
		}
		sum := sha256.Sum256([]byte(id))
		k := hex.EncodeToString(sum[:])
		seen[k]++
		if n := seen[k]; n > 1 {
			k += "#" + strconv.Itoa(n)
		}
		keys[i] = k
	}
	return keys
}

// hasChildren reports whether a parent was expanded: its work is then in
// its children, and it is never listed or expanded again.
func (s *Service) hasChildren(ctx context.Context, id uuid.UUID) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&row{}).Where("parent_id = ?", id).Limit(1).Count(&n).Error
	return n > 0, err
}
