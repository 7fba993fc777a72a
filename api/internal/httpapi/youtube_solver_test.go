package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/config"
)

type solverAnswer struct {
	Ready    bool     `json:"ready"`
	Warnings []string `json:"warnings"`
	Checks   struct {
		YouTubeSolver *struct {
			Status         string   `json:"status"`
			Runtime        string   `json:"runtime"`
			RuntimeName    string   `json:"runtime_name"`
			RuntimeVersion string   `json:"runtime_version"`
			Providers      []string `json:"providers"`
			Message        string   `json:"message"`
		} `json:"youtube_solver"`
	} `json:"checks"`
}

// waitSolver polls /readyz until the solver has been checked (the check
// runs in the background, so readiness never waits for yt-dlp).
func waitSolver(t *testing.T, c *apitest.Client) solverAnswer {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var a solverAnswer
		c.Get("/readyz").JSON(&a)
		if a.Checks.YouTubeSolver == nil {
			t.Fatal("/readyz has no youtube_solver check")
		}
		if a.Checks.YouTubeSolver.Status != "unknown" {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("solver still unknown: %+v", a.Checks.YouTubeSolver)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The YouTube challenge solver, as the installed yt-dlp reports it under
// Downlink's flags: ready with the installed Deno by default; turned off
// (DOWNLINK_JS_RUNTIME=none) it is a readiness warning, not a failure, and
// GET /system shows the same state.
func TestYouTubeSolverState(t *testing.T) {
	t.Parallel()
	t.Run("default deno", func(t *testing.T) {
		t.Parallel()
		env := apitest.New(t)
		a := waitSolver(t, env.Client())
		s := a.Checks.YouTubeSolver
		if s.Status != "ready" || s.RuntimeName != "deno" || s.RuntimeVersion == "" || !strings.HasPrefix(s.Runtime, "deno:/") {
			t.Errorf("solver = %+v, want ready with deno", s)
		}
		if anyContains(a.Warnings, "challenge solver") {
			t.Errorf("warning while ready: %q", a.Warnings)
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		env := apitest.New(t, apitest.WithConfig(func(c *config.Config) { c.JSRuntime = "none" }))
		a := waitSolver(t, env.Client())
		if s := a.Checks.YouTubeSolver; s.Status != "disabled" || s.Runtime != "none" {
			t.Errorf("solver = %+v", s)
		}
		if !a.Ready || !anyContains(a.Warnings, "youtube challenge solver disabled") {
			t.Errorf("want ready with a warning: ready=%v warnings=%q", a.Ready, a.Warnings)
		}
		admin, _ := signIn(t, env, newAccount(t, env, authz.RoleAdmin))
		var sys struct {
			YouTubeSolver struct {
				Status string `json:"status"`
			} `json:"youtube_solver"`
			Warnings []string `json:"warnings"`
		}
		expectStatus(t, admin.Get("/api/v1/system"), http.StatusOK).JSON(&sys)
		if sys.YouTubeSolver.Status != "disabled" || !anyContains(sys.Warnings, "challenge solver") {
			t.Errorf("system = %+v", sys)
		}
	})
}
