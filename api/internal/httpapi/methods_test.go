package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestWrongMethodIs405WithAllow: every route of the route table, asked
// with a method it does not take, answers 405 as a problem whose Allow
// header lists exactly the methods the route takes (RFC 9110 §15.5.6),
// HEAD included wherever GET is. Nothing here lists routes.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	c := env.Client()
	methods := map[string][]string{}
	var paths []string
	for _, r := range env.App.HTTP.Routes() {
		if methods[r.Path] == nil {
			paths = append(paths, r.Path)
		}
		methods[r.Path] = append(methods[r.Path], r.Method)
	}
	for _, path := range paths {
		want := methods[path]
		if slices.Contains(want, http.MethodGet) {
			want = append(want, http.MethodHead)
		}
		slices.Sort(want)
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if slices.Contains(want, m) {
				continue
			}
			t.Run(m+" "+path, func(t *testing.T) {
				r := c.Do(m, fillPathParams(path), matrixBody(m))
				if r.Status != http.StatusMethodNotAllowed {
					t.Fatalf("status %d, want 405\nbody: %.500s", r.Status, r.Body)
				}
				var allow []string
				for _, a := range strings.Split(r.Header.Get("Allow"), ",") {
					if a = strings.TrimSpace(a); a != "" {
						allow = append(allow, a)
					}
				}
				slices.Sort(allow)
				if !slices.Equal(allow, want) {
					t.Fatalf("Allow %q, want %v", r.Header.Get("Allow"), want)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("Content-Type %q", ct)
				}
				if m == http.MethodHead {
					return // no body to read
				}
				p := r.Map()
				if p["status"] != float64(405) || p["type"] != "https://downlink.dev/problems/method-not-allowed" {
					t.Fatalf("problem %v", p)
				}
			})
		}
	}
}

// TestHeadAnswersLikeGet: HEAD on every GET route gives GET's status and
// headers and no body, whatever GET's answer is (a list, a 404 problem, a
// redirect, the event stream).
func TestHeadAnswersLikeGet(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	c, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
	// Headers that differ between any two requests.
	volatile := []string{"Date", "X-Request-Id", "Set-Cookie", "Location", "Ratelimit", "Ratelimit-Policy", "Ratelimit-Remaining", "Ratelimit-Reset"}
	n := 0
	for _, r := range env.App.HTTP.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		n++
		t.Run(r.Path, func(t *testing.T) {
			path := fillPathParams(r.Path)
			var get *apitest.Response
			if streams(t, r) {
				get = openStream(t, env, c, http.MethodGet, path)
			} else {
				get = c.Do(http.MethodGet, path, nil, "Accept-Encoding", "identity")
			}
			head := c.Do(http.MethodHead, path, nil, "Accept-Encoding", "identity")
			if head.Status != get.Status {
				t.Fatalf("HEAD %d, GET %d\nGET body: %.300s", head.Status, get.Status, get.Body)
			}
			if len(head.Body) != 0 {
				t.Fatalf("HEAD sent a body: %.300s", head.Body)
			}
			for k := range get.Header {
				if slices.Contains(volatile, k) {
					continue
				}
				if k == "Content-Length" {
					// Present on both; the value may differ where the
					// content does (uptime in /system); net/http leaves
					// it off a HEAD answer that would have no body.
					if head.Header.Get(k) == "" && get.Header.Get(k) != "0" && !streams(t, r) {
						t.Errorf("Content-Length: GET %q, HEAD none", get.Header.Get(k))
					}
					continue
				}
				if g, h := strings.Join(get.Header[k], ","), strings.Join(head.Header[k], ","); g != h {
					t.Errorf("%s: GET %q, HEAD %q", k, g, h)
				}
			}
			for k := range head.Header {
				if _, ok := get.Header[k]; !ok && !slices.Contains(volatile, k) {
					t.Errorf("HEAD has %s: %q, GET has none", k, head.Header.Get(k))
				}
			}
		})
	}
	if n < 20 {
		t.Fatalf("only %d GET routes", n)
	}
}
