package events

import "strings"

// Filter says which events a subscriber receives.
//
// The zero Filter receives nothing (except TypeResync): a subscriber must
// name a user or ask for all events, so a forgotten field fails closed.
type Filter struct {
	// UserID receives the events owned by this user. Events without an
	// owner (UserID "") are for admins and reach only All subscribers.
	UserID string
	// All receives every event, whatever its owner (admins, system
	// consumers such as webhook delivery). UserID is then ignored.
	All bool
	// Types limits the event types; empty means every type. An entry
	// ending in ".*" matches a prefix: "download.*" matches
	// "download.progress".
	Types []string
}

// matcher is a Filter compiled once at Subscribe time, so Publish does no
// allocation or string splitting per subscriber.
type matcher struct {
	userID   string
	all      bool
	exact    map[string]struct{}
	prefixes []string
}

func compileFilter(f Filter) matcher {
	m := matcher{userID: f.UserID, all: f.All}
	for _, t := range f.Types {
		if p, ok := strings.CutSuffix(t, "*"); ok {
			m.prefixes = append(m.prefixes, p)
			continue
		}
		if m.exact == nil {
			m.exact = make(map[string]struct{}, len(f.Types))
		}
		m.exact[t] = struct{}{}
	}
	return m
}

// owner reports whether the subscriber may see an event owned by userID.
func (m *matcher) owner(userID string) bool {
	return m.all || (userID != "" && userID == m.userID)
}

// wantsType reports whether the subscriber asked for this event type.
func (m *matcher) wantsType(t string) bool {
	if m.exact == nil && m.prefixes == nil {
		return true
	}
	if _, ok := m.exact[t]; ok {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// Match reports whether f lets e through. TypeResync always passes.
func (f Filter) Match(e Event) bool {
	if e.Type == TypeResync {
		return true
	}
	m := compileFilter(f)
	return m.owner(e.UserID) && m.wantsType(e.Type)
}
