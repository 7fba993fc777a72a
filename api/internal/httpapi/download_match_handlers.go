package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/downlink/downlink/api/internal/downloads"
	"github.com/downlink/downlink/api/internal/problem"
)

// matchRequest is openapi.yaml's MatchRequest: one of the two.
type matchRequest struct {
	CandidateIndex *int    `json:"candidate_index" validate:"omitempty,min=0"`
	CandidateURL   *string `json:"candidate_url" validate:"omitempty,min=1,max=4096"`
}

// matchDownload is POST /downloads/{id}/match: a person picks the source
// of a Spotify track waiting in needs_match.
func (s *Server) matchDownload(c echo.Context) error {
	id, err := pathUUID(c, "id", downloads.ErrNotFound)
	if err != nil {
		return err
	}
	var req matchRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	var choice downloads.MatchChoice
	switch {
	case req.CandidateIndex != nil && req.CandidateURL != nil:
		return problem.Invalid("candidate_url", "give candidate_index or candidate_url, not both")
	case req.CandidateIndex != nil:
		choice.CandidateIndex = req.CandidateIndex
	case req.CandidateURL != nil:
		choice.CandidateURL = *req.CandidateURL
	default:
		return problem.Invalid("candidate_index", "give candidate_index (one of match.candidates) or candidate_url")
	}
	d, err := s.deps.Downloads.Match(c.Request().Context(), principal(c), id, choice)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, d)
}
