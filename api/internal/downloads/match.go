package downloads

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/netguard"
	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
)

// ErrNotAwaitingMatch: only items in needs_match can be matched by hand.
var ErrNotAwaitingMatch = problem.New(http.StatusConflict, "Download not awaiting match").
	WithDetail("Only downloads in needs_match can be matched by hand.")

// MatchChoice is a person's pick of the source of a Spotify item: one of
// the listed candidates (by index) or a URL of their own.
type MatchChoice struct {
	CandidateIndex *int
	CandidateURL   string
}

// Match records the chosen source of an item waiting in needs_match
// (meta.match.chosen_url, manual) and queues it again with a new job, in
// one transaction: the platform handler downloads that source instead of
// searching. Any other status is ErrNotAwaitingMatch.
func (s *Service) Match(ctx context.Context, caller *authz.Principal, id uuid.UUID, choice MatchChoice) (Download, error) {
	r, err := s.load(ctx, s.db, caller, id, authz.Write)
	if err != nil {
		return Download{}, err
	}
	if r.Status != StatusNeedsMatch {
		return Download{}, ErrNotAwaitingMatch.WithDetail("This download is %s; only downloads in needs_match can be matched by hand.", r.Status)
	}
	meta := map[string]json.RawMessage{}
	if r.Meta != nil {
		_ = json.Unmarshal([]byte(*r.Meta), &meta)
	}
	var m Match
	if raw, ok := meta["match"]; ok {
		_ = json.Unmarshal(raw, &m)
	}
	var chosen string
	var score *float64
	switch {
	case choice.CandidateIndex != nil:
		i := *choice.CandidateIndex
		if len(m.Candidates) == 0 {
			return Download{}, problem.Invalid("candidate_index", "no candidates were found for this track; give candidate_url instead")
		}
		if i < 0 || i >= len(m.Candidates) {
			return Download{}, problem.Invalid("candidate_index", "must be between 0 and "+strconv.Itoa(len(m.Candidates)-1)+" (the index of one of match.candidates)")
		}
		chosen, score = m.Candidates[i].URL, ptr(m.Candidates[i].Score)
	default:
		if chosen, err = s.checkSourceURL(ctx, choice.CandidateURL); err != nil {
			return Download{}, err
		}
	}
	if m.Candidates == nil {
		m.Candidates = []MatchCandidate{}
	}
	m.ChosenURL, m.Manual, m.Score = &chosen, true, score
	meta["match"], _ = json.Marshal(m)
	metaJSON, _ := json.Marshal(meta)
	if err := s.checkDisk(ctx); err != nil {
		return Download{}, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fields := resetProgress()
		fields["meta"] = string(metaJSON)
		moved, err := s.transition(ctx, tx, move{ids: []uuid.UUID{id}, from: []Status{StatusNeedsMatch}, to: StatusQueued,
			fields: fields})
		if err != nil {
			return err
		}
		if moved == 0 {
			return ErrNotAwaitingMatch // matched or canceled meanwhile
		}
		return s.enqueueTx(ctx, tx, &r)
	})
	if err != nil {
		return Download{}, err
	}
	s.audit.InfoContext(ctx, "download matched", "action", "download.matched", "actor_id", caller.UserID, "target", "download:"+id.String(),
		"chosen_url", chosen, "candidate_index", choice.CandidateIndex)
	s.publishRow(ctx, id)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
	return s.Get(ctx, caller, id)
}

// checkSourceURL validates a URL given as a source the way submitted URLs
// are (syntax, generic sites switch, SSRF), naming candidate_url.
func (s *Service) checkSourceURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := netguard.ValidateURL(raw)
	if err != nil {
		return "", renameField(err, "url", "candidate_url")
	}
	if netguard.URLKind(u) != netguard.KindWeb {
		return "", problem.Invalid("candidate_url", "must be an http(s) URL of the audio (a YouTube or YouTube Music link), not a Spotify URI")
	}
	switch platforms.Detect(u).Platform {
	case platforms.Spotify:
		return "", problem.Invalid("candidate_url", "must be where the audio is (a YouTube or YouTube Music link), not a Spotify page")
	case platforms.Generic:
		if !s.policy.GenericEnabled(ctx) {
			return "", problem.Invalid("candidate_url", "is not a YouTube address, and downloads from other sites are switched off")
		}
	}
	if !s.policy.AllowPrivateNetworks(ctx) {
		if err := (netguard.Guard{}).CheckURL(ctx, u, s.resolver); err != nil {
			var be *netguard.BlockedError
			if errors.As(err, &be) {
				return "", problem.Invalid("candidate_url", "points at a "+string(be.Reason)+" address, which downloads may not reach").
					WithFix(netguard.FixAllowPrivate)
			}
			return "", err
		}
	}
	return raw, nil
}

// renameField renames a field of a validation problem.
func renameField(err error, from, to string) error {
	var p *problem.Problem
	if !errors.As(err, &p) {
		return err
	}
	c := *p
	c.Errors = nil
	for _, fe := range p.Errors {
		if fe.Field == from {
			fe.Field = to
		}
		c.Errors = append(c.Errors, fe)
	}
	return &c
}

// needsMatch parks a Spotify item until a person picks a source.
func (s *Service) needsMatch(ctx context.Context, r *row, jobID int64, nm *NeedsMatch) error {
	moved, err := s.moveOne(ctx, r.ID, jobID, StatusNeedsMatch, map[string]any{"meta": string(nm.Meta),
		"error_code": "no_confident_match", "error_message": nm.Message, "warnings": warningsColumn(nm.Warnings)})
	if err != nil {
		return err
	}
	if !moved {
		return errLostOwnership
	}
	s.publishRow(ctx, r.ID)
	if r.ParentID != nil {
		s.refreshParent(ctx, *r.ParentID)
	}
	return nil
}
