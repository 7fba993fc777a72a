package downloads

import (
	"context"

	"github.com/downlink/downlink/api/internal/ytdlp"
)

// FailureExplainer is an optional PlatformHandler extension: it rewords a
// failure for its platform (say which platform's cookies to set when a
// login is required), typically by returning a Failure. It returns nil to
// keep the failure as it is.
type FailureExplainer interface {
	ExplainFailure(err error) error
}

// explain lets the platform's handler reword a failure.
func (s *Service) explain(platform string, err error) error {
	if fe, ok := s.Platforms[platform].(FailureExplainer); ok {
		if e := fe.ExplainFailure(err); e != nil {
			return e
		}
	}
	return err
}

// ListEntries lists url as a playlist with the item's platform settings
// (egress lease, cookies, limits) and its playlist_items selection, for a
// handler whose Expand lists another address than the item's own (a
// YouTube channel's videos tab rather than its tabs).
func (s *Service) ListEntries(ctx context.Context, it Item, url string) (*ytdlp.Playlist, error) {
	r := &row{ID: it.ID, Platform: it.Platform}
	settings, cleanup, err := s.settingsFor(ctx, r, s.jobDir(it.ID))
	defer func() { cleanup(); s.removeJobDir(it.ID) }()
	if err != nil {
		return nil, err
	}
	return s.runner.ListPlaylist(ctx, url, it.Options.PlaylistItems, settings)
}
