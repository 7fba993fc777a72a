package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// githubOrgPages bounds how many pages of organisations are read (100
// each): nobody belongs to a thousand.
const githubOrgPages = 10

// inOrgs reports whether the GitHub user whose access token this is
// belongs to one of the allowed organisations, from GitHub's
// `GET /user/orgs` (with the read:org scope it lists private memberships
// too). GitHub not answering is an error: the sign-up is refused, not
// waved through.
func (e *providerEntry) inOrgs(ctx context.Context, token string, log *slog.Logger) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for page := 1; page <= githubOrgPages; page++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/user/orgs?per_page=100&page=%d", e.apiURL, page), nil)
		if err != nil {
			return false, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, ErrProviderDown.WithCause(err)
		}
		var orgs []struct {
			Login string `json:"login"`
		}
		err = json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 4<<20)).Decode(&orgs)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			log.Warn("GitHub organisations not readable", "status", resp.StatusCode, "err", err)
			return false, ErrProviderDown.WithCause(fmt.Errorf("GET /user/orgs: status %d", resp.StatusCode))
		}
		for _, o := range orgs {
			if slices.Contains(e.orgs, strings.ToLower(o.Login)) {
				return true, nil
			}
		}
		if len(orgs) < 100 {
			return false, nil
		}
	}
	return false, nil
}
