package downloads

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
)

// findView runs q (a query on downloads with its filters, order and limit
// set) for viewColumns and scans the rows by hand: GORM's reflection
// scanning was a sixth of a list request's CPU (docs/performance.md,
// round 2). The SQL is the one GORM builds, so filters and cursors are
// unchanged.
//
// With details, error_details is read too: one download shows its failure's
// technical details, a list leaves them out.
func findView(q *gorm.DB, limit int, details bool) ([]row, error) {
	cols := viewColumns
	if details {
		cols = append(cols[:len(cols):len(cols)], "error_details")
	}
	rs, err := q.Select(cols).Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := make([]row, 0, limit)
	var opts sql.RawBytes
	for rs.Next() {
		var r row
		// The order is viewColumns', then error_details.
		dest := []any{&r.ID, &r.UserID, &r.ParentID, &r.URL, &r.Platform, &r.Kind, &r.Status, &r.Title, &r.Uploader,
			&r.ThumbnailURL, &r.DurationSeconds, &r.SourceURL, &r.PlaylistIndex, &r.SubscriptionID, &r.Percent, &r.DownloadedBytes, &r.TotalBytes,
			&r.SpeedBps, &r.ETASeconds, &r.FragmentIndex, &r.FragmentCount, &r.PostProcessor, &r.YtdlpVersion, &r.ErrorCode,
			&r.ErrorMessage, &r.Warnings, &opts, &r.Meta, &r.Node, &r.Attempts, &r.CreatedAt, &r.StartedAt, &r.FinishedAt,
			&r.UpdatedAt}
		if details {
			dest = append(dest, &r.ErrorDetails)
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		if len(opts) > 0 {
			if err := json.Unmarshal(opts, &r.Options); err != nil {
				return nil, fmt.Errorf("download %s options: %w", r.ID, err)
			}
		}
		out = append(out, r)
	}
	return out, rs.Err()
}
