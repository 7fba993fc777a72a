package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
)

// sseEvent is one Server-Sent Event as read off the wire.
type sseEvent struct {
	ID   string
	Type string
	Data json.RawMessage
	At   time.Time
}

// sseProgress is the data of download.progress (and the fields of
// download.updated the tests read).
type sseProgress struct {
	ID       string     `json:"id"`
	Status   string     `json:"status"`
	Progress dlProgress `json:"progress"`
}

func (e sseEvent) decode(t *testing.T) sseProgress {
	t.Helper()
	var p sseProgress
	if err := json.Unmarshal(e.Data, &p); err != nil {
		t.Fatalf("event %s: %v: %s", e.Type, err, e.Data)
	}
	return p
}

// sseClient reads GET /api/v1/events over a real HTTP connection (the
// apitest client only checks a stream's headers). It collects every event
// until the test ends.
type sseClient struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	events []sseEvent
	lastID string // the last id: line read, as EventSource keeps it
	err    error
	wake   chan struct{}
}

// openSSE connects to baseURL's event stream as the browser c (its
// session cookie) and waits for the stream to start.
func openSSE(t *testing.T, baseURL string, c *apitest.Client, query string) *sseClient {
	t.Helper()
	return openSSEWith(t, baseURL+"/api/v1/events"+query, c.Jar(), nil)
}

// openSSEHeader connects with extra headers (an API key) and no cookies.
func openSSEHeader(t *testing.T, baseURL, query string, h http.Header) *sseClient {
	t.Helper()
	return openSSEWith(t, baseURL+"/api/v1/events"+query, nil, h)
}

func openSSEWith(t *testing.T, url string, jar http.CookieJar, h http.Header) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "text/event-stream")
	hc := &http.Client{Jar: jar}
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open event stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		cancel()
		t.Fatalf("event stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sseClient{t: t, cancel: cancel, done: make(chan struct{}), wake: make(chan struct{}, 1)}
	go s.read(resp)
	t.Cleanup(s.Close)
	return s
}

func (s *sseClient) read(resp *http.Response) {
	defer close(s.done)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var typ, id string
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if typ != "" || len(data) > 0 {
				s.add(sseEvent{ID: id, Type: typ, Data: json.RawMessage(strings.Join(data, "\n")), At: time.Now()})
			}
			typ, data = "", nil
		case strings.HasPrefix(line, "id:"):
			id = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
			s.mu.Lock()
			s.lastID = id
			s.mu.Unlock()
		case strings.HasPrefix(line, ":"):
			// keep-alive comment
		case strings.HasPrefix(line, "event:"):
			typ = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	s.mu.Lock()
	s.err = sc.Err()
	s.mu.Unlock()
	s.notify()
}

func (s *sseClient) add(e sseEvent) {
	s.mu.Lock()
	s.events = append(s.events, e)
	s.mu.Unlock()
	s.notify()
}

func (s *sseClient) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// LastID returns the last id: line read (EventSource's lastEventId).
func (s *sseClient) LastID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID
}

// Events returns a copy of what arrived so far.
func (s *sseClient) Events() []sseEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sseEvent(nil), s.events...)
}

// WaitFor waits until some event satisfies match and returns it, failing
// the test (with every type seen) after timeout.
func (s *sseClient) WaitFor(timeout time.Duration, what string, match func(sseEvent) bool) sseEvent {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		for _, e := range s.Events() {
			if match(e) {
				return e
			}
		}
		select {
		case <-s.wake:
		case <-s.done:
			for _, e := range s.Events() {
				if match(e) {
					return e
				}
			}
			s.t.Fatalf("event stream ended (%v) before %s; saw %s", s.err, what, s.summary())
		case <-deadline.C:
			s.t.Fatalf("no %s within %v; saw %s", what, timeout, s.summary())
		}
	}
}

func (s *sseClient) summary() string {
	var b strings.Builder
	for _, e := range s.Events() {
		b.WriteString("\n  ")
		b.WriteString(e.Type)
		b.WriteByte(' ')
		if len(e.Data) > 200 {
			b.Write(e.Data[:200])
		} else {
			b.Write(e.Data)
		}
	}
	return b.String()
}

// Close ends the stream and waits for the reader.
func (s *sseClient) Close() {
	s.cancel()
	<-s.done
}
