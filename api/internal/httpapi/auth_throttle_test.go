package httpapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/auth"
	"github.com/downlink/downlink/api/internal/authz"
)

// TestLoginBruteForce: 20 wrong passwords in a row lock the account; while
// it is locked even the right password is refused; the log records the
// failures and never a password.
func TestLoginBruteForce(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	attacker := env.Client()
	marker := uuid.NewString()[:8]
	var statuses []int
	start := time.Now()
	for i := range 20 {
		r := attacker.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": fmt.Sprintf("guess-%s-%d", marker, i)})
		statuses = append(statuses, r.Status)
		if r.Status == http.StatusTooManyRequests {
			checkThrottled(t, r)
		} else {
			expectProblem(t, r, http.StatusUnauthorized)
		}
	}
	if time.Since(start) > time.Minute {
		t.Fatalf("20 attempts took %v", time.Since(start))
	}
	locked := -1
	for i, s := range statuses {
		if s == http.StatusTooManyRequests {
			locked = i
			break
		}
	}
	if locked < 0 || locked > auth.AccountPolicy.MaxFailures {
		t.Fatalf("statuses %v: want 429 from attempt %d on", statuses, auth.AccountPolicy.MaxFailures+1)
	}
	for _, s := range statuses[locked:] {
		if s != http.StatusTooManyRequests {
			t.Fatalf("statuses %v: the lock lifted early", statuses)
		}
	}

	// The right password, from another browser (and so also no cookie
	// state shared with the attacker), is refused during the lock.
	r := env.Client().Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password})
	checkThrottled(t, r)
	if findSessionCookie(r) != nil {
		t.Fatal("a locked account got a session")
	}
	// The e-mail's case does not get around the lock.
	checkThrottled(t, env.Client().Post("/api/v1/auth/login", map[string]string{"email": strings.ToUpper(a.Email), "password": a.Password}))

	logs := env.Logs()
	if strings.Contains(logs, marker) || strings.Contains(logs, a.Password) {
		t.Fatal("the log contains a password")
	}
	failures := logLines(t, env, func(m map[string]any) bool { return m["msg"] == "login failed" && m["email"] == a.Email })
	refusals := logLines(t, env, func(m map[string]any) bool { return strings.HasPrefix(fmt.Sprint(m["msg"]), "login refused") })
	if len(failures) < auth.AccountPolicy.MaxFailures || len(refusals) == 0 {
		t.Fatalf("%d failures and %d refusals logged", len(failures), len(refusals))
	}
	for _, f := range failures {
		if f["ip"] == nil || f["audit"] != true {
			t.Fatalf("failure record %v lacks ip or audit", f)
		}
	}

	// Once the lock is over, the right password works and clears the count.
	if err := env.App.Store.DB.Table("auth_throttles").Where("1 = 1").
		Update("locked_until", time.Now().UTC().Add(-time.Second)).Error; err != nil {
		t.Fatal(err)
	}
	signIn(t, env, a)
}

// TestLoginBruteForceInParallel: guesses sent all at once are each
// counted, so going parallel does not get around the lock.
func TestLoginBruteForceInParallel(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	const guesses = 20
	statuses := make([]int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		c := env.Client()
		wg.Go(func() {
			statuses[i] = c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": fmt.Sprintf("guess %d", i)}).Status
		})
	}
	wg.Wait()
	for _, s := range statuses {
		if s != http.StatusUnauthorized && s != http.StatusTooManyRequests {
			t.Fatalf("statuses %v", statuses)
		}
	}
	checkThrottled(t, env.Client().Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}))
	if errs := logLines(t, env, func(m map[string]any) bool { return m["msg"] == "count login failure" }); len(errs) > 0 {
		t.Fatalf("failures went uncounted: %v", errs[0])
	}
}

