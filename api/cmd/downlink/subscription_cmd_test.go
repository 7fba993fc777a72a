package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/users"
)

// TestSubscriptionCommand: a console user adds a subscription for an
// account, sees it in the list (and not in another account's), queues a
// check, removes it; bad input says what is wrong and changes nothing.
func TestSubscriptionCommand(t *testing.T) {
	_, dbFlags := cliDatabase(t)
	st := openTestStore(t)
	ctx := context.Background()
	newUser := func() users.User {
		u, err := users.New(st.DB).CreateLocal(ctx, users.NewLocal{
			Email: "cli-" + uuid.NewString()[:8] + "@example.com", Role: authz.RoleUser, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	owner, other := newUser(), newUser()
	// A podcast feed on this machine (generic sites on, private
	// addresses allowed, as a home lab runs it).
	t.Setenv("DOWNLINK_GENERIC_SITES", "true")
	t.Setenv("DOWNLINK_ALLOW_PRIVATE_NETWORKS", "true")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Test channel</title></channel></rss>`)
	}))
	t.Cleanup(feed.Close)
	channel := feed.URL + "/feed.xml"

	code, out, errOut := cli(t, append([]string{"subscription", "add", "--user", owner.Email, "--url", channel,
		"--name", "Test channel", "--every", "12", "--backfill", "last:3"}, dbFlags...)...)
	if code != 0 {
		t.Fatalf("add: exit %d\n%s\n%s", code, out, errOut)
	}
	m := cliIDRE.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "generic") || !strings.Contains(out, "the last 3 items") || !strings.Contains(out, "12h") {
		t.Fatalf("add printed:\n%s", out)
	}
	id := m[1]

	code, out, errOut = cli(t, "subscription", "list")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, owner.Email) || !strings.Contains(out, "Test channel") ||
		!strings.Contains(out, "never") {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, out, _ = cli(t, "subscription", "list", "--user", other.Email); strings.Contains(out, id) {
		t.Errorf("another user's list shows it:\n%s", out)
	}

	code, out, errOut = cli(t, "subscription", "check", "--id", id)
	if code != 0 || !strings.Contains(out, "Queued a check of "+id) {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, errOut)
	}
	var queued int64
	st.DB.Raw("SELECT COUNT(*) FROM river_job WHERE kind = 'subscription_check'").Scan(&queued)
	if queued < 1 {
		t.Errorf("no check job queued")
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{"add", "--user", owner.Email}, "required"},
		{"unknown user", []string{"add", "--user", "nobody@example.com", "--url", channel}, "no user"},
		{"bad backfill", []string{"add", "--user", owner.Email, "--url", channel, "--backfill", "some"}, "backfill.mode"},
		{"bad interval", []string{"add", "--user", owner.Email, "--url", channel, "--every", "9999"}, "interval_hours"},
		{"bad id", []string{"rm", "--id", "nope"}, "UUID"},
		{"unknown id", []string{"check", "--id", uuid.NewString()}, "not found"},
	} {
		code, out, errOut := cli(t, append([]string{"subscription"}, tc.args...)...)
		if code == 0 || !strings.Contains(strings.ToLower(errOut), strings.ToLower(tc.want)) {
			t.Errorf("%s: exit %d, stderr %q (want %q)\n%s", tc.name, code, errOut, tc.want, out)
		}
	}

	code, out, errOut = cli(t, "subscription", "rm", "--id", id)
	if code != 0 || !strings.Contains(out, "Removed subscription "+id) {
		t.Fatalf("rm: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, out, _ = cli(t, "subscription", "list"); strings.Contains(out, id) {
		t.Errorf("removed, still listed:\n%s", out)
	}
	var n int64
	st.DB.Raw("SELECT COUNT(*) FROM subscriptions").Scan(&n)
	if n != 0 {
		t.Errorf("%d subscriptions left after rm and refused adds", n)
	}
}
