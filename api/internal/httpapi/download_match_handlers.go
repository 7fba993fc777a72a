package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

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

// maxLatest bounds options.latest (openapi.yaml DownloadOptions).
const maxLatest = 1000

// withLatest maps options.latest ("just the N newest items" of a channel
// or playlist, in the contract) onto playlist_items "1-N", which is what
// the engine and yt-dlp know: yt-dlp lists a channel's videos newest
// first, and a playlist in its own order. Other options pass unchanged.
func withLatest(raw json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return raw, nil // not an object: the service says what is wrong
	}
	latest, ok := m["latest"]
	if !ok {
		return raw, nil
	}
	delete(m, "latest")
	if string(latest) != "null" {
		var n int
		if err := json.Unmarshal(latest, &n); err != nil || n < 1 || n > maxLatest {
			return nil, problem.Invalid("options.latest", "must be a whole number from 1 to "+strconv.Itoa(maxLatest))
		}
		if items, ok := m["playlist_items"]; ok && string(items) != "null" {
			return nil, problem.Invalid("options.latest", "give latest or playlist_items, not both")
		}
		m["playlist_items"], _ = json.Marshal("1-" + strconv.Itoa(n))
	}
	return json.Marshal(m)
}
