package logs

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/paging"
	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/store"
	"github.com/downlink/downlink/api/internal/store/storetest"
)

// seed stores rows directly, one a minute back from now, newest first.
func seed(t *testing.T, svc *Service, rows ...row) []row {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range rows {
		rows[i].ID = store.NewID()
		if rows[i].LoggedAt.IsZero() {
			rows[i].LoggedAt = now.Add(-time.Duration(i) * time.Minute)
		}
		if rows[i].Attrs == "" {
			rows[i].Attrs = "{}"
		}
		if rows[i].Source == "" {
			rows[i].Source = "system"
		}
	}
	if err := svc.db.Create(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func ptr[T any](v T) *T { return &v }

func TestListFilters(t *testing.T) {
	st := storetest.New(t)
	svc := NewService(st.DB, Config{})
	alice, bob, dl := uuid.New(), uuid.New(), uuid.New()
	rows := seed(t, svc,
		row{Message: "request", Source: "http", Level: int(slog.LevelInfo), RequestID: ptr("req-a"), UserID: &alice,
			Attrs: `{"path":"/api/v1/downloads","status":201}`},
		row{Message: "login failed", Source: "audit", Audit: true, Level: int(slog.LevelWarn), Action: ptr("login failed"),
			Attrs: `{"email":"Bob@Example.com"}`},
		row{Message: "api key created", Source: "audit", Audit: true, Level: int(slog.LevelInfo), ActorID: &bob,
			Target: ptr(uuid.NewString()), RequestID: ptr("req-b")},
		row{Message: "download failed", Source: "downloads", Level: int(slog.LevelError), DownloadID: &dl,
			Attrs: `{"err":"HTTP Error 404: 100%_done"}`},
		row{Message: "yt-dlp said", Source: "ytdlp", Level: int(slog.LevelDebug), DownloadID: &dl},
	)
	at := func(i int) *time.Time { return ptr(rows[i].LoggedAt) }
	tests := []struct {
		name string
		f    Filter
		want []int // indexes into rows, newest first
	}{
		{"everything newest first", Filter{}, []int{0, 1, 2, 3, 4}},
		{"min level warn", Filter{MinLevel: ptr(slog.LevelWarn)}, []int{1, 3}},
		{"sources", Filter{Sources: []string{"http", "ytdlp"}}, []int{0, 4}},
		{"text in message, any case", Filter{Query: "LOGIN"}, []int{1}},
		{"text in attrs", Filter{Query: "bob@example"}, []int{1}},
		{"like wildcards are literal", Filter{Query: "100%_d"}, []int{3}},
		{"no match for a literal underscore", Filter{Query: "a_i"}, nil},
		{"from inclusive", Filter{From: at(1)}, []int{0, 1}},
		{"to exclusive", Filter{To: at(2)}, []int{3, 4}},
		{"download", Filter{DownloadID: &dl}, []int{3, 4}},
		{"user as subject or actor", Filter{UserID: &bob}, []int{2}},
		{"user as subject", Filter{UserID: &alice}, []int{0}},
		{"request", Filter{RequestID: "req-b"}, []int{2}},
		{"audit only", Filter{Audit: ptr(true)}, []int{1, 2}},
		{"no audit", Filter{Audit: ptr(false)}, []int{0, 3, 4}},
		{"combined", Filter{Audit: ptr(true), MinLevel: ptr(slog.LevelWarn)}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := svc.List(context.Background(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, e := range page.Items {
				got = append(got, slices.IndexFunc(rows, func(r row) bool { return r.ID == e.ID }))
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got rows %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListEntryShape(t *testing.T) {
	st := storetest.New(t)
	svc := NewService(st.DB, Config{})
	actor := uuid.New()
	seed(t, svc, row{Message: "api key created", Source: "audit", Audit: true, Level: int(slog.LevelInfo),
		ActorID: &actor, Action: ptr("api key created"), IP: ptr("127.0.0.1"), Attrs: `{"name":"ci"}`})
	page, err := svc.List(context.Background(), Filter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatal(err, page)
	}
	e := page.Items[0]
	if e.Level != "info" || e.Source != "audit" || !e.Audit || e.ActorID == nil || *e.ActorID != actor ||
		string(e.Attrs) != `{"name":"ci"}` || e.UserID != nil || e.Time.Location() != time.UTC {
		t.Fatalf("entry %+v", e)
	}
}

func TestListPagination(t *testing.T) {
	st := storetest.New(t)
	svc := NewService(st.DB, Config{})
	same := time.Now().UTC().Truncate(time.Microsecond)
	var rows []row
	for i := range 23 {
		r := row{Message: "m", Level: int(slog.LevelInfo)}
		if i%3 == 0 {
			r.LoggedAt = same // ties are broken by id
		}
		rows = append(rows, r)
	}
	seed(t, svc, rows...)
	var seen []uuid.UUID
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		page, err := svc.List(context.Background(), Filter{Limit: 5, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			seen = append(seen, e.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(seen) != 23 {
		t.Fatalf("saw %d records over the pages, want 23", len(seen))
	}
	all, err := svc.List(context.Background(), Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range all.Items {
		if seen[i] != e.ID {
			t.Fatalf("page order differs from one page at %d", i)
		}
		if i > 0 && e.Time.After(all.Items[i-1].Time) {
			t.Fatalf("not newest first at %d", i)
		}
	}
}

func TestListRefusesBadInput(t *testing.T) {
	svc := NewService(storetest.New(t).DB, Config{})
	tests := []struct {
		name string
		f    Filter
	}{
		{"unknown source", Filter{Sources: []string{"nope"}}},
		{"too many sources", Filter{Sources: []string{"http", "auth", "audit", "downloads", "ytdlp", "queue", "webhooks", "system", "events"}}},
		{"long query", Filter{Query: string(make([]byte, 201))}},
		{"long request id", Filter{RequestID: string(make([]byte, 65))}},
		{"empty range", Filter{From: ptr(time.Now()), To: ptr(time.Now().Add(-time.Hour))}},
		{"limit", Filter{Limit: 201}},
		{"foreign cursor", Filter{Cursor: paging.NewCursor("id", nil, "x").Encode()}},
		{"garbage cursor", Filter{Cursor: "!!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.List(context.Background(), tt.f)
			var p *problem.Problem
			if !errors.As(err, &p) || p.Status >= 500 || p.Status < 400 || p.Status == http.StatusNotFound {
				t.Fatalf("err %v, want a 4xx problem", err)
			}
		})
	}
}

func TestRetentionDeletesOldRowsOnly(t *testing.T) {
	st := storetest.New(t)
	days := 30
	svc := NewService(st.DB, Config{RetentionDays: func(context.Context) int { return days }})
	now := time.Now().UTC().Truncate(time.Microsecond)
	rows := seed(t, svc,
		row{Message: "today", LoggedAt: now},
		row{Message: "29 days", LoggedAt: now.AddDate(0, 0, -29)},
		row{Message: "31 days", LoggedAt: now.AddDate(0, 0, -31)},
		row{Message: "a year", LoggedAt: now.AddDate(-1, 0, 0)},
	)
	days = 0 // keep everything
	if n, err := svc.Prune(context.Background(), now); err != nil || n != 0 {
		t.Fatalf("retention 0 deleted %d (%v)", n, err)
	}
	days = 30
	n, err := svc.Prune(context.Background(), now)
	if err != nil || n != 2 {
		t.Fatalf("deleted %d (%v), want 2", n, err)
	}
	page, err := svc.List(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != rows[0].ID || page.Items[1].ID != rows[1].ID {
		t.Fatalf("left %+v", page.Items)
	}
	if got := NewService(st.DB, Config{}).cfg.RetentionDays(context.Background()); got != DefaultRetentionDays {
		t.Fatalf("default retention %d", got)
	}
}
