package httpapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apikeys"
	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/app"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/testkit"
)

var rateLimitRE = regexp.MustCompile(`^"default";r=(\d+);t=(\d+)$`)

// rateLimitHeader parses RateLimit: "default";r=R;t=T.
func rateLimitHeader(t *testing.T, r *apitest.Response) (remaining, reset int) {
	t.Helper()
	m := rateLimitRE.FindStringSubmatch(r.Header.Get("RateLimit"))
	if m == nil {
		t.Fatalf("RateLimit %q", r.Header.Get("RateLimit"))
	}
	remaining, _ = strconv.Atoi(m[1])
	reset, _ = strconv.Atoi(m[2])
	return remaining, reset
}

// retryAfter reads Retry-After as whole seconds, failing when it is absent.
func retryAfter(t *testing.T, r *apitest.Response) int {
	t.Helper()
	s, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q on a %d", r.Header.Get("Retry-After"), r.Status)
	}
	return s
}

// TestAPIKeyRateLimit: a key limited to N per minute gets N answers with
// the IETF RateLimit headers counting down, then 429 with Retry-After, the
// headers and a problem body.
func TestAPIKeyRateLimit(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t)
	const n = 5
	k := createKey(t, w.userC, "limited", []authz.Scope{authz.ScopeDownloadsRead}, "rate_limit_per_minute", n)
	key := w.env.WithAPIKey(k.Key)
	for i := range n {
		r := key.Get("/api/v1/system").Expect(http.StatusOK)
		if got, want := r.Header.Get("RateLimit-Policy"), fmt.Sprintf(`"default";q=%d;w=60`, n); got != want {
			t.Fatalf("RateLimit-Policy %q, want %q", got, want)
		}
		remaining, reset := rateLimitHeader(t, r)
		if remaining != n-1-i {
			t.Fatalf("request %d: r=%d, want %d", i+1, remaining, n-1-i)
		}
		if reset < 1 || reset > 60 {
			t.Fatalf("request %d: t=%d, want 1..60", i+1, reset)
		}
	}
	r := key.Get("/api/v1/system")
	if title := problemTitle(t, r, http.StatusTooManyRequests); title != "Rate limit exceeded" {
		t.Fatalf("title %q", title)
	}
	// One token comes back every 60/n seconds.
	if s := retryAfter(t, r); s < 1 || s > 60/n {
		t.Fatalf("Retry-After %d, want 1..%d", s, 60/n)
	}
	// RateLimit, Retry-After and the body agree on when to come back.
	if remaining, reset := rateLimitHeader(t, r); remaining != 0 || reset != retryAfter(t, r) || fmt.Sprint(r.Map()["retry_after"]) != fmt.Sprint(reset) {
		t.Fatalf("429: r=%d t=%d, Retry-After %d, retry_after %v: they disagree", remaining, reset, retryAfter(t, r), r.Map()["retry_after"])
	}
	if r.Header.Get("RateLimit-Policy") == "" {
		t.Fatal("no RateLimit-Policy on the 429")
	}
	// Another key of the same owner has its own bucket.
	other := createKey(t, w.userC, "other", []authz.Scope{authz.ScopeDownloadsRead})
	w.env.WithAPIKey(other.Key).Get("/api/v1/system").Expect(http.StatusOK)
	// Browser sessions are not limited per key.
	w.userC.Get("/api/v1/system").Expect(http.StatusOK)
}

// TestAPIKeyRateLimitRefills: the bucket refills at N/60 per second, so
// with N=60 a refused key works again about a second later.
func TestAPIKeyRateLimitRefills(t *testing.T) {
	t.Parallel()
	// The buckets run on a clock the test moves: a refill is waited for by
	// advancing it, not by sleeping.
	clock := testkit.NewClock(time.Now())
	w := newKeyWorld(t, apitest.WithApp(app.WithKeyClock(clock.Now)))
	const n = 60
	k := createKey(t, w.userC, "refills", []authz.Scope{authz.ScopeDownloadsRead}, "rate_limit_per_minute", n)
	key := w.env.WithAPIKey(k.Key)
	start := time.Now()
	sent := 0
	var refused *apitest.Response
	for sent < 3*n {
		r := key.Get("/api/v1/system")
		sent++
		if r.Status == http.StatusTooManyRequests {
			refused = r
			break
		}
		r.Expect(http.StatusOK)
	}
	elapsed := time.Since(start)
	// The burst is n; at most one more token per second arrives meanwhile.
	if refused == nil || sent-1 < n || sent-1 > n+int(elapsed.Seconds())+1 {
		t.Fatalf("%d requests passed in %v before a 429, want %d (+1 per second)", sent-1, elapsed, n)
	}
	wait := retryAfter(t, refused)
	if wait < 1 || wait > 2 {
		t.Fatalf("Retry-After %d, want 1 or 2 at one token a second", wait)
	}
	clock.Advance(time.Duration(wait)*time.Second + 100*time.Millisecond)
	r := key.Get("/api/v1/system").Expect(http.StatusOK)
	if remaining, _ := rateLimitHeader(t, r); remaining > 1 {
		t.Fatalf("r=%d after one refill", remaining)
	}
}

// untilRefused sends GET path until the first 429, at most max times, and
// returns how many requests got through before it and the refusal (nil
// when none came).
func untilRefused(c *apitest.Client, path string, max int) (int, *apitest.Response) {
	for i := range max {
		if r := c.Get(path); r.Status == http.StatusTooManyRequests {
			return i, r
		}
	}
	return max, nil
}

