package subscriptions

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/events"
	"github.com/downlink/downlink/api/internal/queue"
	"github.com/downlink/downlink/api/internal/store"
)

// QueueName is the subscriptions' own River queue: checks never take a
// download worker, and QueueWorkers bounds how many run at once on a node.
const (
	QueueName    = "subscriptions"
	QueueWorkers = 2
)

// recentWindow is how many of a yt-dlp source's newest entries a check
// after the first lists in one page: yt-dlp cannot stop at a known entry,
// so it lists a window wide enough for what a source usually publishes
// between checks, and further pages (maxPages) when none of it is known.
const recentWindow = 50

// maxPages bounds how far a check after the first pages through a yt-dlp
// source that published more than recentWindow entries since the last
// one, looking for an entry it knows: 10 pages, 500 entries.
const maxPages = 10

// Webhook events (subscription.checked is also the event stream's).
const (
	EventItemQueued = "subscription.item_queued"
	EventChecked    = "subscription.checked"
)

// CheckArgs is the job that checks one subscription.
type CheckArgs struct {
	SubscriptionID uuid.UUID `json:"subscription_id"`
}

// Kind implements river.JobArgs.
func (CheckArgs) Kind() string { return "subscription_check" }

// InsertOpts puts checks on their queue. Two checks of one subscription
// may run side by side (check now while a check runs: River's uniqueness
// would drop the second while the first still counts as running); each
// item is recorded before it is queued, so only one of them queues it.
func (CheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, MaxAttempts: 3}
}

// CheckWorker works check jobs.
type CheckWorker struct {
	river.WorkerDefaults[CheckArgs]
	S *Service
}

// Work checks the subscription; the check records its own failures.
func (w *CheckWorker) Work(ctx context.Context, job *river.Job[CheckArgs]) error {
	_, err := w.S.Check(ctx, job.Args.SubscriptionID)
	return err
}

// Timeout bounds one check (a first listing of a long channel).
func (w *CheckWorker) Timeout(*river.Job[CheckArgs]) time.Duration { return 10 * time.Minute }

// dueArgs is the periodic job that queues the checks that are due.
type dueArgs struct{}

func (dueArgs) Kind() string { return "subscriptions_due" }

// DueEvery is how often due subscriptions are picked.
const DueEvery = time.Minute

// maxDuePerRun bounds the checks one pick queues (the rest are picked a
// minute later): a thousand subscriptions due at once trickle in.
const maxDuePerRun = 200

// DueTask is the periodic pick of due subscriptions (on the maintenance
// queue: it only inserts jobs).
func (s *Service) DueTask() queue.Task {
	return queue.NewTask[dueArgs](queue.TaskOptions{Every: DueEvery, Unique: DueEvery, RunOnStart: true},
		func(ctx context.Context) error { _, err := s.QueueDue(ctx); return err })
}

