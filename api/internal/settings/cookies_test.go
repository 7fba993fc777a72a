package settings

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseCookies(t *testing.T) {
	future := time.Now().Add(90 * 24 * time.Hour).Unix()
	good := "# Netscape HTTP Cookie File\n" +
		".youtube.com\tTRUE\t/\tTRUE\t" + strconv.Itoa(int(future)) + "\tSID\tabc\n" +
		"#HttpOnly_.youtube.com\tTRUE\t/\tTRUE\t0\tPREF\tx\n"
	tests := []struct {
		name    string
		text    string
		wantErr string
		count   int
	}{
		{"valid with HttpOnly line", good, "", 2},
		{"CRLF line ends", strings.ReplaceAll(good, "\n", "\r\n"), "", 2},
		{"spaces instead of tabs", ".youtube.com TRUE / TRUE 0 SID abc\n", "line 1: expected 7 tab-separated fields", 0},
		{"bad flag", "# c\n.youtube.com\tYES\t/\tTRUE\t0\tSID\tabc\n", "line 2: the second field must be TRUE or FALSE", 0},
		{"bad path", ".youtube.com\tTRUE\tx\tTRUE\t0\tSID\tabc\n", "line 1: the path must start with /", 0},
		{"bad expiry", ".youtube.com\tTRUE\t/\tTRUE\tsoon\tSID\tabc\n", "line 1: the expiry must be a Unix time", 0},
		{"no name", ".youtube.com\tTRUE\t/\tTRUE\t0\t\tabc\n", "line 1: the cookie has no name", 0},
		{"only comments", "# nothing\n\n", "the file holds no cookies", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := ParseCookies(tt.text)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "cookies") {
					t.Fatalf("error %v does not name the cookies field", err)
				}
				return
			}
			if err != nil || len(cs) != tt.count {
				t.Fatalf("got %d cookies, %v", len(cs), err)
			}
		})
	}
}

func TestCookieStatus(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mk := func(domain, name string, exp time.Time) Cookie {
		return Cookie{Domain: domain, Name: name, Path: "/", Expires: exp}
	}
	tests := []struct {
		name     string
		platform string
		cookies  []Cookie
		expires  *time.Time
		warn     string
	}{
		{"fresh sign-in cookie", "youtube", []Cookie{mk("youtube.com", "SID", now.AddDate(0, 3, 0)), mk("youtube.com", "PREF", now.AddDate(0, 0, 2))},
			ptrTime(now.AddDate(0, 3, 0)), ""},
		{"expires in three days", "instagram", []Cookie{mk("instagram.com", "sessionid", now.AddDate(0, 0, 3))},
			ptrTime(now.AddDate(0, 0, 3)), "expire on"},
		{"expired", "youtube", []Cookie{mk("youtube.com", "SID", now.AddDate(0, 0, -1))}, ptrTime(now.AddDate(0, 0, -1)), "expired"},
		{"wrong site", "instagram", []Cookie{mk("youtube.com", "SID", now.AddDate(1, 0, 0))}, nil, "No cookie in the file is for instagram.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, warn := cookieStatus(tt.platform, tt.cookies, now)
			if (exp == nil) != (tt.expires == nil) || exp != nil && !exp.Equal(*tt.expires) {
				if tt.expires != nil || tt.warn == "" {
					t.Fatalf("expires = %v, want %v", exp, tt.expires)
				}
			}
			if tt.warn == "" && warn != nil || tt.warn != "" && (warn == nil || !strings.Contains(*warn, tt.warn)) {
				t.Fatalf("warning = %v, want %q", warn, tt.warn)
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestGlobalValidate(t *testing.T) {
	ok := Global{DefaultConcurrency: 3, LogRetentionDays: 30, SessionIdleTimeoutSeconds: 3600, SessionAbsoluteTimeoutSeconds: 7200}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid settings refused: %v", err)
	}
	bad := ok
	bad.DefaultConcurrency = 65
	bad.SessionIdleTimeoutSeconds = 9000
	days := 0
	bad.RetentionDays = &days
	err := bad.Validate()
	for _, f := range []string{"default_concurrency", "session_idle_timeout_seconds", "retention_days"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("error %v does not name %s", err, f)
		}
	}
}