// TestLoginThrottlePerIP: one address guessing many accounts is locked out,
// including for accounts it never tried.
func TestLoginThrottlePerIP(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	a := newAccount(t, env, authz.RoleUser)
	c := env.Client()
	var last *apitest.Response
	for i := range auth.IPPolicy.MaxFailures {
		last = c.Post("/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("nobody-%d@example.com", i), "password": "whatever it is"})
		if last.Status != http.StatusUnauthorized {
			break
		}
	}
	r := c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password})
	checkThrottled(t, r)
	if last.Status != http.StatusUnauthorized {
		t.Fatalf("the IP was locked before %d failures: %d", auth.IPPolicy.MaxFailures, last.Status)
	}
}

func checkThrottled(t *testing.T, r *apitest.Response) {
	t.Helper()
	p := expectProblem(t, r, http.StatusTooManyRequests)
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra <= 0 || ra > int(auth.AccountPolicy.Lockout.Seconds()) {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if p["detail"] == "" || p["instance"] != "/api/v1/auth/login" || p["request_id"] == "" {
		t.Fatalf("429 body %v", p)
	}
}

// TestLoginBurstChecksAtMostTheLimit sends 100 wrong passwords for one
// account from one address all at once: at most the limit of them may be
// checked (answered 401 and logged as failures), the rest are refused
// before any check. The throttle used to check first and count after, and
// let 97 of 100 through.
func TestLoginBurstChecksAtMostTheLimit(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, trustProxy())
	a := newAccount(t, env, authz.RoleUser)
	ip := freshIP()
	const burst = 100
	statuses := make([]int, burst)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range burst {
		c := env.Client().Header("X-Forwarded-For", ip)
		wg.Go(func() {
			<-start
			statuses[i] = c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": fmt.Sprintf("guess %d", i)}).Status
		})
	}
	close(start)
	wg.Wait()
	checked, refused := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("statuses %v", statuses)
		}
	}
	if checked > auth.AccountPolicy.MaxFailures || checked+refused != burst {
		t.Fatalf("%d of %d parallel guesses were checked, want at most %d", checked, burst, auth.AccountPolicy.MaxFailures)
	}
	failures := logLines(t, env, func(m map[string]any) bool { return m["msg"] == "login failed" && m["email"] == a.Email })
	if len(failures) != checked {
		t.Fatalf("%d failures logged for %d checked guesses", len(failures), checked)
	}
	// The right password from that address is refused now too.
	checkThrottled(t, env.Client().Header("X-Forwarded-For", ip).Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}))
}

// TestLoginLockoutIsPerClient: guessing locks the account for the
// guessers' addresses only. Its owner, from an address that has not been
// failing, still signs in with the right password (slowed down while the
// account is under attack), and the per-address limit still holds.
func TestLoginLockoutIsPerClient(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, trustProxy())
	a := newAccount(t, env, authz.RoleAdmin)
	attackers := []string{freshIP(), freshIP()}
	for _, ip := range attackers {
		c := env.Client().Header("X-Forwarded-For", ip)
		for i := range auth.AccountPolicy.MaxFailures + 2 {
			r := c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": fmt.Sprintf("guess %d", i)})
			if i < auth.AccountPolicy.MaxFailures {
				expectProblem(t, r, http.StatusUnauthorized)
			} else {
				checkThrottled(t, r)
			}
		}
		// Locked for this address, even with the right password.
		checkThrottled(t, c.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}))
	}

	owner := env.Client().Header("X-Forwarded-For", freshIP())
	start := time.Now()
	r := expectStatus(t, owner.Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}), http.StatusOK)
	took := time.Since(start)
	if findSessionCookie(r) == nil {
		t.Fatal("the owner got no session")
	}
	over := len(attackers)*auth.AccountPolicy.MaxFailures - auth.AccountPolicy.MaxFailures
	if want := min(auth.SlowdownMax, time.Duration(over)*auth.SlowdownStep); took < want {
		t.Fatalf("the login took %v; an account under attack slows every attempt by %v", took, want)
	}
	// The attackers stay locked out after the owner signed in.
	checkThrottled(t, env.Client().Header("X-Forwarded-For", attackers[0]).Post("/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}))
}