// QueueDue queues a check for every enabled subscription whose next check
// is due (at most maxDuePerRun, the most overdue first) and moves its next
// check a whole interval on, so the next pick does not take it again
// while its check waits; the check sets the real next time.
func (s *Service) QueueDue(ctx context.Context) (int, error) {
	now := s.now()
	var rows []row
	if err := s.db.WithContext(ctx).Select("id", "interval_hours").Where("enabled = ? AND next_check_at <= ?", true, now).
		Order("next_check_at").Limit(maxDuePerRun).Find(&rows).Error; err != nil {
		return 0, err
	}
	for _, r := range rows {
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			res := tx.Model(&row{}).Where("id = ? AND next_check_at <= ?", r.ID, now).
				Update("next_check_at", now.Add(time.Duration(r.IntervalHours)*time.Hour))
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			_, err := s.queue.InsertTx(ctx, tx, CheckArgs{SubscriptionID: r.ID}, nil)
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// CheckResult is what one check did.
type CheckResult struct {
	Listed   int
	New      int
	Queued   []uuid.UUID
	Filtered int
	Skipped  int
	Archived int
	Deleted  int
	Err      error
}

// Check lists the subscription's source and queues its new items; a
// failure is recorded on the subscription (with backoff) and returned in
// the result, not as the error, which is for Downlink's own faults.
func (s *Service) Check(ctx context.Context, id uuid.UUID) (CheckResult, error) {
	var r row
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return CheckResult{}, nil // deleted meanwhile
		}
		return CheckResult{}, err
	}
	var keys []string
	if err := s.db.WithContext(ctx).Model(&itemRow{}).Where("subscription_id = ?", r.ID).Pluck("item_key", &keys).Error; err != nil {
		return CheckResult{}, err
	}
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[k] = true
	}
	// The backfill applies to the first check that lists the source.
	first := r.LastSuccessAt == nil && len(keys) == 0
	limit, pages := recentWindow, maxPages
	if first {
		pages = 1 // the backfill says how much of the source to take
	}
	if first && r.Backfill == BackfillAll {
		limit = downloads.MaxChildren
	} else if first && r.Backfill == BackfillLast {
		limit = max(recentWindow, r.BackfillCount)
	}
	started := s.now()
	l, err := s.downloads.ListSource(ctx, r.UserID, r.URL, limit, pages, func(k string) bool { return known[itemKey(k)] })
	res := CheckResult{}
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		res.Err = err
		return res, s.failed(ctx, &r, err)
	}
	res.Listed = len(l.Entries)
	// The listing is newest first; items are recorded and queued oldest
	// first, so downloads are created in publishing order.
	var fresh []downloads.ListEntry
	for _, e := range l.Entries {
		k := itemKey(e.Key)
		if known[k] || e.URL == "" {
			continue
		}
		known[k] = true
		fresh = append(fresh, e)
	}
	res.New = len(fresh)
	urls := make([]string, len(fresh))
	for i, e := range fresh {
		urls[i] = e.URL
	}
	archived, err := s.downloads.Archived(ctx, r.UserID, urls)
	if err != nil {
		return res, err
	}
	match := compileFilters(r.Filters)
	var lastErr error
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		state := ItemQueued
		switch {
		case first && (r.Backfill == BackfillNone || (r.Backfill == BackfillLast && i >= r.BackfillCount)):
			state = ItemSkipped
		case !match(e):
			state = ItemFiltered
		case archived[e.URL]:
			state = ItemArchived
		}
		it := itemRow{ID: store.NewID(), SubscriptionID: r.ID, ItemKey: itemKey(e.Key), URL: e.URL, State: state, CreatedAt: s.now()}
		if e.Title != "" {
			it.Title = &e.Title
		}
		if !e.Published.IsZero() {
			p := e.Published
			it.PublishedAt = &p
		}
		if e.Duration > 0 {
			d := e.Duration
			it.Duration = &d
		}
		// The item is recorded first: a check running beside this one
		// (check now, twice) finds it taken and leaves it.
		if err := s.db.WithContext(ctx).Create(&it).Error; err != nil {
			if store.IsUniqueViolation(err) {
				continue
			}
			return res, err
		}
		switch state {
		case ItemSkipped:
			res.Skipped++
		case ItemFiltered:
			res.Filtered++
		case ItemArchived:
			res.Archived++
		case ItemQueued:
			d, _, err := s.downloads.Create(ctx, downloads.SystemPrincipal(r.UserID, authz.RoleUser), downloads.CreateRequest{
				URL: e.URL, Options: r.Options, AllowDuplicate: true,
				From: &downloads.Origin{SubscriptionID: r.ID, Title: e.Title, Uploader: e.Uploader, Duration: e.Duration,
					ThumbnailURL: e.Thumbnail, Meta: e.Meta},
			})
			if err != nil {
				// Forgotten again: the next check tries it (a quota or the
				// disk may allow it then).
				lastErr = err
				s.log.Warn("subscription item not queued", "subscription_id", r.ID, "url", e.URL, "err", err)
				if err := s.db.WithContext(ctx).Where("id = ?", it.ID).Delete(&itemRow{}).Error; err != nil {
					return res, err
				}
				continue
			}
			if err := s.db.WithContext(ctx).Model(&itemRow{}).Where("id = ?", it.ID).Update("download_id", d.ID).Error; err != nil {
				return res, err
			}
			res.Queued = append(res.Queued, d.ID)
			s.notify(ctx, &r, EventItemQueued, map[string]any{"download": d})
		}
	}
	if l.Title != "" {
		r.SourceTitle = &l.Title
	}
	if lastErr != nil && len(res.Queued) == 0 {
		res.Err = lastErr
		return res, s.failed(ctx, &r, lastErr)
	}
	deleted, err := s.retain(ctx, &r)
	if err != nil {
		s.log.Warn("subscription retention failed", "subscription_id", r.ID, "err", err)
	}
	res.Deleted = deleted
	now := s.now()
	fields := map[string]any{"last_check_at": now, "last_success_at": now, "last_error": nil, "consecutive_failures": 0,
		"last_new_items": len(res.Queued), "checks": gorm.Expr("checks + 1"), "source_title": r.SourceTitle,
		"next_check_at": s.schedule(now, r.IntervalHours), "updated_at": now}
	if lastErr != nil {
		fields["last_error"] = errorText(lastErr)
	}
	if err := s.db.WithContext(ctx).Model(&row{}).Where("id = ?", r.ID).Updates(fields).Error; err != nil {
		return res, err
	}
	s.log.Info("subscription checked", "subscription_id", r.ID, "listed", res.Listed, "new", res.New,
		"queued", len(res.Queued), "filtered", res.Filtered, "skipped", res.Skipped, "archived", res.Archived,
		"deleted", res.Deleted, "took_ms", now.Sub(started).Milliseconds())
	s.notify(ctx, &r, EventChecked, map[string]any{"new_items": len(res.Queued), "error": nil})
	return res, nil
}

