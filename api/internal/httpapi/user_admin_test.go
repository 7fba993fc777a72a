package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

func TestAdminUserManagement(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	a := newAccount(t, env, authz.RoleUser)
	laptop, _ := signIn(t, env, a)
	phone, _ := signIn(t, env, a)

	var page struct {
		Items []struct {
			ID    uuid.UUID `json:"id"`
			Email string    `json:"email"`
			Role  string    `json:"role"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	lists := []struct {
		query string
		want  int
	}{
		{"", 2},
		{"?role=admin", 1},
		{"?role=user&disabled=false", 1},
		{"?q=" + a.Email[:6], 1},
		{"?limit=1", 1},
	}
	for _, tt := range lists {
		t.Run("list "+tt.query, func(t *testing.T) {
			if err := jsonInto(expectStatus(t, admin.Get("/api/v1/users"+tt.query), http.StatusOK), &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != tt.want {
				t.Fatalf("%d users, want %d", len(page.Items), tt.want)
			}
		})
	}
	expectProblem(t, admin.Get("/api/v1/users?role=root"), http.StatusBadRequest)
	// Pages follow each other without overlap.
	if err := jsonInto(expectStatus(t, admin.Get("/api/v1/users?limit=1"), http.StatusOK), &page); err != nil || page.NextCursor == nil {
		t.Fatalf("first page: %v, next %v", err, page.NextCursor)
	}
	first := page.Items[0].ID
	if err := jsonInto(expectStatus(t, admin.Get("/api/v1/users?limit=1&cursor="+*page.NextCursor), http.StatusOK), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID == first || page.NextCursor != nil {
		t.Fatalf("second page %+v", page)
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=ten", "cursor=not-a-cursor"} {
		expectProblem(t, admin.Get("/api/v1/users?"+q), http.StatusBadRequest)
	}

	changes := []struct {
		name   string
		id     string
		body   any
		status int
	}{
		{"unknown user", uuid.NewString(), map[string]any{"name": "x"}, http.StatusNotFound},
		{"nothing to change", a.ID.String(), map[string]any{}, http.StatusUnprocessableEntity},
		{"unknown field", a.ID.String(), map[string]any{"password": "x"}, http.StatusUnprocessableEntity},
		{"bad role", a.ID.String(), map[string]any{"role": "root"}, http.StatusUnprocessableEntity},
		{"negative quota", a.ID.String(), map[string]any{"storage_quota_bytes": -1}, http.StatusUnprocessableEntity},
		{"name and quota", a.ID.String(), map[string]any{"name": "Renamed", "storage_quota_bytes": 1 << 30}, http.StatusOK},
		{"quota back to the default", a.ID.String(), map[string]any{"storage_quota_bytes": nil}, http.StatusOK},
	}
	for _, tt := range changes {
		t.Run("patch: "+tt.name, func(t *testing.T) {
			r := admin.Do(http.MethodPatch, "/api/v1/users/"+tt.id, tt.body)
			if tt.status != http.StatusOK {
				expectProblem(t, r, tt.status)
				return
			}
			expectStatus(t, r, http.StatusOK)
		})
	}
	if m := getMe(t, laptop); m.User.Name != "Renamed" {
		t.Fatalf("name %q", m.User.Name)
	}

	// Revoking all of a user's sessions signs out every browser at once.
	expectProblem(t, admin.Do(http.MethodDelete, "/api/v1/users/"+uuid.NewString()+"/sessions", nil), http.StatusNotFound)
	expectStatus(t, admin.Do(http.MethodDelete, "/api/v1/users/"+a.ID.String()+"/sessions", nil), http.StatusNoContent)
	expectProblem(t, laptop.Get("/api/v1/auth/me"), http.StatusUnauthorized)
	expectProblem(t, phone.Get("/api/v1/auth/me"), http.StatusUnauthorized)
	getMe(t, admin)
	signIn(t, env, a) // they may sign in again
}
