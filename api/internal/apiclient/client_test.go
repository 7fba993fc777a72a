package apiclient_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/downlink/downlink/api/internal/apiclient"
	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
	"github.com/downlink/downlink/api/internal/testmedia"
	"github.com/downlink/downlink/api/internal/users"
)

// streamWait bounds how long a read on an event stream may block: a
// download of the test clip takes seconds, so a stream silent this long
// means the flow is stuck, and the test says where.
const streamWait = 2 * time.Minute

// sseEvent is one event read off a stream with the generated client.
type sseEvent struct{ id, event, data string }

// readEvent reads the next SSE block that carries an event, skipping the
// opening retry/id block and keep-alives.
func readEvent(t *testing.T, r *bufio.Reader, what string) sseEvent {
	t.Helper()
	var e sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream, waiting for %s: %v", what, err)
		}
		line = strings.TrimRight(line, "\n")
		if line == "" {
			if e.event != "" {
				return e
			}
			e = sseEvent{}
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

// stream is an open event stream and every event read from it, in order.
type stream struct {
	t      *testing.T
	r      *bufio.Reader
	events []sseEvent
	drop   context.CancelFunc
}

// until reads events until one matches and returns its index.
func (s *stream) until(what string, match func(sseEvent) bool) int {
	s.t.Helper()
	for {
		e := readEvent(s.t, s.r, what)
		s.events = append(s.events, e)
		if match(e) {
			return len(s.events) - 1
		}
	}
}

// downloadEvent matches an event about download id (and, when given,
// in one of statuses), decoding its data with the generated types.
func downloadEvent(name string, id openapi_types.UUID, statuses ...apiclient.DownloadStatus) func(sseEvent) bool {
	return func(e sseEvent) bool {
		if e.event != name {
			return false
		}
		var d apiclient.Download
		return json.Unmarshal([]byte(e.data), &d) == nil && d.Id == id && (len(statuses) == 0 || slices.Contains(statuses, d.Status))
	}
}

// TestGeneratedClientFlow is an integrator's whole flow with nothing but the
// generated client and its types, against the real server and the real
// yt-dlp, under the contract checks: sign in, make a key, submit, follow the
// download on the event stream until it completes while another stream has
// dropped, come back with Last-Event-ID and get exactly what was missed,
// fetch the file whole and with Range, list with the status filter and
// updated_since, cancel a running download, retry it, and delete both.
func TestGeneratedClientFlow(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, apitest.WithConfig(func(c *config.Config) {
		c.GenericSites, c.AllowPrivateNetworks, c.Workers = true, true, 1
	}))
	media := testmedia.NewServer(t)
	ctx := context.Background()
	const email, password = "ada@example.com", "correct horse battery staple"
	if _, err := env.App.Users.CreateLocal(ctx, users.NewLocal{Email: email, Role: authz.RoleUser, Password: password}); err != nil {
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
		Scopes: []apiclient.Scope{apiclient.DownloadsRead, apiclient.DownloadsWrite, apiclient.FilesRead, apiclient.FilesWrite}})
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
	open := func(params *apiclient.StreamEventsParams) *stream {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, streamWait)
		resp, err := api.StreamEvents(sctx, params)
		if err != nil || resp.StatusCode != http.StatusOK {
			cancel()
			t.Fatalf("stream: %v", err)
		}
		t.Cleanup(func() { cancel(); resp.Body.Close() })
		return &stream{t: t, r: bufio.NewReader(resp.Body), drop: cancel}
	}

	// `all` stays connected: what a client that never dropped saw.
	all := open(&apiclient.StreamEventsParams{})
	first := open(&apiclient.StreamEventsParams{})
	idem := uuid.NewString()
	sub, err := api.CreateDownloadWithResponse(ctx, &apiclient.CreateDownloadParams{IdempotencyKey: &idem},
		apiclient.CreateDownloadRequest{Url: media.URL(testmedia.PathVideo)})
	if err != nil || sub.JSON202 == nil || sub.JSON202.Status != apiclient.DownloadStatusQueued {
		t.Fatalf("submit: %v %s", err, body(sub.Body))
	}
	id := sub.JSON202.Id
	cut := first.events[first.until("download.created", downloadEvent("download.created", id))]
	first.drop()

	done := all.until("download completed", func(e sseEvent) bool {
		var d apiclient.Download
		if e.event != "download.updated" || json.Unmarshal([]byte(e.data), &d) != nil || d.Id != id {
			return false
		}
		if d.Status == apiclient.DownloadStatusFailed || d.Status == apiclient.DownloadStatusCanceled {
			t.Fatalf("the download ended %s: %s", d.Status, e.data)
		}
		return d.Status == apiclient.DownloadStatusCompleted
	})
	var file apiclient.LibraryFile
	fileAt := slices.IndexFunc(all.events, func(e sseEvent) bool {
		return e.event == "file.created" && json.Unmarshal([]byte(e.data), &file) == nil && file.DownloadId != nil && *file.DownloadId == id
	})
	if fileAt < 0 {
		fileAt = all.until("file.created", func(e sseEvent) bool {
			return e.event == "file.created" && json.Unmarshal([]byte(e.data), &file) == nil && file.DownloadId != nil && *file.DownloadId == id
		})
	}
	if !slices.ContainsFunc(all.events, downloadEvent("download.progress", id)) {
		t.Errorf("no download.progress event for %s", id)
	}

	// Back with Last-Event-ID: exactly what `all` got after the cut.
	from := slices.IndexFunc(all.events, func(e sseEvent) bool { return e.id == cut.id })
	if from < 0 {
		t.Fatalf("the reference stream never saw event %s", cut.id)
	}
	missed := all.events[from+1 : max(done, fileAt)+1]
	back := open(&apiclient.StreamEventsParams{LastEventID: &cut.id})
	for i, want := range missed {
		if got := readEvent(t, back.r, "a replayed event"); got != want {
			t.Fatalf("replayed event %d/%d = %+v, want %+v", i+1, len(missed), got, want)
		}
	}
	back.drop()

	// The file, whole and in part, as the download left it.
	got, err := api.GetDownloadWithResponse(ctx, id, &apiclient.GetDownloadParams{})
	if err != nil || got.JSON200 == nil || got.JSON200.Status != apiclient.DownloadStatusCompleted ||
		len(got.JSON200.Files) != 1 || got.JSON200.Files[0].Id != file.Id {
		t.Fatalf("get download: %v %s", err, body(got.Body))
	}
	whole, err := api.GetFileContentWithResponse(ctx, file.Id, &apiclient.GetFileContentParams{})
	if err != nil || whole.StatusCode() != http.StatusOK || int64(len(whole.Body)) != file.SizeBytes ||
		whole.HTTPResponse.Header.Get("Content-Type") != file.MimeType {
		t.Fatalf("content: %v %d, %d bytes of %d, %q", err, whole.StatusCode(), len(whole.Body), file.SizeBytes, whole.HTTPResponse.Header.Get("Content-Type"))
	}
	if src, err := os.ReadFile(testmedia.Video(t)); err != nil || !bytes.Equal(whole.Body, src) {
		t.Errorf("the file is not the bytes the link served (%d bytes, source %d): %v", len(whole.Body), len(src), err)
	}
	rng := "bytes=1000-2023"
	part, err := api.GetFileContentWithResponse(ctx, file.Id, &apiclient.GetFileContentParams{Range: &rng})
	if err != nil || part.StatusCode() != http.StatusPartialContent || !bytes.Equal(part.Body, whole.Body[1000:2024]) ||
		part.HTTPResponse.Header.Get("Content-Range") != fmt.Sprintf("bytes 1000-2023/%d", len(whole.Body)) {
		t.Fatalf("Range: %v %d, %d bytes, Content-Range %q", err, part.StatusCode(), len(part.Body), part.HTTPResponse.Header.Get("Content-Range"))
	}
	if late, err := api.CancelDownloadWithResponse(ctx, id); err != nil || late.ApplicationproblemJSON409 == nil {
		t.Fatalf("cancel after completion: %v %d %s", err, late.StatusCode(), body(late.Body))
	}

	// Cancel a slow download while it runs, retry it, cancel it again.
	slow, err := api.CreateDownloadWithResponse(ctx, &apiclient.CreateDownloadParams{},
		apiclient.CreateDownloadRequest{Url: media.SlowURL(testmedia.PathBig, 100_000)})
	if err != nil || slow.JSON202 == nil {
		t.Fatalf("submit slow: %v %s", err, body(slow.Body))
	}
	slowID := slow.JSON202.Id
	all.until("the slow download downloading", downloadEvent("download.updated", slowID, apiclient.DownloadStatusDownloading))
	if r, err := api.CancelDownloadWithResponse(ctx, slowID); err != nil || r.JSON200 == nil || r.JSON200.Status != apiclient.DownloadStatusCanceled {
		t.Fatalf("cancel: %v %s", err, body(r.Body))
	}
	all.until("canceled", downloadEvent("download.updated", slowID, apiclient.DownloadStatusCanceled))
	retried, err := api.RetryDownloadWithResponse(ctx, slowID)
	if err != nil || retried.JSON202 == nil || retried.JSON202.Status != apiclient.DownloadStatusQueued {
		t.Fatalf("retry: %v %s", err, body(retried.Body))
	}
	// Events carry a download's state when they are sent: on Postgres the
	// commit wakes a worker, which may have claimed the job before the
	// retry's event reads the row, so the stream can go from canceled
	// straight to fetching_info or downloading.
	all.until("queued again", downloadEvent("download.updated", slowID,
		apiclient.DownloadStatusQueued, apiclient.DownloadStatusFetchingInfo, apiclient.DownloadStatusDownloading))

	// Incremental sync: what changed since the retry, by status.
	since := retried.JSON202.UpdatedAt.Add(-time.Second)
	sort := apiclient.ListDownloadsParamsSortUpdatedAt
	dlist, err := api.ListDownloadsWithResponse(ctx, &apiclient.ListDownloadsParams{
		Status: &[]apiclient.DownloadStatus{apiclient.DownloadStatusQueued, apiclient.DownloadStatusFetchingInfo, apiclient.DownloadStatusDownloading},
		Sort:   &sort, UpdatedSince: &since})
	if err != nil || dlist.JSON200 == nil || len(dlist.JSON200.Items) != 1 || dlist.JSON200.Items[0].Id != slowID {
		t.Fatalf("list: %v %s", err, body(dlist.Body))
	}
	if r, err := api.CancelDownloadWithResponse(ctx, slowID); err != nil || r.JSON200 == nil || r.JSON200.Status != apiclient.DownloadStatusCanceled {
		t.Fatalf("cancel again: %v %s", err, body(r.Body))
	}

	// Delete both, the finished one with its file.
	yes := true
	if del, err := api.DeleteDownloadWithResponse(ctx, id, &apiclient.DeleteDownloadParams{DeleteFiles: &yes}); err != nil || del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %s", err, body(del.Body))
	}
	if del, err := api.DeleteDownloadWithResponse(ctx, slowID, &apiclient.DeleteDownloadParams{}); err != nil || del.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete slow: %v %s", err, body(del.Body))
	}
	all.until("file.deleted", func(e sseEvent) bool {
		var f apiclient.FileDeletedEvent
		return e.event == "file.deleted" && json.Unmarshal([]byte(e.data), &f) == nil && f.Id == file.Id
	})
	if r, err := api.GetDownloadWithResponse(ctx, id, &apiclient.GetDownloadParams{}); err != nil || r.ApplicationproblemJSON404 == nil {
		t.Fatalf("deleted download: %v %d", err, r.StatusCode())
	}
	if r, err := api.GetFileContentWithResponse(ctx, file.Id, &apiclient.GetFileContentParams{}); err != nil || r.StatusCode() != http.StatusNotFound {
		t.Fatalf("deleted file: %v %d", err, r.StatusCode())
	}
}

func body(b []byte) string {
	if len(b) > 500 {
		b = b[:500]
	}
	return string(b)
}
