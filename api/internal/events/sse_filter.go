package events

import (
	"net/http"
	"strings"

	"github.com/downlink/downlink/api/internal/problem"
)

// maxFilterTypes bounds ?types=; a client needs a handful.
const maxFilterTypes = 32

// Errors returned by ParseFilter.
var (
	// ErrScopeForbidden: a non-admin asked for ?scope=all.
	ErrScopeForbidden = problem.New(http.StatusForbidden, "Only admins can see all events")
	// ErrBadFilter: ?scope= or ?types= is malformed.
	ErrBadFilter = problem.New(http.StatusBadRequest, "Invalid event filter")
)

// ParseFilter builds a client's Filter from its request and identity:
//
//	?scope=own   (default) events owned by userID
//	?scope=all   every event; admins only, else ErrScopeForbidden
//	?types=a,b   only these types; "download.*" matches a prefix;
//	             may be repeated (?types=a&types=b)
func ParseFilter(r *http.Request, userID string, isAdmin bool) (Filter, error) {
	q := r.URL.Query()
	f := Filter{UserID: userID}
	switch scope := q.Get("scope"); scope {
	case "", "own":
	case "all":
		if !isAdmin {
			return Filter{}, ErrScopeForbidden
		}
		f.All = true
	default:
		return Filter{}, ErrBadFilter.WithField("scope", `must be "own" or "all"`)
	}

	seen := map[string]bool{}
	for _, v := range q["types"] {
		for t := range strings.SplitSeq(v, ",") {
			t = strings.TrimSpace(t)
			if t == "" || seen[t] {
				continue
			}
			if err := validType(strings.TrimSuffix(t, ".*")); err != nil {
				return Filter{}, ErrBadFilter.WithField("types", "invalid event type "+quoteShort(t))
			}
			seen[t] = true
			f.Types = append(f.Types, t)
		}
	}
	if len(f.Types) > maxFilterTypes {
		return Filter{}, ErrBadFilter.WithField("types", "too many event types")
	}
	return f, nil
}

// quoteShort quotes a client-supplied value for an error message, cut to a
// length that keeps the message readable.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "") + `"`
}
