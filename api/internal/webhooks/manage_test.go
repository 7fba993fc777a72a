package webhooks_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/webhooks"
)

func ptr[T any](v T) *T { return &v }

// fieldOf returns the status and first field error of a problem.
func fieldOf(t *testing.T, err error) (int, string) {
	t.Helper()
	var p *problem.Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not a problem", err)
	}
	field := ""
	if len(p.Errors) > 0 {
		field = p.Errors[0].Field
	}
	return p.Status, field
}

func TestCreateRefusesBadWebhooks(t *testing.T) {
	e := newEnv(t, envOptions{})
	all := webhooks.Subscribable
	cases := []struct {
		name  string
		spec  webhooks.Spec
		field string
	}{
		{"no url", webhooks.Spec{Events: all}, "url"},
		{"no events", webhooks.Spec{URL: ptr("https://hooks.example.com/x")}, "events"},
		{"empty events", webhooks.Spec{URL: ptr("https://hooks.example.com/x"), Events: []webhooks.Event{}}, "events"},
		{"unknown event", webhooks.Spec{URL: ptr("https://hooks.example.com/x"), Events: []webhooks.Event{"download.deleted"}}, "events"},
		{"test event", webhooks.Spec{URL: ptr("https://hooks.example.com/x"), Events: []webhooks.Event{webhooks.EventTest}}, "events"},
		{"twice", webhooks.Spec{URL: ptr("https://hooks.example.com/x"), Events: []webhooks.Event{webhooks.EventFailed, webhooks.EventFailed}}, "events"},
		{"platform", webhooks.Spec{URL: ptr("https://hooks.example.com/x"), Events: all, Filter: &webhooks.Filter{Platform: ptr("vimeo")}}, "filter.platform"},
		{"description", webhooks.Spec{URL: ptr("https://hooks.example.com/x"), Events: all, Description: ptr(strings.Repeat("é", 501))}, "description"},
		{"ftp", webhooks.Spec{URL: ptr("ftp://hooks.example.com/x"), Events: all}, "url"},
		{"relative", webhooks.Spec{URL: ptr("/hooks"), Events: all}, "url"},
		{"opaque", webhooks.Spec{URL: ptr("https:hooks.example.com"), Events: all}, "url"},
		{"credentials", webhooks.Spec{URL: ptr("https://user:pw@hooks.example.com/x"), Events: all}, "url"},
		{"too long", webhooks.Spec{URL: ptr("https://hooks.example.com/" + strings.Repeat("a", 2048)), Events: all}, "url"},
		{"loopback", webhooks.Spec{URL: ptr("http://127.0.0.1:8080/hook"), Events: all}, "url"},
		{"localhost", webhooks.Spec{URL: ptr("http://localhost/hook"), Events: all}, "url"},
		{"private", webhooks.Spec{URL: ptr("https://10.1.2.3/hook"), Events: all}, "url"},
		{"mapped loopback", webhooks.Spec{URL: ptr("http://[::ffff:127.0.0.1]/hook"), Events: all}, "url"},
		{"decimal loopback", webhooks.Spec{URL: ptr("http://2130706433/hook"), Events: all}, "url"},
		{"metadata", webhooks.Spec{URL: ptr("http://169.254.169.254/latest/meta-data"), Events: all}, "url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Create(context.Background(), e.admin, c.spec)
			if err == nil {
				t.Fatal("accepted")
			}
			status, field := fieldOf(t, err)
			if status != http.StatusUnprocessableEntity || field != c.field {
				t.Fatalf("got %d on %q, want 422 on %q (%v)", status, field, c.field, err)
			}
		})
	}
	t.Run("metadata stays refused when private networks are allowed", func(t *testing.T) {
		e.allow.Store(true)
		defer e.allow.Store(false)
		_, err := e.svc.Create(context.Background(), e.admin, webhooks.Spec{URL: ptr("http://169.254.169.254/x"), Events: all})
		if status, field := fieldOf(t, err); status != 422 || field != "url" {
			t.Fatalf("got %d on %q", status, field)
		}
		if _, err := e.svc.Create(context.Background(), e.admin, webhooks.Spec{URL: ptr("http://127.0.0.1:9/x"), Events: all}); err != nil {
			t.Fatalf("loopback with private networks allowed: %v", err)
		}
	})
	t.Run("a public name passes", func(t *testing.T) {
		c, err := e.svc.Create(context.Background(), e.admin, webhooks.Spec{URL: ptr("https://hooks.example.com/x"), Events: all})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Enabled || c.Description != "" || len(c.Events) != len(webhooks.Subscribable) || c.LastDelivery != nil {
			t.Fatalf("created = %+v", c)
		}
	})
}

