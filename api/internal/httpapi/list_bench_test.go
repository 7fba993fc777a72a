package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/users"
)

// BenchmarkListDownloads measures GET /api/v1/downloads?limit=50 (the
// dashboard's list) and GET /api/v1/downloads/{id} for a signed-in user
// with 5,000 finished downloads, through the real router and database.
//
//	go test -run '^$' -bench BenchmarkListDownloads -benchmem ./api/internal/httpapi
func BenchmarkListDownloads(b *testing.B) {
	env := apitest.New(b, apitest.WithConfig(func(c *config.Config) {
		c.LogLevel = "warn"
		c.Workers = 0
	}))
	ctx := context.Background()
	email, password := "list-"+uuid.NewString()[:8]+"@example.com", "correct horse battery staple"
	u, err := env.App.Users.CreateLocal(ctx, users.NewLocal{Email: email, Role: authz.RoleUser, Password: password})
	if err != nil {
		b.Fatal(err)
	}
	const rows = 5000
	var ids []uuid.UUID
	start := time.Now().UTC().Add(-rows * time.Second)
	for i := 0; i < rows; i += 500 {
		var chunk []map[string]any
		for j := i; j < i+500; j++ {
			id, _ := uuid.NewV7()
			ids = append(ids, id)
			t := start.Add(time.Duration(j) * time.Second)
			chunk = append(chunk, map[string]any{"id": id, "user_id": u.ID, "url": fmt.Sprintf("https://www.youtube.com/watch?v=b%07d", j),
				"platform": "youtube", "kind": "video", "status": "completed", "title": fmt.Sprintf("Video %d", j),
				"options": `{"preset":"best"}`, "percent": 100, "downloaded_bytes": 1 << 20, "attempts": 1,
				"playlist_index": 0, "created_at": t, "updated_at": t, "started_at": t, "finished_at": t})
		}
		if err := env.App.Store.DB.Table("downloads").Create(chunk).Error; err != nil {
			b.Fatal(err)
		}
	}
	// Statistics as autovacuum (Postgres) or a long-running server would
	// have them; right after a bulk insert the planner guesses badly.
	if err := env.App.Store.DB.Exec("ANALYZE downloads").Error; err != nil {
		b.Fatal(err)
	}
	login := env.Client().Post("/api/v1/auth/login", map[string]string{"email": email, "password": password})
	cookie := findSessionCookie(login)
	h := env.App.HTTP.Handler()
	for _, tc := range []struct{ name, path string }{
		{"list 50", "/api/v1/downloads?limit=50"},
		{"get one", "/api/v1/downloads/" + ids[rows/2].String()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, tc.path, nil)
				r.AddCookie(cookie)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
