package events

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/downlink/downlink/api/internal/clip"
	"github.com/downlink/downlink/api/internal/problem"
)

// Subscribable are the types a client may ask for in ?types=: the types
// published to clients and their family prefixes.
var Subscribable = []string{
	TypeDownloadCreated, TypeDownloadUpdated, TypeDownloadProgress, TypeDownloadDeleted,
	TypeFileCreated, TypeFileDeleted, TypeLogAppended, TypeYtdlpUpdated,
	TypeSubscriptionUpdated, TypeSubscriptionChecked, TypeSubscriptionDeleted,
	"download.*", "file.*", "log.*", "subscription.*", "ytdlp.*",
}

// Errors returned by ParseFilter.
var (
	// ErrScopeForbidden: a caller who may not see everyone's events asked
	// for ?scope=all.
	ErrScopeForbidden = problem.New(http.StatusForbidden, "Only admins can see all events")
	// ErrBadFilter: ?scope= or ?types= is malformed.
	ErrBadFilter = problem.New(http.StatusBadRequest, "Invalid event filter")
)

// ParseFilter builds a client's Filter from its query and identity:
//
//	?scope=own   (default) events owned by userID
//	?scope=all   every event; only when mayAll, else ErrScopeForbidden
//	?types=a,b   only these types (Subscribable); "download.*" matches a
//	             family; may be repeated (?types=a&types=b)
func ParseFilter(q url.Values, userID string, mayAll bool) (Filter, error) {
	f := Filter{UserID: userID}
	switch scope := q.Get("scope"); scope {
	case "", "own":
	case "all":
		if !mayAll {
			return Filter{}, ErrScopeForbidden
		}
		f.All = true
	default:
		return Filter{}, ErrBadFilter.WithField("scope", `must be "own" or "all"`)
	}
	for _, v := range q["types"] {
		for t := range strings.SplitSeq(v, ",") {
			t = strings.TrimSpace(t)
			if t == "" || slices.Contains(f.Types, t) {
				continue
			}
			if !slices.Contains(Subscribable, t) {
				return Filter{}, ErrBadFilter.WithField("types", `unknown event type "`+clip.String(strings.ToValidUTF8(t, ""), 40)+`"`)
			}
			f.Types = append(f.Types, t)
		}
	}
	return f, nil
}
