package settings

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/downlink/downlink/api/internal/platforms"
	"github.com/downlink/downlink/api/internal/problem"
)

// Cookie is one line of a Netscape cookies.txt.
type Cookie struct {
	Domain  string
	Path    string
	Secure  bool
	Expires time.Time // zero: a session cookie
	Name    string
	Value   string
}

// maxCookiesBytes bounds an uploaded cookies file.
const maxCookiesBytes = 512 << 10

// ParseCookies validates a Netscape cookies.txt (the format yt-dlp reads)
// and returns its cookies; a bad line is a 422 naming it.
func ParseCookies(text string) ([]Cookie, error) {
	if len(text) > maxCookiesBytes {
		return nil, problem.Invalid("cookies", "the file is larger than 512 KiB")
	}
	var out []Cookie
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		n := i + 1
		raw := strings.TrimRight(line, "\r")
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if strings.HasPrefix(raw, "#") && !strings.HasPrefix(raw, "#HttpOnly_") {
			continue
		}
		raw = strings.TrimPrefix(raw, "#HttpOnly_")
		f := strings.Split(raw, "\t")
		if len(f) != 7 {
			return nil, cookieErr(n, fmt.Sprintf("expected 7 tab-separated fields, found %d (is this a Netscape cookies.txt?)", len(f)))
		}
		domain, sub, path, secure, exp, name := f[0], f[1], f[2], f[3], f[4], f[5]
		switch {
		case domain == "" || strings.ContainsAny(domain, " /"):
			return nil, cookieErr(n, "the domain is empty or malformed")
		case sub != "TRUE" && sub != "FALSE":
			return nil, cookieErr(n, "the second field must be TRUE or FALSE")
		case !strings.HasPrefix(path, "/"):
			return nil, cookieErr(n, "the path must start with /")
		case secure != "TRUE" && secure != "FALSE":
			return nil, cookieErr(n, "the fourth field (secure) must be TRUE or FALSE")
		case name == "":
			return nil, cookieErr(n, "the cookie has no name")
		}
		secs, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || secs < 0 {
			return nil, cookieErr(n, "the expiry must be a Unix time in seconds (0 for a session cookie)")
		}
		c := Cookie{Domain: strings.TrimPrefix(domain, "."), Path: path, Secure: secure == "TRUE", Name: name, Value: f[6]}
		if secs > 0 {
			c.Expires = time.Unix(secs, 0).UTC()
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, problem.Invalid("cookies", "the file holds no cookies")
	}
	return out, nil
}

func cookieErr(line int, msg string) error {
	return problem.Invalid("cookies", fmt.Sprintf("line %d: %s", line, msg))
}

// cookieStatus finds when the sign-in cookies expire and what to warn
// about: expired or expiring within a week, or no cookie for the platform.
func cookieStatus(platform string, cs []Cookie, now time.Time) (*time.Time, *string) {
	p, _ := platforms.Lookup(platform)
	names := map[string]bool{}
	for _, n := range p.SessionCookies {
		names[n] = true
	}
	var first *time.Time
	matched := false
	for _, c := range cs {
		if !c.Expires.IsZero() && (len(names) == 0 || names[c.Name]) {
			if first == nil || c.Expires.Before(*first) {
				t := c.Expires
				first = &t
			}
		}
		for _, d := range p.CookieDomains {
			if c.Domain == d || strings.HasSuffix(c.Domain, "."+d) {
				matched = true
			}
		}
	}
	if first == nil {
		// No known sign-in cookie: the earliest expiry of any cookie.
		for _, c := range cs {
			if !c.Expires.IsZero() && (first == nil || c.Expires.Before(*first)) {
				t := c.Expires
				first = &t
			}
		}
	}
	var warn *string
	switch {
	case len(p.CookieDomains) > 0 && !matched:
		w := "No cookie in the file is for " + strings.Join(p.CookieDomains, " or ") + "; it will not help with this platform."
		warn = &w
	case first != nil && !first.After(now):
		w := "The sign-in cookies expired on " + first.Format("2006-01-02") + "; export fresh cookies from a signed-in browser."
		warn = &w
	case first != nil && first.Sub(now) < 7*24*time.Hour:
		w := "The sign-in cookies expire on " + first.Format("2006-01-02 15:04 MST") + "; export fresh ones soon."
		warn = &w
	}
	return first, warn
}
