package crashtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"
)

// client talks to the API with an API key, as curl would.
type client struct {
	t   *testing.T
	key string
	hc  *http.Client
}

// newAdmin completes the first start's setup on n and returns a client
// with a full-scope API key of that admin. The key is in the database, so
// it works on every node of it and after restarts.
func newAdmin(t *testing.T, n *node) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	session := &client{t: t, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	session.expect(n, http.MethodPost, "/api/v1/auth/setup", map[string]any{
		"token": n.setupToken(), "email": "admin@example.com", "name": "Admin", "password": "crash-test-password",
	}, http.StatusCreated, nil)
	var key struct {
		Key string `json:"key"`
	}
	session.expect(n, http.MethodPost, "/api/v1/api-keys", map[string]any{
		"name": "crashtest", "rate_limit_per_minute": 100000,
		"scopes": []string{"downloads:read", "downloads:write", "files:read", "files:write"},
	}, http.StatusCreated, &key)
	if key.Key == "" {
		t.Fatal("no API key in the answer")
	}
	return &client{t: t, key: key.Key, hc: &http.Client{Timeout: 30 * time.Second}}
}

// do sends a request to n and returns the status and body.
func (c *client) do(n *node, method, path string, body any) (int, []byte, error) {
	st, _, b, err := c.send(n, method, path, body)
	return st, b, err
}

// doHeader is do without a body, with the response's header.
func (c *client) doHeader(n *node, method, path string) (int, http.Header, []byte, error) {
	return c.send(n, method, path, nil)
}

func (c *client) send(n *node, method, path string, body any) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	n.mu.Lock()
	base := n.url
	n.mu.Unlock()
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("X-API-Key", c.key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// expect sends a request and fails the test unless the status is want; the
// body is decoded into out when out is not nil.
func (c *client) expect(n *node, method, path string, body any, want int, out any) {
	c.t.Helper()
	status, b, err := c.do(n, method, path, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// download is the part of a download the tests look at.
type download struct {
	ID       string  `json:"id"`
	Status   string  `json:"status"`
	Node     *string `json:"node"`
	Attempts int     `json:"attempts"`
	Progress struct {
		DownloadedBytes int64 `json:"downloaded_bytes"`
	} `json:"progress"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Files []file `json:"files"`
}

func (d download) node() string {
	if d.Node == nil {
		return ""
	}
	return *d.Node
}

// file is a library file as the API shows it.
type file struct {
	ID         string  `json:"id"`
	DownloadID *string `json:"download_id"`
	Name       string  `json:"name"`
	SizeBytes  int64   `json:"size_bytes"`
}

// submit posts a download of url and returns it as the 202 showed it.
func (c *client) submit(n *node, url string) download {
	c.t.Helper()
	var d download
	c.expect(n, http.MethodPost, "/api/v1/downloads", map[string]any{"url": url}, http.StatusAccepted, &d)
	if d.ID == "" || d.Status != "queued" {
		c.t.Fatalf("created download %+v", d)
	}
	return d
}

// get returns the download id as n sees it; ok is false while n does not
// answer (it is starting, or dead).
func (c *client) get(n *node, id string) (download, bool) {
	status, b, err := c.do(n, http.MethodGet, "/api/v1/downloads/"+id, nil)
	if err != nil || status != http.StatusOK {
		return download{}, false
	}
	var d download
	if err := json.Unmarshal(b, &d); err != nil {
		c.t.Fatalf("download %s: %v: %s", id, err, b)
	}
	return d, true
}

// waitCompleted polls until the download reaches a final state and fails
// unless it is completed.
func (c *client) waitCompleted(n *node, id string, d time.Duration) download {
	c.t.Helper()
	var last download
	waitFor(c.t, d, "download "+id+" to finish", func() bool {
		got, ok := c.get(n, id)
		if ok {
			last = got
		}
		return ok && (got.Status == "completed" || got.Status == "failed" || got.Status == "canceled")
	})
	if last.Status != "completed" {
		c.t.Fatalf("download ended %s: %+v", last.Status, last.Error)
	}
	return last
}

// waitDownloading polls until the download is running with at least
// minBytes downloaded, and returns it.
func (c *client) waitDownloading(n *node, id string, minBytes int64) download {
	c.t.Helper()
	var last download
	waitFor(c.t, 90*time.Second, "download "+id+" under way", func() bool {
		got, ok := c.get(n, id)
		if ok {
			last = got
		}
		if ok && (got.Status == "completed" || got.Status == "failed") {
			c.t.Fatalf("download ended before the crash: %+v", got)
		}
		return ok && got.Status == "downloading" && got.Progress.DownloadedBytes >= minBytes
	})
	return last
}

// list returns every item of a list endpoint (one page is enough here).
func (c *client) list(n *node, path string, out any) {
	c.t.Helper()
	var page struct {
		Items      json.RawMessage `json:"items"`
		NextCursor *string         `json:"next_cursor"`
	}
	c.expect(n, http.MethodGet, path, nil, http.StatusOK, &page)
	if page.NextCursor != nil {
		c.t.Fatalf("%s: more than one page", path)
	}
	if err := json.Unmarshal(page.Items, out); err != nil {
		c.t.Fatal(err)
	}
}
