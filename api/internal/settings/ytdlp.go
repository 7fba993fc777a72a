package settings

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// ytdlpKey holds the "yt-dlp updates" setting.
const ytdlpKey = "ytdlp_updates"

// YtdlpPolicy is how Downlink keeps its yt-dlp current (mode and channel);
// managed.DefaultPolicy until an admin changes it.
func (s *Service) YtdlpPolicy(ctx context.Context) managed.Policy {
	p := managed.DefaultPolicy
	if r, ok := s.snapshot(ctx)[ytdlpKey]; ok {
		if err := json.Unmarshal([]byte(r.Value), &p); err != nil || p.Validate() != nil {
			s.log.Error("stored yt-dlp update setting does not decode; using the default", "err", err)
			p = managed.DefaultPolicy
		}
	}
	return p
}

// UpdateYtdlpPolicy replaces the "yt-dlp updates" setting.
func (s *Service) UpdateYtdlpPolicy(ctx context.Context, actor uuid.UUID, p managed.Policy) (managed.Policy, error) {
	if err := p.Validate(); err != nil {
		return managed.Policy{}, err
	}
	before := s.YtdlpPolicy(ctx)
	if err := s.save(ctx, actor, ytdlpKey, p); err != nil {
		return managed.Policy{}, err
	}
	s.audit.InfoContext(ctx, "yt-dlp update setting changed", "action", "settings.updated", "actor_id", actor,
		"target", "settings:"+ytdlpKey, "changes", diff(before, p))
	return s.YtdlpPolicy(ctx), nil
}