func TestSecretsAreSealedAndShownOnce(t *testing.T) {
	e := newEnv(t, envOptions{})
	c, err := e.svc.Create(context.Background(), e.admin, webhooks.Spec{URL: ptr("https://hooks.example.com/x"),
		Events: []webhooks.Event{webhooks.EventCompleted}, Description: ptr("media server")})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^whsec_[A-Za-z0-9+/]+={0,2}$`).MatchString(c.Secret) {
		t.Fatalf("secret %q has the wrong form", c.Secret)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(c.Secret, "whsec_"))
	if err != nil || len(raw) != 32 {
		t.Fatalf("secret decodes to %d bytes (%v), want 32", len(raw), err)
	}
	// Nothing in the database holds the secret, in any spelling.
	var rows []map[string]any
	if err := e.st.DB.Raw("SELECT * FROM webhooks").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	dump, _ := json.Marshal(rows)
	b64 := strings.TrimPrefix(c.Secret, "whsec_")
	for _, s := range []string{b64, strings.TrimRight(b64, "="), base64.RawURLEncoding.EncodeToString(raw), "whsec_"} {
		if strings.Contains(string(dump), s) {
			t.Fatalf("the webhooks table holds %q: %s", s, dump)
		}
	}
	// Nothing read back carries it.
	got, err := e.svc.Get(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.List(context.Background(), webhooks.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	upd, err := e.svc.Update(context.Background(), c.ID, webhooks.Spec{Description: ptr("renamed")})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{got, list, upd} {
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), "secret") || strings.Contains(string(b), b64) {
			t.Fatalf("read back with its secret: %s", b)
		}
	}
}

func TestUpdateChangesOnlyWhatItIsGiven(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	user := uuid.New()
	c, err := e.svc.Create(context.Background(), e.admin, webhooks.Spec{URL: ptr("https://hooks.example.com/x"),
		Events: []webhooks.Event{webhooks.EventCompleted}, Description: ptr("one"),
		Filter: &webhooks.Filter{UserID: &user, Platform: ptr("youtube")}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	u, err := e.svc.Update(context.Background(), c.ID, webhooks.Spec{Events: []webhooks.Event{webhooks.EventFailed, webhooks.EventCanceled}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Description != "one" || u.URL != c.URL || *u.Filter.UserID != user || *u.Filter.Platform != "youtube" ||
		len(u.Events) != 2 || u.Events[0] != webhooks.EventFailed || !u.UpdatedAt.After(c.UpdatedAt) || !u.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("updated = %+v", u)
	}
	u, err = e.svc.Update(context.Background(), c.ID, webhooks.Spec{Filter: &webhooks.Filter{}})
	if err != nil || u.Filter.UserID != nil || u.Filter.Platform != nil {
		t.Fatalf("cleared filter = %+v, %v", u.Filter, err)
	}
	e.allow.Store(false)
	_, err = e.svc.Update(context.Background(), c.ID, webhooks.Spec{URL: ptr("http://192.168.1.10/hook")})
	if status, field := fieldOf(t, err); status != 422 || field != "url" {
		t.Fatalf("private URL on update: %d on %q", status, field)
	}
	if _, err := e.svc.Update(context.Background(), uuid.New(), webhooks.Spec{Description: ptr("x")}); !errors.Is(err, webhooks.ErrNotFound) {
		t.Fatalf("update of an unknown webhook: %v", err)
	}
	if _, err := e.svc.Delete(context.Background(), uuid.New()); !errors.Is(err, webhooks.ErrNotFound) {
		t.Fatalf("delete of an unknown webhook: %v", err)
	}
}

func TestListPagesNewestFirst(t *testing.T) {
	e := newEnv(t, envOptions{})
	var ids []uuid.UUID
	for range 3 {
		ids = append(ids, e.create("https://hooks.example.com/x").ID)
	}
	p1, err := e.svc.List(context.Background(), webhooks.ListParams{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Items) != 2 || p1.Items[0].ID != ids[2] || p1.Items[1].ID != ids[1] || p1.NextCursor == nil {
		t.Fatalf("page 1 = %+v", p1)
	}
	p2, err := e.svc.List(context.Background(), webhooks.ListParams{Limit: 2, Cursor: *p1.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Items) != 1 || p2.Items[0].ID != ids[0] || p2.NextCursor != nil {
		t.Fatalf("page 2 = %+v", p2)
	}
	if _, err := e.svc.List(context.Background(), webhooks.ListParams{Cursor: "bogus"}); err == nil {
		t.Fatal("a bogus cursor was accepted")
	}
}

func TestPruneForgetsOldSettledDeliveries(t *testing.T) {
	e := newEnv(t, envOptions{allowPrivate: true})
	rc := newReceiver(t, 204)
	hook := e.create(rc.URL)
	for range 2 {
		if _, err := e.svc.SendTest(context.Background(), hook.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.waitSettled(hook.ID, 2)
	if n, err := e.svc.Prune(context.Background(), time.Now()); err != nil || n != 0 {
		t.Fatalf("prune now removed %d (%v), want 0", n, err)
	}
	if n, err := e.svc.Prune(context.Background(), time.Now().Add(31*24*time.Hour)); err != nil || n != 2 {
		t.Fatalf("prune in 31 days removed %d (%v), want 2", n, err)
	}
}
