package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

// streamAttempt opens an event stream through tr with headers h (cookies
// come from jar) and returns its status and, for a refusal, its body; an
// accepted stream stays open until closed or the test ends.
func streamAttempt(t *testing.T, env *apitest.Env, tr *http.Transport, jar http.CookieJar, h http.Header) (status int, body []byte, closeStream func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.URL+"/api/v1/events", nil)
	if err != nil {
		t.Error(err)
		return 0, nil, cancel
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Jar: jar, Transport: tr}).Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil, cancel
	}
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, nil, func() { cancel(); _ = resp.Body.Close() }
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, body, cancel
}

// TestEventStreamCaps opens many event streams in parallel: one user gets
// at most the per-user cap, one address at most the per-IP cap, and the
// rest a 429 problem (one session used to open 2,000).
func TestEventStreamCaps(t *testing.T) {
	t.Parallel()
	const perUser, perIP, tries = 3, 5, 12
	env := apitest.New(t, noWorkers(), trustProxy(), apitest.WithConfig(func(c *config.Config) {
		c.MaxEventStreamsPerUser, c.MaxEventStreamsPerIP = perUser, perIP
	}))
	alice, bob := newAccount(t, env, authz.RoleUser), newAccount(t, env, authz.RoleUser)
	aliceC, _ := signIn(t, env, alice)
	bobC, _ := signIn(t, env, bob)
	ip := freshIP()
	// Parallel requests may dial connections that end up carrying none; the
	// server's graceful stop waits seconds for such new connections, so
	// they are closed before it.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)

	var opened []func()
	burst := func(c *apitest.Client, h http.Header) (ok int, refused [][]byte) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body, closeStream := streamAttempt(t, env, tr, c.Jar(), h)
				mu.Lock()
				defer mu.Unlock()
				switch status {
				case http.StatusOK:
					ok++
					opened = append(opened, closeStream)
				case http.StatusTooManyRequests:
					refused = append(refused, body)
				default:
					t.Errorf("status %d: %s", status, body)
				}
			}()
		}
		wg.Wait()
		return ok, refused
	}

	ok, refused := burst(aliceC, http.Header{"X-Forwarded-For": {ip}})
	if ok != perUser || len(refused) != tries-perUser {
		t.Fatalf("alice: %d streams opened, %d refused; want %d and %d", ok, len(refused), perUser, tries-perUser)
	}
	p := expectProblem(t, &apitest.Response{T: t, Status: http.StatusTooManyRequests, Body: refused[0],
		Header: http.Header{"Content-Type": {"application/problem+json"}}}, http.StatusTooManyRequests)
	if p["title"] != "Too many event streams" || p["limit"] != float64(perUser) {
		t.Fatalf("refusal %v", p)
	}

	// The same address has room for perIP-perUser more, whoever asks.
	ok, refused = burst(bobC, http.Header{"X-Forwarded-For": {ip}})
	if ok != perIP-perUser || len(refused) != tries-(perIP-perUser) {
		t.Fatalf("bob from alice's address: %d opened, %d refused; want %d and %d", ok, len(refused), perIP-perUser, tries-(perIP-perUser))
	}
	// From elsewhere bob reaches his own cap.
	ok, _ = burst(bobC, http.Header{"X-Forwarded-For": {freshIP()}})
	if want := perUser - (perIP - perUser); ok != want {
		t.Fatalf("bob from another address: %d opened, want %d", ok, want)
	}

	// A closed stream gives its slot back (to the same user with a key,
	// from another address).
	key := createKey(t, aliceC, "stream", []authz.Scope{authz.ScopeDownloadsRead})
	h := http.Header{"Authorization": {"Bearer " + key.Key}, "X-Forwarded-For": {freshIP()}}
	if status, body, _ := streamAttempt(t, env, tr, nil, h); status != http.StatusTooManyRequests {
		t.Fatalf("alice's key at her cap: %d %s", status, body)
	}
	opened[0]() // one of alice's
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, body, _ := streamAttempt(t, env, tr, nil, h)
		if status == http.StatusOK {
			break
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("after closing a stream: %d %s", status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSessionRateLimit: browser sessions are rate-limited per user (all of
// a user's sessions share the budget) with a 429 problem, like keys; they
// used to have no limit at all. Another user is not affected.
func TestSessionRateLimit(t *testing.T) {
	t.Parallel()
	const limit = 8
	env := apitest.New(t, noWorkers(), apitest.WithConfig(func(c *config.Config) { c.SessionRateLimit = limit }))
	alice, bob := newAccount(t, env, authz.RoleUser), newAccount(t, env, authz.RoleUser)
	first, _ := signIn(t, env, alice)
	second, _ := signIn(t, env, alice)
	bobC, _ := signIn(t, env, bob)
	ok := 0
	var refused *apitest.Response
	for i := 0; i < 3*limit && refused == nil; i++ {
		c := first
		if i%2 == 1 {
			c = second
		}
		r := c.Get("/api/v1/downloads")
		switch r.Status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			refused = r
		default:
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
	if refused == nil {
		t.Fatalf("%d session requests in a row were all served; the limit is %d a minute", 3*limit, limit)
	}
	if ok > limit {
		t.Fatalf("%d requests served before the first refusal, want at most %d", ok, limit)
	}
	p := expectProblem(t, refused, http.StatusTooManyRequests)
	if ra := refused.Header.Get("Retry-After"); ra == "" || p["retry_after"] == nil || refused.Header.Get("RateLimit-Policy") == "" {
		t.Fatalf("429 without Retry-After/retry_after/RateLimit-Policy: %v %v", refused.Header, p)
	}
	expectStatus(t, bobC.Get("/api/v1/downloads"), http.StatusOK)
}