// refills is how many tokens a bucket of perMinute regains in d, rounded up.
func refills(perMinute int, d time.Duration) int {
	return int(float64(perMinute)/60*d.Seconds()) + 1
}

// TestAnonymousRateLimit: one address may make AnonymousPerMinute requests
// without credentials (plus what the bucket regains meanwhile, 5 a
// second); then 429 with Retry-After. Other addresses, signed-in browsers
// and keys are not affected.
func TestAnonymousRateLimit(t *testing.T) {
	t.Parallel()
	// The buckets run on a clock that stands still: on a loaded machine
	// the checks below took long enough for the bucket to regain more
	// than one token between them.
	clock := testkit.NewClock(time.Now())
	w := newKeyWorld(t, trustProxy(), apitest.WithApp(app.WithKeyClock(clock.Now)))
	k := createKey(t, w.userC, "bystander", []authz.Scope{authz.ScopeDownloadsRead})
	leaver, ended := signIn(t, w.env, w.user)
	leaver.Post("/api/v1/auth/logout", nil).Expect(http.StatusNoContent)
	ip := freshIP()
	anon := w.env.Client().Header("X-Forwarded-For", ip)
	const n = apikeys.AnonymousPerMinute
	start := time.Now()
	passed, r := untilRefused(anon, "/api/v1/auth/providers", 2*n)
	if elapsed := time.Since(start); r == nil || passed < n || passed > n+refills(n, elapsed) {
		t.Fatalf("%d anonymous requests passed in %v before a 429, want %d (+5 a second)", passed, elapsed, n)
	}
	if title := problemTitle(t, r, http.StatusTooManyRequests); title != "Rate limit exceeded" {
		t.Fatalf("title %q", title)
	}
	if s := retryAfter(t, r); s < 1 {
		t.Fatalf("Retry-After %d", s)
	}
	// The same bucket, whatever the route or a dead credential: the
	// signed cookie of an ended session must not buy a way around it.
	// (Each may see one token the bucket regained since, on a clock that moves.)
	for name, c := range map[string]*apitest.Client{
		"protected route":      anon,
		"ended session cookie": withCookie(w.env, ended).Header("X-Forwarded-For", ip),
	} {
		for _, path := range []string{"/api/v1/auth/providers", "/api/v1/system"} {
			if passed, r := untilRefused(c, path, 3); r == nil || passed > 1 {
				t.Fatalf("%s, %s: %d requests passed an exhausted bucket", name, path, passed)
			}
		}
	}
	w.env.Client().Header("X-Forwarded-For", freshIP()).Get("/api/v1/auth/providers").Expect(http.StatusOK)
	w.userC.Header("X-Forwarded-For", ip).Get("/api/v1/system").Expect(http.StatusOK)
	w.env.WithAPIKey(k.Key).Header("X-Forwarded-For", ip).Get("/api/v1/system").Expect(http.StatusOK)
}

// TestFailedKeyChecksAreThrottled: guessing keys from one address is cut
// off after FailuresPerMinute failures (429 with Retry-After), even for a
// real key from that address, while other addresses are unaffected.
func TestFailedKeyChecksAreThrottled(t *testing.T) {
	t.Parallel()
	w := newKeyWorld(t, trustProxy())
	genuine := createKey(t, w.userC, "real", []authz.Scope{authz.ScopeDownloadsRead})
	ip := freshIP()
	const f = apikeys.FailuresPerMinute
	guess := func(i int) *apitest.Response {
		k, err := apikeys.Generate()
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			k = badChecksum(k) // mistyped and unknown keys count alike
		}
		return w.env.WithAPIKey(k).Header("X-Forwarded-For", ip).Get("/api/v1/system")
	}
	start := time.Now()
	failed := 0
	var refused *apitest.Response
	for i := 0; i < 2*f && refused == nil; i++ {
		r := guess(i)
		if r.Status == http.StatusTooManyRequests {
			refused = r
			break
		}
		expectProblem(t, r, http.StatusUnauthorized)
		failed++
	}
	if elapsed := time.Since(start); refused == nil || failed < f || failed > f+refills(f, elapsed) {
		t.Fatalf("%d failures in %v before a 429, want %d", failed, elapsed, f)
	}
	expectProblem(t, refused, http.StatusTooManyRequests)
	if s := retryAfter(t, refused); s < 1 || s > 60 {
		t.Fatalf("Retry-After %d", s)
	}
	// Four more guesses: the bucket regains a third of a token a second,
	// so at most one of them is even looked at.
	looked := 0
	for i := range 4 {
		if r := guess(i); r.Status != http.StatusTooManyRequests {
			looked++
		}
	}
	if looked > 1 {
		t.Fatalf("%d of 4 guesses were checked after the throttle started", looked)
	}
	if passed, r := untilRefused(w.env.WithAPIKey(genuine.Key).Header("X-Forwarded-For", ip), "/api/v1/system", 3); r == nil || passed > 1 {
		t.Fatalf("a real key from the throttled address passed %d times", passed)
	}
	w.env.WithAPIKey(genuine.Key).Header("X-Forwarded-For", freshIP()).Get("/api/v1/system").Expect(http.StatusOK)
}