// failed records a failed check and schedules the next with backoff.
func (s *Service) failed(ctx context.Context, r *row, cause error) error {
	now := s.now()
	n := r.ConsecutiveFailures + 1
	msg := errorText(cause)
	s.log.Warn("subscription check failed", "subscription_id", r.ID, "failures", n, "err", cause)
	err := s.db.WithContext(ctx).Model(&row{}).Where("id = ?", r.ID).Updates(map[string]any{
		"last_check_at": now, "last_error": msg, "consecutive_failures": n, "last_new_items": 0,
		"checks": gorm.Expr("checks + 1"), "next_check_at": s.backoff(now, n, r.IntervalHours), "updated_at": now,
	}).Error
	s.notify(ctx, r, EventChecked, map[string]any{"new_items": 0, "error": msg})
	return err
}

// notify tells the webhooks and the owner's event streams, with the
// subscription as it is now (best effort: a check is not undone because
// a delivery could not be recorded). The stream gets subscription.checked
// with the webhook's data, and subscription.updated for a queued item
// (the subscription, whose items_queued grew; the download comes as a
// download.created of its own).
func (s *Service) notify(ctx context.Context, r *row, event string, data map[string]any) {
	if s.notifier == nil && s.bus == nil {
		return
	}
	var fresh row
	if err := s.db.WithContext(ctx).Where("id = ?", r.ID).Take(&fresh).Error; err != nil {
		return
	}
	vs, err := s.views(ctx, []row{fresh})
	if err != nil {
		return
	}
	data["subscription"] = vs[0]
	if s.notifier != nil {
		if err := s.notifier.SubscriptionEvent(ctx, event, r.UserID, r.Platform, data); err != nil {
			s.log.Warn("subscription event not delivered", "subscription_id", r.ID, "event", event, "err", err)
		}
	}
	switch event {
	case EventChecked:
		s.publish(ctx, r.UserID, events.TypeSubscriptionChecked, data)
	case EventItemQueued:
		s.publish(ctx, r.UserID, events.TypeSubscriptionUpdated, vs[0])
	}
}

