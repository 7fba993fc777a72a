package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/httpapi"
)

// This file is the authorization matrix's row "an admin-owned key without
// admin scopes × every route that reaches another user's rows". Admins see
// and change everyone's downloads and files; with a key only when the key
// holds admin:read (reads) or admin:write (changes). The routes come from
// the live route table: every key-callable route with a user scope is
// called on another user's download or file (path ids), with user_id= and
// scope=all where openapi.yaml declares them, and plainly for lists.

// othersBodies are valid bodies for the changing routes, so that what
// answers is the access check and not validation.
var othersBodies = map[string]any{
	"PATCH /api/v1/files/{id}":              map[string]any{"pinned": true},
	"POST /api/v1/downloads/{id}/match":     map[string]any{"candidate_index": 0},
	"POST /api/v1/downloads/{id}/cancel":    nil,
	"POST /api/v1/downloads/{id}/retry":     nil,
	"DELETE /api/v1/downloads/{id}":         nil,
	"DELETE /api/v1/files/{id}":             nil,
	"GET /api/v1/files/{id}/content":        nil,
	"GET /api/v1/files/{id}/thumbnail":      nil,
	"GET /api/v1/downloads/{id}":            nil,
	"GET /api/v1/files/{id}":                nil,
	"POST /api/v1/downloads":                map[string]any{},
	"POST /api/v1/downloads/probe":          map[string]any{},
	"GET /api/v1/storage/retention-preview": nil,
	"GET /api/v1/subscriptions/{id}":        nil,
	"PATCH /api/v1/subscriptions/{id}":      map[string]any{"name": "mine now"},
	"DELETE /api/v1/subscriptions/{id}":     nil,
	"POST /api/v1/subscriptions/{id}/check": nil,
}

// othersCall is one request that names or lists another user's rows.
type othersCall struct {
	method, path string
	body         any
	// write: the request changes the row (needs admin:write); named: the
	// path names the row (another user's row is 404 to a key that may not
	// read it); param: user_id= or scope=all (403 without admin:read).
	write, named, param bool
	// stream: the route answers an event stream (only its status is read).
	stream bool
}

// do sends the call with the key.
func (call othersCall) do(t *testing.T, env *apitest.Env, key string) *apitest.Response {
	if call.stream {
		return openKeyStream(t, env, key, call.path)
	}
	return env.WithAPIKey(key).Do(call.method, call.path, call.body)
}

func TestAdminKeyWithoutAdminScopesOnOtherUsersRows(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, noWorkers())
	admin := newAccount(t, env, authz.RoleAdmin)
	other := newAccount(t, env, authz.RoleUser)
	adminC, _ := signIn(t, env, admin)
	dlID := insertFinishedDownload(t, env, other.ID, "failed")
	file := registerFile(t, dlWorld{env: env, user: other}, other.ID.String()+"/generic/theirs.mp4", []byte("their private bytes"))
	giveThumbnail(t, env, file.ID, other.ID.String()+"/generic/theirs.thumb.jpg")
	subID := insertSubscription(t, env, other.ID)
	secrets := []string{dlID.String(), file.ID.String(), other.Email, subID.String()}

	narrow := createKey(t, adminC, "narrow", authz.UserScopes).Key
	reader := createKey(t, adminC, "reader", append(slices.Clone(authz.UserScopes), authz.ScopeAdminRead)).Key
	full := createKey(t, adminC, "full", authz.AllScopes).Key

	contract, err := apitest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	var calls []othersCall
	for _, r := range env.App.HTTP.Routes() {
		if routeKind(r) != "user scope" {
			continue
		}
		calls = append(calls, othersCalls(t, r, contract, dlID, file.ID, subID, other.ID)...)
	}
	if len(calls) < 10 {
		t.Fatalf("only %d calls built from the route table", len(calls))
	}

	for _, call := range calls {
		name := call.method + " " + call.path
		t.Run("admin key without admin scopes/"+name, func(t *testing.T) {
			resp := call.do(t, env, narrow)
			switch {
			case call.named:
				expectProblem(t, resp, http.StatusNotFound)
			case call.param:
				expectProblem(t, resp, http.StatusForbidden)
			default:
				if resp.Status >= 500 || resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
					t.Fatalf("status %d on its own rows: %.500s", resp.Status, resp.Body)
				}
				for _, s := range secrets {
					if strings.Contains(string(resp.Body), s) {
						t.Fatalf("the answer shows another user's %q: %.800s", s, resp.Body)
					}
				}
			}
		})
		// Controls: the rows are there for a key that may see them, and a
		// reading key may not change them.
		if !call.named && !call.param {
			continue
		}
		t.Run("admin key with admin:read/"+name, func(t *testing.T) {
			resp := call.do(t, env, reader)
			if call.write {
				p := expectProblem(t, resp, http.StatusForbidden)
				if p["required_scope"] != string(authz.ScopeAdminWrite) {
					t.Fatalf("problem %v, want required_scope admin:write", p)
				}
				return
			}
			expectStatus(t, resp, http.StatusOK)
			lists := strings.HasPrefix(call.path, "/api/v1/downloads?") || strings.HasPrefix(call.path, "/api/v1/files?")
			if lists && !strings.Contains(string(resp.Body), dlID.String()) && !strings.Contains(string(resp.Body), file.ID.String()) {
				t.Fatalf("the other user's rows are missing: %.500s", resp.Body)
			}
		})
		if !call.write {
			t.Run("admin key with admin scopes/"+name, func(t *testing.T) {
				expectStatus(t, call.do(t, env, full), http.StatusOK)
			})
		}
	}

	// Nothing the refused keys sent changed the other user's rows.
	if n := countRows(t, env, "downloads", "id = ? AND status = ?", dlID, "failed"); n != 1 {
		t.Errorf("the other user's download changed or went (%d rows)", n)
	}
	if n := countRows(t, env, "files", "id = ? AND pinned = ?", file.ID, false); n != 1 {
		t.Errorf("the other user's file changed or went (%d rows)", n)
	}
	if n := countRows(t, env, "subscriptions", "id = ? AND name = ?", subID, "theirs"); n != 1 {
		t.Errorf("the other user's subscription changed or went (%d rows)", n)
	}
	// An admin:write key does change them.
	expectStatus(t, env.WithAPIKey(full).Do(http.MethodDelete, "/api/v1/files/"+file.ID.String(), nil), http.StatusNoContent)
}

