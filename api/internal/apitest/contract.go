package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/downlink/downlink/api/internal/clip"
)

// Contract checks traffic against openapi.yaml: every response must match
// its operation's documented status, headers and schema, and every request
// the server accepted (2xx) must be valid by the spec too, so the spec can
// be neither stricter nor looser than the server.
type Contract struct {
	Doc    *openapi3.T
	router routers.Router

	mu   sync.Mutex
	seen map[string]map[int]bool // "GET /api/v1/x" → statuses seen
}

var (
	contractOnce sync.Once
	contract     *Contract
	contractErr  error
)

// LoadContract parses and validates the repository's openapi.yaml once per
// test binary.
func LoadContract() (*Contract, error) {
	contractOnce.Do(func() {
		path := filepath.Join(RepoRoot(), "openapi.yaml")
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			contractErr = fmt.Errorf("load %s: %w", path, err)
			return
		}
		if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
			contractErr = fmt.Errorf("openapi.yaml is not valid: %w", err)
			return
		}
		// Route on paths only: the test server's host is not a spec server.
		doc.Servers = nil
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			contractErr = err
			return
		}
		contract = &Contract{Doc: doc, router: r, seen: map[string]map[int]bool{}}
	})
	return contract, contractErr
}

// RepoRoot is the repository's top folder (where go.mod is), found from
// the working directory: a test runs in its package's folder. (Not from
// this file's compiled-in path, which -trimpath makes an import path.)
func RepoRoot() string {
	start, err := os.Getwd()
	if err != nil {
		panic("apitest: " + err.Error())
	}
	dir := start
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("apitest: go.mod not found above " + start)
		}
		dir = parent
	}
}

// Check validates one exchange. reqBody and respBody are the bytes sent and
// received. It returns nil for paths the spec does not cover outside /api
// (the SPA, assets).
func (c *Contract) Check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) error {
	ctx := context.Background()
	// A CORS preflight is the browser's protocol, not an API operation
	// (httpapi's keyCORS answers it for every /api/v1/ path).
	if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		return nil
	}
	// The router matches on a URL without host/scheme differences.
	u := *req.URL
	u.Scheme, u.Host = "", ""
	rr := req.Clone(ctx)
	rr.URL = &u
	if req.Method == http.MethodHead {
		// HEAD answers like GET without a body (info.description says so
		// for every GET): its status and headers are GET's.
		rr.Method = http.MethodGet
	}
	route, pathParams, err := c.router.FindRoute(rr)
	if err != nil {
		if !strings.HasPrefix(req.URL.Path, "/api/") {
			return nil
		}
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			// An unknown API path: its problem body is checked by the tests.
			return nil
		}
		return fmt.Errorf("contract: %s %s answered %d but is not in openapi.yaml", req.Method, req.URL.Path, resp.StatusCode)
	}
	key := req.Method + " " + route.Path
	c.mu.Lock()
	if c.seen[key] == nil {
		c.seen[key] = map[int]bool{}
	}
	c.seen[key][resp.StatusCode] = true
	c.mu.Unlock()

	reqInput := &openapi3filter.RequestValidationInput{
		Request:    rr,
		PathParams: pathParams,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
		},
	}
	rr.Body = io.NopCloser(bytes.NewReader(reqBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil {
			return fmt.Errorf("contract: the server accepted (%d) a request openapi.yaml calls invalid: %s %s: %w",
				resp.StatusCode, req.Method, req.URL.Path, err)
		}
	}
	respInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			// Event streams are documented, not schema-checked byte by byte.
			ExcludeResponseBody: strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") ||
				req.Method == http.MethodHead || resp.StatusCode == http.StatusNotModified,
		},
	}
	respInput.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(ctx, respInput); err != nil {
		return fmt.Errorf("contract: %s %s → %d does not match openapi.yaml: %w\nbody: %s",
			req.Method, req.URL.Path, resp.StatusCode, err, clip.String(string(respBody), 800))
	}
	return nil
}

// Seen lists the operations and statuses checked so far, sorted.
func (c *Contract) Seen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for op, statuses := range c.seen {
		var codes []string
		for s := range statuses {
			codes = append(codes, fmt.Sprint(s))
		}
		sort.Strings(codes)
		out = append(out, op+" "+strings.Join(codes, ","))
	}
	sort.Strings(out)
	return out
}
