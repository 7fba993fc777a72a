package apiclient_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apiclient"
	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/files"
	"github.com/downlink/downlink/api/internal/users"
)

// sseEvent is one event read off a stream with the generated client.
type sseEvent struct{ id, event, data string }

// readEvent reads the next SSE block that carries an event (skipping the
// opening retry/id block and keep-alives) and the last id seen.
func readEvent(t *testing.T, r *bufio.Reader) sseEvent {
	t.Helper()
	var e sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if line == "" {
			if e.event != "" {
				return e
			}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			e.id = value
		case "event":
			e.event = value
		case "data":
			e.data = value
		}
	}
}

// TestGeneratedClientFlow is an integrator's flow with nothing but the
// generated client and its types, under the contract checks: sign in, make
// a key, stream events, submit, drop the stream, cancel and retry, come back
// with Last-Event-ID and get exactly what was missed, list with the status
// filter and updated_since, fetch part of a file with Range, delete.
func TestGeneratedClientFlow(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) {
		c.GenericSites, c.AllowPrivateNetworks, c.Workers = true, true, 0
	}))
	ctx := context.Background()
	const email, password = "ada@example.com", "correct horse battery staple"
	user, err := env.App.Users.CreateLocal(ctx, users.NewLocal{Email: email, Role: authz.RoleUser, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	browser, err := apiclient.NewClientWithResponses(env.URL, apiclient.WithHTTPClient(env.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	pw := password
	if r, err := browser.LoginWithResponse(ctx, apiclient.LoginRequest{Email: email, Password: &pw}); err != nil || r.StatusCode() != http.StatusOK {
		t.Fatalf("login: %v %s", err, body(r.Body))
	}
	created, err := browser.CreateApiKeyWithResponse(ctx, apiclient.CreateAPIKeyRequest{Name: "integration",
		Scopes: []apiclient.Scope{apiclient.DownloadsRead, apiclient.DownloadsWrite, apiclient.FilesRead}})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create key: %v %s", err, body(created.Body))
	}
	env.Secret(created.JSON201.Key)
	api, err := apiclient.NewClientWithResponses(env.URL, apiclient.WithHTTPClient(env.HTTPClient()),
		apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+created.JSON201.Key)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	stream := func(params *apiclient.StreamEventsParams) (*bufio.Reader, context.CancelFunc) {
		t.Helper()
		sctx, cancel := context.WithCancel(ctx)
		resp, err := api.StreamEvents(sctx, params)
		if err != nil || resp.StatusCode != http.StatusOK {
			cancel()
			t.Fatalf("stream: %v", err)
		}
		t.Cleanup(func() { cancel(); resp.Body.Close() })
		return bufio.NewReader(resp.Body), cancel
	}

	events, drop := stream(&apiclient.StreamEventsParams{})
	sub, err := api.CreateDownloadWithResponse(ctx, &apiclient.CreateDownloadParams{}, apiclient.CreateDownloadRequest{Url: "http://127.0.0.1:9/a.mp4"})
	if err != nil || sub.JSON202 == nil || sub.JSON202.Status != apiclient.DownloadStatusQueued {
		t.Fatalf("submit: %v %s", err, body(sub.Body))
	}
	id := sub.JSON202.Id
	first := readEvent(t, events)
	var d apiclient.Download
	if err := json.Unmarshal([]byte(first.data), &d); err != nil || first.event != "download.created" || d.Id != id {
		t.Fatalf("first event %+v: %v", first, err)
	}
	drop()

	if r, err := api.CancelDownloadWithResponse(ctx, id); err != nil || r.JSON200 == nil || r.JSON200.Status != apiclient.DownloadStatusCanceled {
		t.Fatalf("cancel: %v %s", err, body(r.Body))
	}
	retried, err := api.RetryDownloadWithResponse(ctx, id)
	if err != nil || retried.JSON202 == nil || retried.JSON202.Status != apiclient.DownloadStatusQueued {
		t.Fatalf("retry: %v %s", err, body(retried.Body))
	}

	back, _ := stream(&apiclient.StreamEventsParams{LastEventID: &first.id})
	for _, want := range []apiclient.DownloadStatus{apiclient.DownloadStatusCanceled, apiclient.DownloadStatusQueued} {
		e := readEvent(t, back)
		var d apiclient.Download
		if err := json.Unmarshal([]byte(e.data), &d); err != nil || e.event != "download.updated" || d.Id != id || d.Status != want {
			t.Fatalf("replayed %+v, want download.updated %s: %v", e, want, err)
		}
	}

	since := retried.JSON202.UpdatedAt.Add(-time.Second)
	sort := apiclient.ListDownloadsParamsSortUpdatedAt
	dlist, err := api.ListDownloadsWithResponse(ctx, &apiclient.ListDownloadsParams{
		Status: &[]apiclient.DownloadStatus{apiclient.DownloadStatusQueued, apiclient.DownloadStatusFailed}, Sort: &sort, UpdatedSince: &since})
	if err != nil || dlist.JSON200 == nil || len(dlist.JSON200.Items) != 1 || dlist.JSON200.Items[0].Id != id {
		t.Fatalf("list: %v %s", err, body(dlist.Body))
	}
	// A file in the library (as a finished download leaves one), fetched
	// in part with Range as a player does.
	rel := user.ID.String() + "/generic/clip.mp4"
	data := []byte("0123456789abcdef")
	if err := os.MkdirAll(filepath.Dir(filepath.Join(env.Cfg.DataDir, "library", rel)), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(env.Cfg.DataDir, "library", rel), data, 0o640); err != nil {
		t.Fatal(err)
	}
	row := files.Row{ID: uuid.New(), UserID: user.ID, Name: "clip.mp4", RelPath: rel, SizeBytes: int64(len(data)),
		MimeType: "video/mp4", Kind: files.KindVideo, Platform: "generic", CreatedAt: time.Now().UTC()}
	if err := env.App.Store.DB.Create(&row).Error; err != nil {
		t.Fatal(err)
	}
	kind := apiclient.FileKindVideo
	list, err2 := api.ListFilesWithResponse(ctx, &apiclient.ListFilesParams{Kind: &kind})
	if err2 != nil || list.JSON200 == nil || len(list.JSON200.Items) != 1 {
		t.Fatalf("files: %v %s", err2, body(list.Body))
	}
	f := list.JSON200.Items[0]
	rng := "bytes=4-9"
	part, err := api.GetFileContentWithResponse(ctx, f.Id, &apiclient.GetFileContentParams{Range: &rng})
	if err != nil || part.StatusCode() != http.StatusPartialContent || string(part.Body) != "456789" ||
		part.HTTPResponse.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("Range: %v %d %q", err, part.StatusCode(), part.Body)
	}
	del, err := api.DeleteDownloadWithResponse(ctx, id, &apiclient.DeleteDownloadParams{})
	if err != nil || del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %s", err, body(del.Body))
	}
}

func body(b []byte) string {
	if len(b) > 500 {
		b = b[:500]
	}
	return string(b)
}
