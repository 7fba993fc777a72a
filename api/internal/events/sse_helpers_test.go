package events

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/problem"
	"github.com/downlink/downlink/api/internal/testkit"
)

// frame is one parsed SSE block: an event, or a comment / retry hint.
type frame struct {
	id, event, data, comment, retry string
}

// sseClient reads a real HTTP response body as SSE frames.
type sseClient struct {
	resp   *http.Response
	frames chan frame
	done   chan error // receives the read error (io.EOF on a clean end)
	cancel context.CancelFunc
}

// testServer serves hub.ServeSSE the way the HTTP layer will: the user
// comes from X-User, admin rights from X-Admin: 1, errors become statuses.
func testServer(t *testing.T, hub *Hub) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(sseHandler(hub))
	t.Cleanup(func() { closeServer(t, hub, srv) })
	return srv
}

// closeServer shuts the hub down before the server, as production must:
// the server's Close waits for handlers, and streams end only when told.
func closeServer(t testing.TB, hub *Hub, srv *httptest.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hub.Shutdown(ctx); err != nil {
		t.Errorf("hub Shutdown: %v", err)
	}
	srv.Close()
}

func sseHandler(hub *Hub) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := ParseFilter(r.URL.Query(), r.Header.Get("X-User"), r.Header.Get("X-Admin") == "1")
		if err == nil {
			err = hub.ServeSSE(w, r, f)
		}
		if err != nil {
			status := http.StatusInternalServerError
			if p, ok := errors.AsType[*problem.Problem](err); ok {
				status = p.Status
			}
			http.Error(w, err.Error(), status)
		}
	})
}

// connect opens a stream and returns once the response headers arrived,
// which means the hub has subscribed.
func connect(t *testing.T, url string, header http.Header) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	c := &sseClient{resp: resp, frames: make(chan frame, 1024), done: make(chan error, 1), cancel: cancel}
	go c.read()
	t.Cleanup(c.close)
	return c
}

func (c *sseClient) close() {
	c.cancel()
	c.resp.Body.Close()
}

func (c *sseClient) read() {
	br := bufio.NewReader(c.resp.Body)
	var f frame
	var data []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.done <- err
			close(c.frames)
			return
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			f.data = strings.Join(data, "\n")
			c.frames <- f
			f, data = frame{}, nil
			continue
		}
		if rest, ok := strings.CutPrefix(line, ":"); ok {
			f.comment = strings.TrimSpace(rest)
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			f.id = value
		case "event":
			f.event = value
		case "data":
			data = append(data, value)
		case "retry":
			f.retry = value
		}
	}
}

// next returns the next frame, failing after timeout.
func (c *sseClient) next(t testing.TB, timeout time.Duration) frame {
	t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			t.Fatal("stream ended")
		}
		return f
	case <-time.After(timeout):
		t.Fatalf("no frame within %v", timeout)
	}
	return frame{}
}

// nextEvent returns the next frame that is an event, skipping comments.
func (c *sseClient) nextEvent(t testing.TB, timeout time.Duration) frame {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if f := c.next(t, time.Until(deadline)); f.event != "" {
			return f
		}
	}
}

// waitEnd waits for the server to end the stream and returns how long
// that took.
func (c *sseClient) waitEnd(t testing.TB, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := time.After(timeout)
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				if err := <-c.done; err != io.EOF {
					t.Fatalf("stream ended with %v, want a clean end", err)
				}
				return time.Since(start)
			}
		case <-deadline:
			t.Fatalf("stream still open after %v", timeout)
		}
	}
}

// eventually polls cond until it holds or fails the test after 5s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.EventuallyTrue(t, 5*time.Second, what, cond)
}
