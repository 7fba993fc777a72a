package clustertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// client calls the API with an API key.
type client struct {
	t   *testing.T
	key string
	hc  *http.Client
}

func newClient(t *testing.T, key string) *client {
	return &client{t: t, key: key, hc: &http.Client{Timeout: 30 * time.Second}}
}

// do sends one request and expects want. A 429 is waited out as the API
// tells clients to (Retry-After), a few times: tests that poll a node
// on a slow machine can spend an API key's minute of requests.
func (c *client) do(method, url string, body any, out any, want int) {
	c.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	var resp *http.Response
	var data []byte
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequest(method, url, bytes.NewReader(b))
		if err != nil {
			c.t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+c.key)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if resp, err = c.hc.Do(req); err != nil {
			c.t.Fatalf("%s %s: %v", method, url, err)
		}
		data, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != http.StatusTooManyRequests || want == http.StatusTooManyRequests || attempt == 5 || wait <= 0 {
			break
		}
		time.Sleep(time.Duration(wait) * time.Second)
	}
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, url, err, data)
		}
	}
}

// download is the part of a download the tests read.
type download struct {
	ID       string  `json:"id"`
	Status   string  `json:"status"`
	Node     *string `json:"node"`
	Attempts int     `json:"attempts"`
	Progress struct {
		DownloadedBytes int64 `json:"downloaded_bytes"`
	} `json:"progress"`
	Files []struct {
		ID        string `json:"id"`
		SizeBytes int64  `json:"size_bytes"`
	} `json:"files"`
}

func (d download) node() string {
	if d.Node == nil {
		return ""
	}
	return *d.Node
}

func (c *client) submit(base, url string) download {
	c.t.Helper()
	var d download
	c.do(http.MethodPost, base+"/api/v1/downloads", map[string]any{"url": url}, &d, http.StatusAccepted)
	return d
}

// all lists every download (newest first), at most 200.
func (c *client) all(base string) []download {
	c.t.Helper()
	var page struct {
		Items []download `json:"items"`
	}
	c.do(http.MethodGet, base+"/api/v1/downloads?limit=200", nil, &page, http.StatusOK)
	return page.Items
}

// sseEvent is one frame of /api/v1/events.
type sseEvent struct {
	Type string
	Data json.RawMessage
	At   time.Time
}

// sseClient reads /api/v1/events of one node until the test ends.
type sseClient struct {
	mu     sync.Mutex
	events []sseEvent
	err    error
}

func (c *client) listen(base string) *sseClient {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		c.t.Fatalf("events: %d", resp.StatusCode)
	}
	s := &sseClient{}
	done := make(chan struct{})
	c.t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Type = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = json.RawMessage(strings.TrimPrefix(line, "data: "))
			case line == "":
				if ev.Type != "" {
					ev.At = time.Now()
					s.mu.Lock()
					s.events = append(s.events, ev)
					s.mu.Unlock()
				}
				ev = sseEvent{}
			}
		}
		s.mu.Lock()
		s.err = sc.Err()
		s.mu.Unlock()
	}()
	return s
}

func (s *sseClient) snapshot() []sseEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sseEvent(nil), s.events...)
}