// itemKey bounds a source's key to the column (very long keys are
// digested by their tail being cut: keys are ids, rarely long).
func itemKey(k string) string {
	if len(k) > 300 {
		return k[:300]
	}
	return k
}

// compileFilters returns the subscription's filter as one function.
func compileFilters(f Filters) func(downloads.ListEntry) bool {
	var include, exclude []*regexp.Regexp
	for _, p := range f.TitleInclude {
		if re, err := regexp.Compile("(?i)" + p); err == nil {
			include = append(include, re)
		}
	}
	for _, p := range f.TitleExclude {
		if re, err := regexp.Compile("(?i)" + p); err == nil {
			exclude = append(exclude, re)
		}
	}
	var since time.Time
	if f.PublishedSince != nil {
		since, _ = time.Parse(time.DateOnly, *f.PublishedSince)
	}
	return func(e downloads.ListEntry) bool {
		if !since.IsZero() && !e.Published.IsZero() && e.Published.Before(since) {
			return false
		}
		if e.Duration > 0 {
			if f.MinDurationSeconds != nil && e.Duration < *f.MinDurationSeconds {
				return false
			}
			if f.MaxDurationSeconds != nil && e.Duration > *f.MaxDurationSeconds {
				return false
			}
		}
		if f.SkipShorts && (strings.Contains(e.URL, "/shorts/") || (e.Duration > 0 && e.Duration <= 60)) {
			return false
		}
		if f.SkipLive && (e.LiveStatus == "is_live" || e.LiveStatus == "is_upcoming" || e.LiveStatus == "was_live" ||
			e.LiveStatus == "post_live") {
			return false
		}
		if len(include) > 0 {
			ok := false
			for _, re := range include {
				ok = ok || re.MatchString(e.Title)
			}
			if !ok {
				return false
			}
		}
		for _, re := range exclude {
			if re.MatchString(e.Title) {
				return false
			}
		}
		return true
	}
}

// retain deletes the subscription's completed downloads beyond its
// retention (the newest keep_last, those of the last keep_days), with
// their files, except downloads with a pinned file.
func (s *Service) retain(ctx context.Context, r *row) (int, error) {
	if r.KeepLast == nil && r.KeepDays == nil {
		return 0, nil
	}
	type dl struct {
		ID         uuid.UUID
		FinishedAt *time.Time
	}
	var dls []dl
	if err := s.db.WithContext(ctx).Table("downloads").Select("id, finished_at").
		Where("subscription_id = ? AND status = ?", r.ID, downloads.StatusCompleted).
		Order("created_at DESC, id DESC").Scan(&dls).Error; err != nil {
		return 0, err
	}
	var doomed []uuid.UUID
	cutoff := time.Time{}
	if r.KeepDays != nil {
		cutoff = s.now().Add(-time.Duration(*r.KeepDays) * 24 * time.Hour)
	}
	for i, d := range dls {
		beyondN := r.KeepLast != nil && i >= *r.KeepLast
		tooOld := r.KeepDays != nil && d.FinishedAt != nil && d.FinishedAt.Before(cutoff)
		if beyondN || tooOld {
			doomed = append(doomed, d.ID)
		}
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	var pinned []uuid.UUID
	if err := s.db.WithContext(ctx).Table("files").Where("download_id IN ? AND pinned = ?", doomed, true).
		Distinct().Pluck("download_id", &pinned).Error; err != nil {
		return 0, err
	}
	keep := map[uuid.UUID]bool{}
	for _, id := range pinned {
		keep[id] = true
	}
	n := 0
	for _, id := range doomed {
		if keep[id] {
			continue
		}
		if err := s.downloads.Delete(ctx, downloads.SystemPrincipal(r.UserID, authz.RoleUser), id, true); err != nil && !errors.Is(err, downloads.ErrNotFound) {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.log.Info("subscription retention", "subscription_id", r.ID, "deleted", n, "pinned_kept", len(pinned))
	}
	return n, nil
}
