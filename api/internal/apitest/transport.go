package apitest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
)

// HTTPClient returns a plain *http.Client (with its own cookie jar) whose
// every exchange is checked against the contract like Client's, for code
// that brings its own client: a generated API client. Event streams are
// passed through unread (their status and headers are checked).
func (e *Env) HTTPClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: contractTransport{env: e, next: http.DefaultTransport}}
}

type contractTransport struct {
	env  *Env
	next http.RoundTripper
}

func (ct contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := ct.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	var body []byte
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	ct.env.noteSecrets(req, reqBody, resp, body)
	if err := ct.env.contract.Check(req, reqBody, resp, body); err != nil {
		ct.env.T.Errorf("%v", err)
	}
	return resp, nil
}