// othersCalls are the requests through route r that reach another user's
// rows. A route naming an id that is neither a download nor a file fails
// the test: give it a row of the other user here.
func othersCalls(t *testing.T, r httpapi.Route, contract *apitest.Contract, dlID, fileID, subID, owner uuid.UUID) []othersCall {
	t.Helper()
	stream := streams(t, r)
	key := r.Method + " " + r.Path
	body, known := othersBodies[key]
	if !known {
		body = matrixBody(r.Method)
	}
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	var out []othersCall
	if strings.Contains(r.Path, "{") {
		var id uuid.UUID
		switch {
		case strings.HasPrefix(r.Path, "/api/v1/downloads/{id}"):
			id = dlID
		case strings.HasPrefix(r.Path, "/api/v1/files/{id}"):
			id = fileID
		case strings.HasPrefix(r.Path, "/api/v1/subscriptions/{id}"):
			id = subID
		default:
			t.Errorf("%s: no other user's row for this path; add one to othersCalls", key)
			return nil
		}
		if !known {
			t.Errorf("%s: give it a valid body in othersBodies", key)
		}
		return append(out, othersCall{method: r.Method, path: strings.Replace(r.Path, "{id}", id.String(), 1), body: body, write: write, named: true})
	}
	if write {
		return nil
	}
	out = append(out, othersCall{method: r.Method, path: r.Path, body: body, stream: stream})
	item := contract.Doc.Paths.Find(r.Path)
	if item == nil || item.GetOperation(r.Method) == nil {
		return out
	}
	for _, p := range item.GetOperation(r.Method).Parameters {
		if p.Value == nil || p.Value.In != "query" {
			continue
		}
		switch p.Value.Name {
		case "user_id":
			out = append(out, othersCall{method: r.Method, path: r.Path + "?user_id=" + owner.String(), param: true, stream: stream})
		case "scope":
			out = append(out, othersCall{method: r.Method, path: r.Path + "?scope=all", param: true, stream: stream})
		}
	}
	return out
}

// insertFinishedDownload inserts a finished download row of userID.
func insertFinishedDownload(t *testing.T, env *apitest.Env, userID uuid.UUID, status string) uuid.UUID {
	t.Helper()
	now := time.Now().UTC()
	id := uuid.New()
	row := map[string]any{
		"id": id, "user_id": userID, "url": "https://example.com/" + uuid.NewString(), "platform": "generic",
		"kind": "video", "status": status, "options": "{}", "created_at": now.Add(-time.Minute),
		"updated_at": now, "percent": 0, "downloaded_bytes": 0, "attempts": 1, "playlist_index": 0,
		"started_at": now.Add(-40 * time.Second), "finished_at": now, "error_code": "network", "error_message": "because",
	}
	if err := env.App.Store.DB.Table("downloads").Create(row).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// openKeyStream opens an event stream with an API key and keeps only the
// status, the headers and a refusal's body.
func openKeyStream(t *testing.T, env *apitest.Env, key, path string) *apitest.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var body []byte
	if resp.StatusCode != http.StatusOK {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	}
	return &apitest.Response{T: t, Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// insertSubscription writes a disabled subscription of userID straight
// into the database (creating one through the API would check its source).
func insertSubscription(t *testing.T, env *apitest.Env, userID uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	err := env.App.Store.DB.Table("subscriptions").Create(map[string]any{"id": id, "user_id": userID, "name": "theirs",
		"url": "https://www.youtube.com/playlist?list=PLtheirs", "platform": "youtube", "interval_hours": 6, "options": "{}",
		"filters": "{}", "backfill": "none", "backfill_count": 0, "enabled": false, "next_check_at": now,
		"consecutive_failures": 0, "last_new_items": 0, "checks": 0, "created_at": now, "updated_at": now}).Error
	if err != nil {
		t.Fatal(err)
	}
	return id
}
