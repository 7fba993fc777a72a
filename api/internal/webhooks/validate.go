package webhooks

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
)

// check validates what sp sets; the URL last, as it may resolve a name.
func (s *Service) check(ctx context.Context, sp Spec) error {
	if sp.Description != nil && utf8.RuneCountInString(*sp.Description) > MaxDescriptionLength {
		return problem.Invalid("description", fmt.Sprintf("must be at most %d characters", MaxDescriptionLength))
	}
	if sp.Events != nil {
		if err := checkEvents(sp.Events); err != nil {
			return err
		}
	}
	if sp.Filter != nil && sp.Filter.Platform != nil && !platforms.Known(*sp.Filter.Platform) {
		return problem.Invalid("filter.platform", "must be "+strings.Join(platforms.Names(), ", ")+" or null")
	}
	if sp.URL != nil {
		return s.CheckURL(ctx, *sp.URL)
	}
	return nil
}

func checkEvents(es []Event) error {
	if len(es) == 0 {
		return problem.Invalid("events", "must name at least one event")
	}
	seen := map[Event]bool{}
	for _, e := range es {
		ok := false
		for _, x := range Subscribable {
			ok = ok || e == x
		}
		if !ok {
			return problem.Invalid("events", fmt.Sprintf("%q is not an event a webhook can subscribe to", e))
		}
		if seen[e] {
			return problem.Invalid("events", fmt.Sprintf("%q is listed twice", e))
		}
		seen[e] = true
	}
	return nil
}

// CheckURL accepts an absolute http(s) URL without credentials whose host
// passes the SSRF guard now; errors are 422 problems naming "url" (or a
// 503 when DNS cannot answer). Deliveries check every connection again.
func (s *Service) CheckURL(ctx context.Context, raw string) error {
	if raw == "" {
		return problem.Invalid("url", "is required")
	}
	if len(raw) > MaxURLLength {
		return problem.Invalid("url", fmt.Sprintf("must be at most %d characters", MaxURLLength))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return problem.Invalid("url", "is not a valid URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return problem.Invalid("url", "must be an http or https URL")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return problem.Invalid("url", "must be an absolute URL with a host")
	case u.User != nil:
		// It would be shown to every admin and written in logs; put a
		// token in the path or query instead.
		return problem.Invalid("url", "must not contain a user name or password")
	}
	return s.guard(ctx).CheckURL(ctx, u, s.resolver)
}
