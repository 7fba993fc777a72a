package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/downlink/downlink/api/internal/apitest"
	"github.com/downlink/downlink/api/internal/authz"
	"github.com/downlink/downlink/api/internal/buildinfo"
	"github.com/downlink/downlink/api/internal/testkit"
)

// systemView is what GET /system tells about versions and paths.
type systemView struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go_version"`
	Ytdlp   struct {
		Found   bool   `json:"found"`
		Path    string `json:"path"`
		Version string `json:"version"`
	} `json:"ytdlp"`
	Ffmpeg struct {
		Found   bool   `json:"found"`
		Path    string `json:"path"`
		Version string `json:"version"`
	} `json:"ffmpeg"`
	Nodes  []map[string]any `json:"nodes"`
	Ready  bool             `json:"ready"`
	Solver struct {
		Status         string `json:"status"`
		Runtime        string `json:"runtime"`
		RuntimeVersion string `json:"runtime_version"`
		YtdlpVersion   string `json:"ytdlp_version"`
	} `json:"youtube_solver"`
}

// TestSystemShowsVersionsAndPathsToAdminsOnly: an admin (and an admin's
// key with admin:read) sees versions, executable paths and nodes; a user,
// and an admin's key without admin:read, sees the health without them,
// the YouTube challenge solver's state included (not its runtime's path
// nor the versions its check reports).
func TestSystemShowsVersionsAndPathsToAdminsOnly(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	admin := adminClient(t, env)
	user, _ := signIn(t, env, newAccount(t, env, authz.RoleUser))
	narrow := env.WithAPIKey(createKey(t, admin, "narrow", []authz.Scope{authz.ScopeDownloadsRead}).Key)
	wide := env.WithAPIKey(createKey(t, admin, "wide", []authz.Scope{authz.ScopeDownloadsRead, authz.ScopeAdminRead}).Key)

	get := func(c *apitest.Client) (systemView, string) {
		t.Helper()
		r := expectStatus(t, c.Get("/api/v1/system"), http.StatusOK)
		var v systemView
		r.JSON(&v)
		return v, string(r.Body)
	}
	for name, c := range map[string]*apitest.Client{"admin": admin, "admin key with admin:read": wide} {
		v, _ := get(c)
		if v.Version != buildinfo.Get().Version || v.Go == "" || !v.Ytdlp.Found || v.Ytdlp.Path == "" || v.Ytdlp.Version == "" ||
			v.Ffmpeg.Path == "" || v.Ffmpeg.Version == "" || len(v.Nodes) == 0 {
			t.Errorf("%s sees %+v", name, v)
		}
	}
	// The solver's check runs in the background: once it has answered,
	// the admin's view names the runtime and versions.
	var admView systemView
	testkit.EventuallyTrue(t, time.Minute, "the solver checked", func() bool {
		admView, _ = get(admin)
		return admView.Solver.Status != "" && admView.Solver.Status != "unknown"
	})
	if admView.Solver.Runtime == "" || admView.Solver.YtdlpVersion == "" {
		t.Fatalf("admin's solver view: %+v", admView.Solver)
	}
	for name, c := range map[string]*apitest.Client{"user": user, "admin key without admin:read": narrow} {
		v, raw := get(c)
		if v.Version != "" || v.Commit != "" || v.Go != "" || v.Ytdlp.Path != "" || v.Ytdlp.Version != "" ||
			v.Ffmpeg.Path != "" || v.Ffmpeg.Version != "" || len(v.Nodes) != 0 {
			t.Errorf("%s sees %+v", name, v)
		}
		if !v.Ytdlp.Found || v.Ready != admView.Ready {
			t.Errorf("%s does not see the health: %+v", name, v)
		}
		if v.Solver.Status != admView.Solver.Status {
			t.Errorf("%s sees the solver %q, the admin %q", name, v.Solver.Status, admView.Solver.Status)
		}
		leaks := []string{admView.Ytdlp.Path, admView.Ffmpeg.Path, admView.Ytdlp.Version, admView.Solver.Runtime, admView.Solver.YtdlpVersion}
		if admView.Solver.RuntimeVersion != "" {
			leaks = append(leaks, `"`+admView.Solver.RuntimeVersion+`"`)
		}
		for _, leak := range leaks {
			if strings.Contains(raw, leak) {
				t.Errorf("%s's view has %q: %s", name, leak, raw)
			}
		}
	}
}
