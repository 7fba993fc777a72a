package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/clip"
)

// Client talks to the test server like a browser (cookie jar) or like a
// program with an API key. Every exchange is checked against the contract.
type Client struct {
	env     *Env
	http    *http.Client
	headers http.Header
}

// Client returns a new client with its own cookie jar.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{env: e, http: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, headers: http.Header{}}
}

// WithAPIKey returns a client (without cookies) that sends key as a bearer token.
func (e *Env) WithAPIKey(key string) *Client {
	c := &Client{env: e, http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, headers: http.Header{}}
	c.headers.Set("Authorization", "Bearer "+key)
	return c
}

// Header sets a header on every request of this client.
func (c *Client) Header(k, v string) *Client {
	c.headers.Set(k, v)
	return c
}

// Jar returns the client's cookie jar (nil for key clients).
func (c *Client) Jar() http.CookieJar { return c.http.Jar }

// Response is what came back.
type Response struct {
	T      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(v any) {
	r.T.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.T.Fatalf("decode %d response: %v\nbody: %s", r.Status, err, r.Body)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map() map[string]any {
	r.T.Helper()
	var m map[string]any
	r.JSON(&m)
	return m
}

// Expect fails the test unless the status is want.
func (r *Response) Expect(want int) *Response {
	r.T.Helper()
	if r.Status != want {
		r.T.Fatalf("status %d, want %d\nbody: %s", r.Status, want, clip.String(string(r.Body), 2000))
	}
	return r
}

// Do sends a request. body may be nil, a []byte/string (sent as is) or any
// value (sent as JSON). Extra headers go in pairs: "Name", "value", ….
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	t := c.env.T
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, c.env.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range c.headers {
		req.Header[k] = vs
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var got []byte
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		// A stream never ends by itself: the status and headers are what a
		// plain request can check (use Stream to read events).
	} else if got, err = io.ReadAll(resp.Body); err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	c.env.noteSecrets(req, raw, resp, got)
	if err := c.env.contract.Check(req, raw, resp, got); err != nil {
		t.Errorf("%v", err)
	}
	return &Response{T: t, Status: resp.StatusCode, Header: resp.Header, Body: got}
}

// Get is Do(GET).
func (c *Client) Get(path string, headers ...string) *Response {
	c.env.T.Helper()
	return c.Do(http.MethodGet, path, nil, headers...)
}

// Post is Do(POST) with a JSON body.
func (c *Client) Post(path string, body any, headers ...string) *Response {
	c.env.T.Helper()
	return c.Do(http.MethodPost, path, body, headers...)
}

// Contains reports whether the body contains every fragment.
func (r *Response) Contains(fragments ...string) bool {
	for _, f := range fragments {
		if !strings.Contains(string(r.Body), f) {
			return false
		}
	}
	return true
}
